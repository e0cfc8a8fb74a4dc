import type { ReactNode } from "react";

/** A card's facts as a description list: each term above its value, two to a row. */
export function FactList({ facts }: { facts: [term: string, value: ReactNode][] }) {
  return (
    <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2">
      {facts.map(([term, value]) => (
        <div key={term} className="min-w-0">
          <dt className="text-xs font-medium text-gray-500">{term}</dt>
          <dd className="break-words text-gray-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
