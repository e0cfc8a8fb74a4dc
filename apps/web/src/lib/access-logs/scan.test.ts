import { describe, expect, it } from "vitest";
import { AUTO_SEARCH_MS, continueSearch, SEARCH_GAP_MS, searchProgress, stoppedEarly, toDate } from "./scan";

const rows = (...ids: number[]) => ids.map((id) => ({ id }));
const AT = "2026-03-14T12:00:00.000Z";

describe("searchProgress", () => {
  it("is loading with nothing fetched", () => {
    expect(searchProgress(undefined, false)).toEqual({ kind: "loading" });
  });

  it("is empty or done when every page is in", () => {
    expect(searchProgress({ pages: [{ rows: [], nextCursor: null }] }, false)).toEqual({ kind: "empty" });
    expect(
      searchProgress(
        {
          pages: [
            { rows: [], nextCursor: 9, scannedTo: AT },
            { rows: [], nextCursor: null, scannedTo: null },
          ],
        },
        true,
      ),
    ).toEqual({ kind: "empty" });
    expect(
      searchProgress(
        {
          pages: [
            { rows: rows(3, 2), nextCursor: 2 },
            { rows: rows(1), nextCursor: null },
          ],
        },
        false,
      ),
    ).toEqual({ kind: "done", found: 3 });
  });

  it("has more, page by page, after a full page", () => {
    expect(searchProgress({ pages: [{ rows: rows(3, 2), nextCursor: 2, scannedTo: null }] }, false)).toEqual({ kind: "more", found: 2 });
    // A page that stopped early earlier on does not count once a full one followed.
    expect(
      searchProgress(
        {
          pages: [
            { rows: [], nextCursor: 5, scannedTo: AT },
            { rows: rows(4, 3), nextCursor: 3, scannedTo: null },
          ],
        },
        true,
      ),
    ).toEqual({ kind: "more", found: 2 });
  });

  it("is searching while the last page stopped early, and partial once the viewer stopped searching on", () => {
    const data = {
      pages: [
        { rows: rows(9), nextCursor: 9 },
        { rows: [], nextCursor: 4, scannedTo: AT },
      ],
    };
    expect(searchProgress(data, false)).toEqual({ kind: "searching", found: 1, scannedTo: new Date(AT) });
    expect(searchProgress(data, true)).toEqual({ kind: "partial", found: 1, scannedTo: new Date(AT) });
  });

  it("takes scannedTo as a Date too", () => {
    expect(searchProgress({ pages: [{ rows: [], nextCursor: 4, scannedTo: new Date(AT) }] }, true)).toEqual({
      kind: "partial",
      found: 0,
      scannedTo: new Date(AT),
    });
  });

  it("never calls it empty while there is a cursor to search on", () => {
    expect(searchProgress({ pages: [{ rows: [], nextCursor: 4, scannedTo: null }] }, false)).toEqual({ kind: "searching", found: 0, scannedTo: null });
    expect(searchProgress({ pages: [{ rows: [], nextCursor: 4, scannedTo: null }] }, true).kind).toBe("partial");
  });
});

describe("stoppedEarly and toDate", () => {
  it("tells a page that stopped early", () => {
    expect(stoppedEarly(undefined)).toBe(false);
    expect(stoppedEarly({ rows: rows(1), nextCursor: 1 })).toBe(false);
    expect(stoppedEarly({ rows: rows(1), nextCursor: 1, scannedTo: AT })).toBe(true);
    expect(stoppedEarly({ rows: [], nextCursor: 1 })).toBe(true);
    expect(stoppedEarly({ rows: [], nextCursor: null, scannedTo: AT })).toBe(false);
  });
  it("reads ISO strings and Dates, and nothing else", () => {
    expect(toDate(AT)).toEqual(new Date(AT));
    expect(toDate(new Date(AT))).toEqual(new Date(AT));
    expect(toDate(null)).toBeNull();
    expect(toDate(undefined)).toBeNull();
    expect(toDate("not a date")).toBeNull();
  });
});

describe("continueSearch", () => {
  it("starts a stretch, goes on while it is short, and stops it after AUTO_SEARCH_MS", () => {
    let stretch = continueSearch(null, 1_000);
    expect(stretch).toEqual({ start: 1_000, lastEnd: 1_000 });
    for (let t = 1_050; t < 1_000 + AUTO_SEARCH_MS; t += 50) {
      stretch = continueSearch({ ...stretch!, lastEnd: t - 10 }, t);
      expect(stretch).toEqual({ start: 1_000, lastEnd: t - 10 });
    }
    expect(continueSearch({ start: 1_000, lastEnd: 2_990 }, 1_000 + AUTO_SEARCH_MS)).toBeNull();
  });

  it("starts a new stretch after a pause", () => {
    expect(continueSearch({ start: 1_000, lastEnd: 3_000 }, 3_000 + SEARCH_GAP_MS + 1)).toEqual({ start: 4_001, lastEnd: 4_001 });
    expect(continueSearch({ start: 1_000, lastEnd: 3_000 }, 3_000 + SEARCH_GAP_MS)).toBeNull();
  });
});
