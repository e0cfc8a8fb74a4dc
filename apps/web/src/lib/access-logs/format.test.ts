import { describe, expect, it } from "vitest";
import { flattenPages, formatBytes, formatDuration, formatLogTime, keyLabel, mergeNewerEntries, prettyBody, statusClassOf, type LogPages } from "./format";

describe("statusClassOf", () => {
  it("groups statuses by their first digit", () => {
    expect(statusClassOf(200)).toBe("2xx");
    expect(statusClassOf(299)).toBe("2xx");
    expect(statusClassOf(304)).toBe("3xx");
    expect(statusClassOf(401)).toBe("4xx");
    expect(statusClassOf(403)).toBe("4xx");
    expect(statusClassOf(500)).toBe("5xx");
    expect(statusClassOf(599)).toBe("5xx");
  });
  it("has no class for anything else", () => {
    expect(statusClassOf(101)).toBeNull();
    expect(statusClassOf(600)).toBeNull();
    expect(statusClassOf(0)).toBeNull();
    expect(statusClassOf(200.5)).toBeNull();
  });
});

describe("keyLabel", () => {
  const known = { keyId: 3, keyName: "CI", keyHint: "khk_ab…wxyz", keyStatus: "valid" };
  it("names a known key with its hint", () => {
    expect(keyLabel(known)).toEqual({ name: "CI", hint: "khk_ab…wxyz", note: null, failed: false });
  });
  it("notes a key that no longer worked", () => {
    expect(keyLabel({ ...known, keyStatus: "revoked" }).note).toBe("revoked");
    expect(keyLabel({ ...known, keyStatus: "expired" }).note).toBe("expired");
  });
  it("describes failed attempts with no key behind them", () => {
    const none = { keyId: null, keyName: null, keyHint: null };
    expect(keyLabel({ ...none, keyStatus: "unknown" })).toEqual({ name: "unknown key", hint: null, note: null, failed: true });
    expect(keyLabel({ ...none, keyStatus: "malformed" }).name).toBe("malformed key");
    expect(keyLabel({ ...none, keyStatus: "ambiguous" }).name).toBe("two different keys");
  });
  it("falls back to the key's ID when its name was not kept", () => {
    expect(keyLabel({ keyId: 9, keyName: null, keyHint: null, keyStatus: "valid" }).name).toBe("Key 9");
  });
});

describe("formatDuration and formatBytes", () => {
  it("reads durations at a glance", () => {
    expect(formatDuration(0.42)).toBe("0.4 ms");
    expect(formatDuration(12.4)).toBe("12 ms");
    expect(formatDuration(999)).toBe("999 ms");
    expect(formatDuration(1250)).toBe("1.25 s");
    expect(formatDuration(12_500)).toBe("12.5 s");
    expect(formatDuration(-1)).toBe("—");
  });
  it("reads sizes in binary multiples", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(64 * 1024)).toBe("64.0 KB");
    expect(formatBytes(2 * 1024 * 1024)).toBe("2.0 MB");
    expect(formatBytes(Number.NaN)).toBe("—");
  });
});

describe("formatLogTime", () => {
  it("gives the day, the time to the second and the instant, from a Date or an ISO string", () => {
    const t = formatLogTime("2026-03-14T15:04:05.000Z", "en-US", "UTC");
    expect(t).toEqual({ day: "Mar 14, 2026", shortDay: "Mar 14", time: "3:04:05 PM", iso: "2026-03-14T15:04:05.000Z" });
    expect(formatLogTime(new Date("2026-03-14T15:04:05Z"), "en-US", "UTC").time).toBe("3:04:05 PM");
  });
  it("does not throw on a bad value", () => {
    expect(formatLogTime("garbage").day).toBe("—");
  });
});

describe("prettyBody", () => {
  it("indents JSON and leaves everything else alone", () => {
    expect(prettyBody('{"a":1,"b":[2]}')).toBe('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}');
    expect(prettyBody("name=x&y=z")).toBe("name=x&y=z");
    expect(prettyBody("{not json")).toBe("{not json");
    expect(prettyBody("[package file: application/zip, 10 bytes, sha256 ab]")).toBe("[package file: application/zip, 10 bytes, sha256 ab]");
  });
});

