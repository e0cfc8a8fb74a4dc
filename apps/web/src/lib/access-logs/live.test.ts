import { describe, expect, it } from "vitest";
import { liveStreamUrl, prependLiveRows } from "./live";

type Row = { id: number };
const pages = (...rowIds: number[][]) => ({
  pages: rowIds.map((ids) => ({ rows: ids.map((id) => ({ id })), nextCursor: null, scannedTo: null })),
  pageParams: rowIds.map(() => null),
});

describe("prependLiveRows", () => {
  it("puts streamed rows (oldest first) on top, newest first, skipping any already loaded", () => {
    const next = prependLiveRows<Row>(pages([5, 4], [3]), [{ id: 4 }, { id: 6 }, { id: 7 }]);
    expect(next?.pages.map((p) => p.rows.map((r) => r.id))).toEqual([[7, 6, 5, 4], [3]]);
  });
  it("goes above an empty first page", () => {
    expect(prependLiveRows<Row>(pages([]), [{ id: 1 }])?.pages[0]?.rows).toEqual([{ id: 1 }]);
  });
});

describe("liveStreamUrl", () => {
  it("carries the grid's filters, and scope=mine in the account viewer", () => {
    const url = new URL(liveStreamUrl({ method: "PUT", path: "a b", statusClass: "2xx" }, "account"), "http://x");
    expect(url.pathname).toBe("/api/access-logs/stream");
    expect(Object.fromEntries(url.searchParams)).toEqual({ method: "PUT", path: "a b", statusClass: "2xx", scope: "mine" });
  });
});
