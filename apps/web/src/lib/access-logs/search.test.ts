import { accessLogFilterSchema } from "@keyhouse/shared";
import { describe, expect, it } from "vitest";
import { BLANK_VALUES, eachFieldWithEachValue, NON_URL_VALUES, NUMBER_LIKE_VALUES, randomMixes } from "../search-params.fixtures";
import { compact, exportUrl, FILTER_KEYS, fromLocalInput, hasFilters, listInput, parseAccessLogSearch, toLocalInput, type AccessLogSearch } from "./search";

/** What the router hands validateSearch: anything. */
const parse = (raw: unknown) => parseAccessLogSearch(raw as never);

/** The schema's answer in the viewer's terms: without paging and scope, times as ISO strings. */
function viaSchema(input: Record<string, unknown>): AccessLogSearch {
  const parsed = accessLogFilterSchema.parse(input);
  const out: Record<string, unknown> = {};
  for (const k of FILTER_KEYS) {
    const v = parsed[k];
    if (v !== undefined) out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return out as AccessLogSearch;
}

// What a URL can hold once TanStack Router has parsed it (JSON values where they parse,
// strings otherwise), plus values no URL produces, to be sure.
const VALUES: unknown[] = [
  ...BLANK_VALUES,
  "alice",
  "  alice  ",
  "x".repeat(64),
  "x".repeat(65),
  "p".repeat(200),
  ` ${"p".repeat(200)} `,
  "p".repeat(201),
  "/nuget/nuget/v3/index.json",
  "2xx",
  "3xx",
  "4xx",
  "5xx",
  "6xx",
  "4XX",
  "GET",
  "get",
  " Delete ",
  "GET ",
  "G3T",
  "M".repeat(16),
  "M".repeat(17),
  "feeds",
  "native",
  "keys",
  "Feeds",
  "2026-03-14T10:00:00.000Z",
  "2026-03-14",
  "2026-03-14T10:00",
  "2026-02-30T10:00:00Z",
  "yesterday",
  "Mar 14 2026",
  0,
  1,
  7,
  ...NUMBER_LIKE_VALUES,
  1_700_000_000_000,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  ...NON_URL_VALUES,
];

describe("parseAccessLogSearch", () => {
  it("agrees with accessLogFilterSchema on every value of every field", () => {
    for (const [label, input] of eachFieldWithEachValue(FILTER_KEYS, VALUES)) expect(parse(input), label).toEqual(viaSchema(input));
  });

  it("agrees on random combinations, and drops paging, scope and unknown params", () => {
    for (const input of randomMixes(FILTER_KEYS, VALUES, { seed: 7, count: 3000, base: { unknown: "dropped", cursor: 5, limit: 20, scope: "mine" } })) {
      const parsed = parse(input);
      expect(parsed, JSON.stringify(input)).toEqual(viaSchema(input));
      expect(Object.keys(parsed).every((k) => (FILTER_KEYS as readonly string[]).includes(k))).toBe(true);
    }
  });

  it("leaves no undefined fields behind, so URLs and query keys stay clean", () => {
    expect(parse({})).toEqual({});
    expect(Object.keys(parse({ user: " ", statusClass: "4xx" }))).toEqual(["statusClass"]);
  });

  it("normalises what it keeps", () => {
    expect(parse({ key: "12", user: " alice ", method: "get", path: " /nuget/ ", from: "2026-03-14T10:00:00Z" })).toEqual({
      key: 12,
      user: "alice",
      method: "GET",
      path: "/nuget/",
      from: "2026-03-14T10:00:00.000Z",
    });
  });

  it("is what the BFF reads back from the same filters", () => {
    const search = parse({
      key: 3,
      user: "alice",
      statusClass: "4xx",
      method: "PUT",
      path: "Contoso",
      surface: "feeds",
      from: "2026-03-01T00:00:00Z",
      to: "2026-03-14T23:59:59.999Z",
    });
    const input = listInput(search, "admin");
    const parsed = accessLogFilterSchema.parse(input);
    expect(parsed).toMatchObject({ key: 3, user: "alice", statusClass: "4xx", method: "PUT", path: "Contoso", surface: "feeds", scope: "all", limit: 100 });
    expect(parsed.from?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(parsed.to?.toISOString()).toBe("2026-03-14T23:59:59.999Z");
  });
});

describe("compact and hasFilters", () => {
  it("drops undefined fields", () => {
    expect(compact({ key: undefined, user: "bob", path: undefined })).toEqual({ user: "bob" });
  });
  it("says whether anything is filtered", () => {
    expect(hasFilters({})).toBe(false);
    expect(hasFilters(parse({ user: "   ", key: 0 }))).toBe(false);
    expect(hasFilters({ statusClass: "5xx" })).toBe(true);
    expect(hasFilters({ from: "2026-03-14T10:00:00.000Z" })).toBe(true);
  });
});

describe("listInput", () => {
  it("asks for every entry on the admin page and the viewer's own keys' entries on the account page", () => {
    expect(listInput({ statusClass: "2xx" }, "admin")).toEqual({ statusClass: "2xx", scope: "all" });
    expect(listInput({ statusClass: "2xx" }, "account")).toEqual({ statusClass: "2xx", scope: "mine" });
  });
});

describe("exportUrl", () => {
  it("points at the streamed exports, without a query when nothing is filtered", () => {
    expect(exportUrl("csv", {}, "admin")).toBe("/exports/access-logs.csv");
    expect(exportUrl("ndjson", {}, "admin")).toBe("/exports/access-logs.ndjson");
  });

  it("carries the current filters, encoded", () => {
    const url = exportUrl(
      "csv",
      { key: 4, user: "alice", statusClass: "4xx", method: "GET", path: "/nuget/a b&c=d", surface: "feeds", from: "2026-03-14T10:00:00.000Z" },
      "admin",
    );
    const parsed = new URL(url, "http://localhost");
    expect(parsed.pathname).toBe("/exports/access-logs.csv");
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      key: "4",
      user: "alice",
      statusClass: "4xx",
      method: "GET",
      path: "/nuget/a b&c=d",
      surface: "feeds",
      from: "2026-03-14T10:00:00.000Z",
    });
  });

  it("limits the account page's export to the viewer's own keys", () => {
    expect(exportUrl("ndjson", { statusClass: "5xx" }, "account")).toBe("/exports/access-logs.ndjson?statusClass=5xx&scope=mine");
  });

  it("gives the BFF's schema the same filters back", () => {
    const search: AccessLogSearch = { key: 9, user: "bob", method: "DELETE", path: "x%_y", to: "2026-03-14T10:00:59.999Z" };
    const query = Object.fromEntries(new URL(exportUrl("csv", search, "account"), "http://localhost").searchParams);
    expect(viaSchema(query)).toEqual(search);
    expect(accessLogFilterSchema.parse(query).scope).toBe("mine");
  });
});

