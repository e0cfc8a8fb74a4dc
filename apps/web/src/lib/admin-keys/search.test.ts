import { adminKeyListInputSchema } from "@keyhouse/shared";
import { describe, expect, it } from "vitest";
import { hasFilters, parseAdminKeySearch } from "./search";

/** What the router hands validateSearch: anything. */
const parse = (raw: unknown) => parseAdminKeySearch(raw as never);

// What a URL can hold once TanStack Router has parsed it (JSON values where they parse,
// strings otherwise), plus values no URL produces, to be sure.
const VALUES: unknown[] = [
  undefined,
  null,
  "",
  " ",
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
  -1,
  2.5,
  "3",
  " 7 ",
  "2.0",
  "1e2",
  "0x10",
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  [],
  ["2"],
  ["a", "b"],
  {},
  { a: 1 },
];
const FIELDS = ["kind", "owner", "user", "api", "status", "feed", "text", "sort", "dir", "page", "pageSize"] as const;

describe("parseAdminKeySearch", () => {
  it("agrees with adminKeyListInputSchema on every value of every field", () => {
    for (const field of FIELDS) {
      for (const value of VALUES) {
        const input = { [field]: value };
        expect(parse(input), `${field}=${JSON.stringify(value)}`).toEqual(adminKeyListInputSchema.parse(input));
      }
    }
  });

  it("agrees on random combinations, and drops unknown params", () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 3000; i++) {
      const input: Record<string, unknown> = { unknown: "dropped", key: 5 };
      for (const field of FIELDS) if (next() % 2) input[field] = VALUES[next() % VALUES.length];
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