describe("mergeNewerEntries", () => {
  const rows = (...ids: number[]) => ids.map((id) => ({ id }));
  const loaded: LogPages<{ id: number }> = {
    pages: [
      { rows: rows(10, 9, 8), nextCursor: 8 },
      { rows: rows(7, 6, 5), nextCursor: 5 },
    ],
    pageParams: [null, 8],
  };

  it("puts newer entries on top and keeps the older pages and their cursors", () => {
    const merged = mergeNewerEntries(loaded, { rows: rows(12, 11, 10), nextCursor: 10 });
    expect(flattenPages(merged).map((r) => r.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5]);
    expect(merged.pageParams).toEqual([null, 8]);
    expect(merged.pages[1]).toBe(loaded.pages[1]);
  });

  it("changes nothing when nothing is new", () => {
    expect(mergeNewerEntries(loaded, { rows: rows(10, 9, 8), nextCursor: 8 })).toBe(loaded);
  });

  it("starts over when everything fetched is new (there may be a gap)", () => {
    const fresh = { rows: rows(30, 29, 28), nextCursor: 28 };
    expect(mergeNewerEntries(loaded, fresh)).toEqual({ pages: [fresh], pageParams: [null] });
  });

  it("takes the fresh page when nothing was loaded", () => {
    const fresh = { rows: rows(2, 1), nextCursor: null };
    expect(mergeNewerEntries(undefined, fresh)).toEqual({ pages: [fresh], pageParams: [null] });
    expect(mergeNewerEntries({ pages: [{ rows: [], nextCursor: null }], pageParams: [null] }, fresh)).toEqual({ pages: [fresh], pageParams: [null] });
  });

  describe("while a search has found nothing yet", () => {
    const at = "2026-03-14T12:00:00.000Z";
    // Searched IDs 500 down to 300 without a match; the search goes on below 300.
    const searching: LogPages<{ id: number }> = {
      pages: [
        { rows: [], nextCursor: 400, scannedTo: at },
        { rows: [], nextCursor: 300, scannedTo: at },
      ],
      pageParams: [null, 400],
    };

    it("puts new entries on top and searches on where it was when the fresh page met what was searched", () => {
      const merged = mergeNewerEntries(searching, { rows: rows(520, 510), nextCursor: 350, scannedTo: at });
      expect(flattenPages(merged).map((r) => r.id)).toEqual([520, 510]);
      expect(merged.pages.map((p) => p.nextCursor)).toEqual([400, 300]);
      expect(merged.pageParams).toEqual([null, 400]);
    });

    it("starts over when the fresh page searched further, or not far enough to meet what was searched", () => {
      const further = { rows: rows(520, 12), nextCursor: 10, scannedTo: at };
      expect(mergeNewerEntries(searching, further)).toEqual({ pages: [further], pageParams: [null] });
      const short = { rows: rows(900), nextCursor: 450, scannedTo: at };
      expect(mergeNewerEntries(searching, short)).toEqual({ pages: [short], pageParams: [null] });
      const all = { rows: rows(520), nextCursor: null, scannedTo: null };
      expect(mergeNewerEntries(searching, all)).toEqual({ pages: [all], pageParams: [null] });
    });

    it("keeps the search when the fresh page found nothing either, unless it searched further", () => {
      expect(mergeNewerEntries(searching, { rows: [], nextCursor: 350, scannedTo: at })).toBe(searching);
      const done = { rows: [], nextCursor: null, scannedTo: null };
      expect(mergeNewerEntries(searching, done)).toEqual({ pages: [done], pageParams: [null] });
      const deeper = { rows: [], nextCursor: 200, scannedTo: at };
      expect(mergeNewerEntries(searching, deeper)).toEqual({ pages: [deeper], pageParams: [null] });
    });

    it("counts the newest entry loaded on any page, not only the first", () => {
      const later: LogPages<{ id: number }> = {
        pages: [
          { rows: [], nextCursor: 400, scannedTo: at },
          { rows: rows(390, 380), nextCursor: 380 },
        ],
        pageParams: [null, 400],
      };
      const merged = mergeNewerEntries(later, { rows: rows(395, 390, 380), nextCursor: 380 });
      expect(flattenPages(merged).map((r) => r.id)).toEqual([395, 390, 380]);
      expect(merged.pages[1]).toBe(later.pages[1]);
    });
  });
});