describe("datetime-local values", () => {
  it("reads a local date and time as the start or the end of that minute", () => {
    expect(fromLocalInput("2026-03-14T10:05", "from")).toBe(new Date(2026, 2, 14, 10, 5, 0, 0).toISOString());
    expect(fromLocalInput("2026-03-14T10:05", "to")).toBe(new Date(2026, 2, 14, 10, 5, 59, 999).toISOString());
  });

  it("treats empty and impossible values as no filter", () => {
    expect(fromLocalInput("", "from")).toBeUndefined();
    expect(fromLocalInput("2026-03-14", "from")).toBeUndefined();
    expect(fromLocalInput("2026-02-30T10:00", "to")).toBeUndefined();
    expect(fromLocalInput("nonsense", "to")).toBeUndefined();
  });

  it("shows an instant in local time, to the minute, and round-trips", () => {
    const iso = new Date(2026, 2, 14, 9, 7, 30).toISOString();
    expect(toLocalInput(iso)).toBe("2026-03-14T09:07");
    expect(toLocalInput(undefined)).toBe("");
    expect(toLocalInput("not a date")).toBe("");
    const to = fromLocalInput("2026-12-31T23:59", "to")!;
    expect(toLocalInput(to)).toBe("2026-12-31T23:59");
  });
});
