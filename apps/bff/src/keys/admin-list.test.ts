// The admin key grid's query (listAllKeys) at a fixed moment: every status class at its
// edges agrees with the status the row shows, and the text search takes the typed text
// as text. Real migrated database (SQLite, or PostgreSQL with KEYHOUSE_TEST_DB=postgres).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKeyListInputSchema, KEY_STATES, type AdminKeyListInput } from "@keyhouse/shared";
import { createApiKey, createUser } from "../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { listAllKeys } from "./admin-list.ts";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2030-06-15T12:00:00.000Z");
const at = (ms: number) => new Date(NOW.getTime() + ms);

let t: TestDatabase;
const K: Record<string, number> = {};

const list = (input: Partial<AdminKeyListInput> & Record<string, unknown> = {}) =>
  listAllKeys(t.db, adminKeyListInputSchema.parse({ pageSize: 100, ...input }), testProvider, NOW);
const names = async (input: Partial<AdminKeyListInput> & Record<string, unknown> = {}) => {
  const ids = (await list(input)).rows.map((r) => r.id);
  return Object.entries(K)
    .filter(([, id]) => ids.includes(id))
    .map(([name]) => name)
    .sort();
};

beforeAll(async () => {
  t = await createTestDatabase();
  const owner = await createUser(t.db, { username: "owner", password: TEST_PASSWORD });
  const make = async (name: string, o: Parameters<typeof createApiKey>[2]) => {
    K[name] = (await createApiKey(t.db, TEST_SECRET, { ownerId: o.kind === "system" ? null : owner.id, ...o, name })).key.id;
  };
  await make("expires-now", { kind: "scoped", expiresAt: NOW });
  await make("expired-1ms-ago", { kind: "scoped", expiresAt: at(-1) });
  await make("expires-in-1ms", { kind: "scoped", expiresAt: at(1) });
  await make("expires-in-10d", { kind: "scoped", expiresAt: at(10 * DAY) });
  await make("expires-in-10d-1ms", { kind: "scoped", expiresAt: at(10 * DAY + 1) });
  await make("system-never", { kind: "system", expiresAt: null });
  await make("system-in-2d", { kind: "system", expiresAt: at(2 * DAY) });
  await make("system-expired", { kind: "system", expiresAt: at(-DAY) });
  await make("legacy", { kind: "legacy", expiresAt: null });
  await make("legacy-in-5d", { kind: "legacy", expiresAt: at(5 * DAY) });
  await make("legacy-expired", { kind: "legacy", expiresAt: at(-DAY) });
  await make("revoked-future", { kind: "scoped", expiresAt: at(100 * DAY), revokedAt: at(-DAY) });
  await make("revoked-expired", { kind: "scoped", expiresAt: at(-DAY), revokedAt: at(-2 * DAY) });
  await make("revoked-legacy", { kind: "legacy", expiresAt: null, revokedAt: at(-DAY) });
  await make("revoked-system", { kind: "system", expiresAt: null, revokedAt: at(-DAY) });
});
afterAll(() => t.drop());

describe("status classes at a fixed moment", () => {
  it("puts each key in exactly the class its status shows, edges included", async () => {
    expect(await names({ status: "expired" })).toEqual(["expired-1ms-ago", "expires-now", "legacy-expired", "system-expired"]);
    expect(await names({ status: "expiring" })).toEqual(["expires-in-10d", "expires-in-1ms", "system-in-2d"]);
    expect(await names({ status: "active" })).toEqual(["expires-in-10d-1ms", "system-never"]);
    // A live legacy key is "Full access (legacy)" even with an expiry near; once expired it is Expired.
    expect(await names({ status: "legacy" })).toEqual(["legacy", "legacy-in-5d"]);
    expect(await names({ status: "revoked" })).toEqual(["revoked-expired", "revoked-future", "revoked-legacy", "revoked-system"]);
  });

  it("partitions every key: each is in one class, and every row shows the class it was filtered by", async () => {
    const all = (await list()).rows;
    expect(all).toHaveLength(Object.keys(K).length);
    const seen = new Map<number, string>();
    for (const state of KEY_STATES) {
      const out = await list({ status: state });
      expect(out.total).toBe(out.rows.length);
      for (const row of out.rows) {
        expect(row.status.state, row.name).toBe(state);
        expect(seen.has(row.id), row.name).toBe(false);
        seen.set(row.id, state);
      }
    }
    expect(seen.size).toBe(all.length);
    for (const row of all) expect(seen.get(row.id), row.name).toBe(row.status.state);
  });

  it("shows the labels of that moment", async () => {
    const labels = Object.fromEntries((await list()).rows.map((r) => [r.name, r.status.label]));
    expect(labels).toMatchObject({
      "expires-now": "Expired",
      "expires-in-1ms": "Expires in 1 day",
      "expires-in-10d": "Expires in 10 days",
      "expires-in-10d-1ms": "Active",
      "legacy-in-5d": "Full access (legacy)",
      "legacy-expired": "Expired",
      "revoked-expired": "Revoked",
    });
  });

  it("status combines with kind", async () => {
    expect(await names({ status: "expired", kind: "system" })).toEqual(["system-expired"]);
    expect(await names({ status: "revoked", kind: "legacy" })).toEqual(["revoked-legacy"]);
    expect(await names({ status: "expiring", kind: "legacy" })).toEqual([]);
  });
});

describe("text search", () => {
  beforeAll(async () => {
    for (const name of ["100% coverage", "100 percent", "snake_case key", "snakeXcase key", "Ünïcode Name"]) {
      K[name] = (await createApiKey(t.db, TEST_SECRET, { kind: "system", name, expiresAt: null })).key.id;
    }
  });

  it("ignores ASCII case", async () => {
    expect(await names({ text: "SNAKE_CASE KEY" })).toContain("snake_case key");
    expect(await names({ text: "Expires-In-10D-1MS" })).toEqual(["expires-in-10d-1ms"]);
  });

  it("matches a typed % or _ literally on PostgreSQL, and never misses a literal match on SQLite", async () => {
    const percent = await names({ text: "100%" });
    const underscore = await names({ text: "e_c" });
    expect(percent).toContain("100% coverage");
    expect(underscore).toContain("snake_case key");
    if (testProvider === "postgres") {
      expect(percent).toEqual(["100% coverage"]);
      expect(underscore).toEqual(["snake_case key"]);
      expect(await names({ text: "\\" })).toEqual([]);
    }
  });

  it("finds nothing for text no key has", async () => {
    expect((await list({ text: "zzz-nothing-like-this" })).total).toBe(0);
  });
});
