// The key lifecycle's guarantees that need more than one request to see: a change and
// its audit event and notice commit together or not at all, concurrent changes do not
// double up, and statuses follow the clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createFeed, createLegacyKey, createPackage, createUser } from "../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { callerFor, TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import type { Caller } from "../auth/caller.ts";
import { createScopedKey, revokeAllLegacyKeys, revokeKey } from "./lifecycle.ts";
import { reachableKeys } from "./reach.ts";
import { hashKeyValue } from "./secrets.ts";
import { outcome } from "../test/outcome.ts";

const DAY = 24 * 60 * 60 * 1000;
type UserRow = Awaited<ReturnType<typeof createUser>>;

let t: TestDatabase;
let alice: UserRow;

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  const feed = await createFeed(t.db, { name: "nuget", type: "nuget" });
  await createPackage(t.db, { feedId: feed.id, name: "Contoso.Core", ownerIds: [alice.id] });
});
afterAll(() => t.drop());

const viewerOf = (u: UserRow): Caller => ({ id: u.id, username: u.username, ip: "192.0.2.1", isAdmin: u.role === "admin" });

const counts = async () => ({ keys: await t.db.apiKey.count(), audit: await t.db.auditEvent.count(), notices: await t.db.notification.count() });

/** Makes every insert into `table` fail inside the database, for the length of `body`. */
async function whileInsertsFail(table: "Notification" | "AuditEvent", body: () => Promise<void>) {
  const name = `fail_${table.toLowerCase()}`;
  if (testProvider === "postgres") {
    await t.db.$executeRawUnsafe(`CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
    await t.db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  } else {
    await t.db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE INSERT ON "${table}" BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
  }
  try {
    await body();
  } finally {
    await t.db.$executeRawUnsafe(`DROP TRIGGER ${name}${testProvider === "postgres" ? ` ON "${table}"` : ""}`);
    if (testProvider === "postgres") await t.db.$executeRawUnsafe(`DROP FUNCTION ${name}()`);
  }
}

describe("a change and its audit event and notice commit together", () => {
  it("when the notice cannot be written, no key is created, regenerated, revoked or deleted", async () => {
    const c = callerFor(t.db, alice);
    const existing = await c.keys.create({ name: "atomic", scopes: ["push"], glob: "*" });
    const legacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: alice.id, name: "atomic legacy" });
    const rowsBefore = await t.db.apiKey.findMany({ orderBy: { id: "asc" } });
    const start = await counts();

    await whileInsertsFail("Notification", async () => {
      expect(await outcome(c.keys.create({ name: "never made", scopes: ["push"], glob: "*" }))).toMatch(/^INTERNAL_SERVER_ERROR: /);
      expect(await outcome(c.keys.regenerate({ id: existing.key.id }))).toMatch(/^INTERNAL_SERVER_ERROR: /);
      expect(await outcome(c.keys.revoke({ id: existing.key.id }))).toMatch(/^INTERNAL_SERVER_ERROR: /);
      expect(await outcome(c.keys.delete({ id: existing.key.id }))).toMatch(/^INTERNAL_SERVER_ERROR: /);
      expect(await outcome(c.keys.revokeAllLegacy())).toMatch(/^INTERNAL_SERVER_ERROR: /);
    });

    expect(await t.db.apiKey.findMany({ orderBy: { id: "asc" } })).toEqual(rowsBefore);
    expect(await counts()).toEqual(start);
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: existing.key.id } })).secretHash).toBe(hashKeyValue(existing.value, TEST_SECRET));
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: legacy.key.id } })).revokedAt).toBeNull();

    // And once the outbox works again, so does everything.
    expect(await outcome(c.keys.revoke({ id: existing.key.id }))).toBe("OK");
    expect(await outcome(c.keys.revokeAllLegacy())).toBe("OK");
  });

  it("when the audit event cannot be written, packages are not changed", async () => {
    const c = callerFor(t.db, alice);
    const made = await c.keys.create({ name: "atomic edit", scopes: ["push"], glob: "*" });
    const before = await t.db.apiKey.findUniqueOrThrow({ where: { id: made.key.id } });
    await whileInsertsFail("AuditEvent", async () => {
      expect(await outcome(c.keys.updatePackages({ id: made.key.id, packages: ["Contoso.Core"] }))).toMatch(/^INTERNAL_SERVER_ERROR: /);
      expect(await outcome(c.keys.create({ name: "never made either", scopes: ["push"], glob: "*" }))).toMatch(/^INTERNAL_SERVER_ERROR: /);
    });
    expect(await t.db.apiKey.findUniqueOrThrow({ where: { id: made.key.id } })).toEqual(before);
    expect(await t.db.apiKey.findFirst({ where: { name: "never made either" } })).toBeNull();
  });
});

describe("concurrent changes", () => {
  it("two revocations of one key: one wins, the other is told it is already revoked, one event", async () => {
    const { key } = await createScopedKey({ db: t.db, secret: TEST_SECRET }, viewerOf(alice), {
      name: "race revoke",
      scopes: ["push"],
      packages: [],
      glob: "*",
      expiresInDays: 30,
    });
    const results = await Promise.allSettled([revokeKey(t.db, viewerOf(alice), key.id, "a"), revokeKey(t.db, viewerOf(alice), key.id, "b")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: "CONFLICT", message: "This key is already revoked." });
    expect(await t.db.auditEvent.count({ where: { keyId: key.id, action: "key.revoked" } })).toBe(1);
    expect(await t.db.notification.count({ where: { keyId: key.id, kind: "key.revoked" } })).toBe(1);
  });

  it("two keys with one name at once: one is created, the other is a conflict", async () => {
    const c = callerFor(t.db, alice);
    const input = { name: "race create", scopes: ["push" as const], glob: "*" };
    const results = await Promise.all([outcome(c.keys.create(input)), outcome(c.keys.create(input))]);
    expect(results.sort()).toEqual(['CONFLICT: You already have a key named "race create". Choose another name.', "OK"]);
    expect(await t.db.apiKey.count({ where: { ownerId: alice.id, name: "race create" } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { keyName: "race create" } })).toBe(1);
    expect(await t.db.notification.count({ where: { subject: 'New API key "race create" created' } })).toBe(1);
  });
});

describe("statuses follow the clock", () => {
  it("a 30-day key is Active, then Expires in N days, then Expired", async () => {
    const u = await createUser(t.db, { username: "clock", password: TEST_PASSWORD });
    const created = new Date("2030-01-01T12:00:00Z");
    await createScopedKey(
      { db: t.db, secret: TEST_SECRET },
      viewerOf(u),
      { name: "thirty", scopes: ["push"], packages: [], glob: "*", expiresInDays: 30 },
      created,
    );
    const at = async (ms: number) => (await reachableKeys(t.db, viewerOf(u), new Date(created.getTime() + ms)))[0]!.status;
    expect(await at(0)).toEqual({ state: "active", label: "Active", daysLeft: 30 });
    expect(await at(19 * DAY)).toEqual({ state: "active", label: "Active", daysLeft: 11 });
    expect(await at(20 * DAY)).toEqual({ state: "expiring", label: "Expires in 10 days", daysLeft: 10 });
    expect(await at(29 * DAY)).toEqual({ state: "expiring", label: "Expires in 1 day", daysLeft: 1 });
    expect(await at(30 * DAY - 1)).toEqual({ state: "expiring", label: "Expires in 1 day", daysLeft: 1 });
    expect(await at(30 * DAY)).toEqual({ state: "expired", label: "Expired", daysLeft: 0 });
    expect(await at(400 * DAY)).toEqual({ state: "expired", label: "Expired", daysLeft: 0 });
  });
});

describe("a viewer without a user (the API key user)", () => {
  const noUser = (over: Partial<Caller> = {}): Caller => ({
    id: null,
    username: 'API key user (key "ops")',
    ip: "192.0.2.9",
    isAdmin: true,
    allKeys: true,
    ...over,
  });

  it("reaches every key, and is recorded with no actor id", async () => {
    const { key } = await createApiKey(t.db, TEST_SECRET, { kind: "system", name: "ownerless", ownerId: null });
    const revoked = await revokeKey(t.db, noUser(), key.id, "rotated");
    expect(revoked.status.label).toBe("Revoked");
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.revokedById).toBeNull();
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { keyId: key.id, action: "key.revoked" } });
    expect(event).toMatchObject({ actorId: null, actorName: 'API key user (key "ops")' });
  });

  it("without every-key reach, owns nothing: its null never matches an ownerless key", async () => {
    const { key } = await createApiKey(t.db, TEST_SECRET, { kind: "system", name: "ownerless too", ownerId: null });
    expect(await outcome(revokeKey(t.db, noUser({ isAdmin: false, allKeys: false }), key.id, undefined))).toBe(
      `NOT_FOUND: No API key with ID ${key.id} was found.`,
    );
    expect(await revokeAllLegacyKeys(t.db, noUser())).toBe(0);
    const made = createScopedKey({ db: t.db, secret: TEST_SECRET }, noUser(), {
      name: "nobody's",
      scopes: ["push"],
      packages: [],
      glob: "*",
      expiresInDays: 30,
    });
    expect(await outcome(made)).toBe(
      "BAD_REQUEST: The API key user (a system key with no user) owns no packages and cannot own a scoped key. Use a key that acts as a user.",
    );
  });
});
