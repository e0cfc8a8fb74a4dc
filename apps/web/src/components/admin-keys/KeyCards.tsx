import { useId } from "react";
import type { SortKey } from "../../lib/admin-keys/search";
import { textInput } from "../../lib/styles";
import { cardFacts, KeyActions, NameCell, StatusCell, type KeyListProps } from "./cells";
import { FactList } from "../FactList";
import { fieldLabel } from "./styles";

const SORTS: { value: `${SortKey}:${"asc" | "desc"}`; label: string }[] = [
  { value: "created:desc", label: "Newest first" },
  { value: "created:asc", label: "Oldest first" },
  { value: "name:asc", label: "Name, A to Z" },
  { value: "name:desc", label: "Name, Z to A" },
  { value: "expires:asc", label: "Expires soonest" },
  { value: "expires:desc", label: "Expires latest" },
  { value: "lastUsed:desc", label: "Used most recently" },
  { value: "lastUsed:asc", label: "Used least recently" },
];

/** The grid on narrow screens: a card per key, and the sort as a menu instead of column headers. */
export function KeyCards({ rows, search, onSort, actions, busy }: KeyListProps) {
  const id = useId();
  return (
    <div>
      <div className="mb-3 flex items-center gap-2">
        <label htmlFor={`${id}-sort`} className={`${fieldLabel} shrink-0`}>
          Sort by
        </label>
        <select
          id={`${id}-sort`}
          value={`${search.sort}:${search.dir}`}
          onChange={(event) => {
            const [sort, dir] = event.target.value.split(":") as [SortKey, "asc" | "desc"];
            onSort(sort, dir);
          }}
          className={textInput}
        >
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <ul aria-label="API keys" aria-busy={busy || undefined} className={`space-y-3 ${busy ? "opacity-60" : ""}`}>
        {rows.map((k) => (
          <li key={k.id} className={`rounded-md border border-gray-200 bg-white p-3 text-sm ${k.revokedAt ? "text-gray-500" : ""}`}>
            <div className="flex items-start justify-between gap-3">
              <div className="min-w-0">
                <NameCell k={k} />
              </div>
              <StatusCell k={k} align="end" />
            </div>
            <FactList facts={cardFacts(k)} />
            <KeyActions k={k} actions={actions} className="mt-3 flex flex-wrap gap-x-4 gap-y-1 border-t border-gray-100 pt-2" />
          </li>
        ))}
      </ul>
    </div>
  );
}
