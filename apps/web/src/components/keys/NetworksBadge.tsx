import { StatusBadge } from "../StatusBadge";

/** "Restricted to 2 networks" (docs/authorization.md, "Allowed networks"); nothing for a key usable anywhere. */
export function NetworksBadge({ networks }: { networks: readonly string[] | undefined }) {
  if (!networks?.length) return null;
  return (
    <span title={networks.join(", ")}>
      <StatusBadge tone="info">{`Restricted to ${networks.length} network${networks.length === 1 ? "" : "s"}`}</StatusBadge>
    </span>
  );
}
