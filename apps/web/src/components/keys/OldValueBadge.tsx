import { formatDateTime, type DateLike } from "../../lib/dates";
import { StatusBadge } from "../StatusBadge";

/** "Old value works until …": a regenerate kept the replaced value working (rotation with overlap, docs/presenting-keys.md). */
export function OldValueBadge({ until }: { until: DateLike | null | undefined }) {
  if (!until) return null;
  return <StatusBadge tone="warning">{`Old value works until ${formatDateTime(until)}`}</StatusBadge>;
}
