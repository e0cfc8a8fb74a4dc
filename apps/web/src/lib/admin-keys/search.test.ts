import { adminKeyListInputSchema } from "@keyhouse/shared";
import { describe, expect, it } from "vitest";
import { BLANK_VALUES, eachFieldWithEachValue, NON_URL_VALUES, NUMBER_LIKE_VALUES, randomMixes } from "../search-params.fixtures";
import { hasFilters, parseAdminKeySearch } from "./search";

/** What the router hands validateSearch: anything. */
const parse = (raw: unknown) => parseAdminKeySearch(raw as never);

// What a URL can hold once TanStack Router has parsed it (JSON values where they parse,
// strings otherwise), plus values no URL produces, to be sure.
const VALUES: unknown[] = [
  ...BLANK_VALUES,
  "  alice  ",
  "alice",
  "Alice",
  "x".repeat(64),
  ` ${"x".repeat(64)} `,
  "x".repeat(65),
  "y".repeat(100),
  "y".repeat(101),
  "z".repeat(200),
  "z".repeat(201),
  "scoped",
  "system",
  "legacy",
  "SYSTEM",
  "feeds",
  "native",
  "keys",
  "active",
  "expiring",
  "expired",
  "revoked",
  "created",
  "name",
  "expires",
  "lastUsed",
  "asc",
  "desc",
  0,
  1,
  2,
  4,
  5,
  25,
  100,
  101,
  100_000,
  100_001,
  ...NUMBER_LIKE_VALUES,
  ...NON_URL_VALUES,
];
const FIELDS = ["kind", "owner", "user", "api", "status", "feed", "text", "sort", "dir", "page", "pageSize"] as const;

describe("parseAdminKeySearch", () => {
  it("agrees with adminKeyListInputSchema on every value of every field", () => {
    for (const [label, input] of eachFieldWithEachValue(FIELDS, VALUES)) expect(parse(input), label).toEqual(adminKeyListInputSchema.parse(input));
  });

  it("agrees on random combinations, and drops unknown params", () => {
    for (const input of randomMixes(FIELDS, VALUES, { seed: 42, count: 3000, base: { unknown: "dropped", key: 5 } })) {
      expect(parse(input), JSON.stringify(input)).toEqual(adminKeyListInputSchema.parse(input));
    }
  });

  it("fills in the defaults", () => {
    expect(parse({})).toEqual({ sort: "created", dir: "desc", page: 1, pageSize: 25 });
  });
});

describe("hasFilters", () => {
  it("is about filters, not sorting or paging, and ignores blanks", () => {
    expect(hasFilters(parse({ sort: "name", page: 3 }))).toBe(false);
    expect(hasFilters(parse({ text: "   " }))).toBe(false);
    expect(hasFilters(parse({ feed: "nuget" }))).toBe(true);
    expect(hasFilters(parse({ status: "revoked" }))).toBe(true);
  });
});
