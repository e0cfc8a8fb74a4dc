import { randomUUID } from "node:crypto";
import { DAY_MS } from "@keyhouse/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db/client.ts";
import { createUser } from "../db/factories.ts";
import type { Caller } from "../auth/caller.ts";
import { createScopedKey, regenerateKey, revokeKey } from "../keys/lifecycle.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { sendExpiryNotices, stageFor } from "./expiry-notices.ts";

const T0 = new Date("2030-01-01T00:00:00Z");
const HOUR_MS = 3600_000;
const at = (days: number, hours = 0) => new Date(T0.getTime() + days * DAY_MS + hours * HOUR_MS);

let t: TestDatabase;
let alice: Caller & { email: string };

beforeAll(async () => {
  t = await createTestDatabase();
  const user = await createUser(t.db, { username: "alice", password: TEST_PASSWORD, email: "alice@example.com" });
  alice = { id: user.id, username: user.username, email: user.email, ip: "203.0.113.7", isAdmin: false };
});
beforeEach(async () => {
  await t.db.notification.deleteMany();
  await t.db.auditEvent.deleteMany();
  await t.db.apiKey.deleteMany();
});
afterAll(() => t.drop());

function createKey(name: string, expiresInDays: 1 | 30 = 30, now = T0) {
  return createScopedKey({ db: t.db, secret: TEST_SECRET }, alice, { name, expiresInDays, scopes: ["push"], packages: [], glob: "Contoso.*" }, now);
}

/** A key row made directly, for kinds and owners the wizard does not make. */
function insertKey(data: { name: string; kind?: string; ownerId?: number | null; expiresAt: Date | null }) {
  return t.db.apiKey.create({
    data: {
      kind: data.kind ?? "system",
      name: data.name,
      ownerId: data.ownerId === undefined ? alice.id : data.ownerId,
      scopes: JSON.stringify(["push", "update", "unlist"]),
      globs: JSON.stringify(["*"]),
      expiresAt: data.expiresAt,
      secretHash: randomUUID(),
      hint: "kh_abcd…wxyz",
    },
  });
}

function noticesOf(db: Db, keyId?: number) {
  return db.notification.findMany({ where: { kind: { in: ["key.expiring", "key.expired"] }, ...(keyId ? { keyId } : {}) }, orderBy: { id: "asc" } });
}

async function subjectsOf(keyId: number): Promise<string[]> {
  return (await noticesOf(t.db, keyId)).map((n) => n.subject);
}

describe("sendExpiryNotices", () => {
  it("sends the 10-day, 1-day and expired notices once each, however often it runs", async () => {
    const { key, value } = await createKey("ci-push");
    const runs: [Date, number][] = [
      [at(0), 0],
      [at(19, 23), 0],
      [at(20), 1],
      [at(20), 0],
      [at(20, 1), 0],
      [at(25), 0],
      [at(29), 1],
      [at(29, 12), 0],
      [at(30), 1],
      [at(30, 1), 0],
      [at(60), 0],
    ];
    for (const [now, expected] of runs) expect(await sendExpiryNotices(t.db, now), now.toISOString()).toBe(expected);

    expect(await subjectsOf(key.id)).toEqual(['API key "ci-push" expires in 10 days', 'API key "ci-push" expires in 1 day', 'API key "ci-push" has expired']);
    const notices = await noticesOf(t.db, key.id);
    for (const n of notices) {
      expect(n).toMatchObject({ toAddress: "alice@example.com", userId: alice.id, status: "pending" });
      expect(n.body).toContain("Name: ci-push");
      expect(n.body).toContain(key.hint);
      expect(n.body).not.toContain(value);
    }
    const audits = await t.db.auditEvent.findMany({ where: { action: "key.expiry-notice" }, orderBy: { id: "asc" } });
    expect(audits.map((a) => ({ actorId: a.actorId, actorName: a.actorName, ip: a.ip, keyId: a.keyId, notice: JSON.parse(a.details).notice }))).toEqual(
      ["expiring-10", "expiring-1", "expired"].map((notice) => ({ actorId: null, actorName: "Keyhouse", ip: null, keyId: key.id, notice })),
    );
    for (const a of audits) expect(a.details).not.toContain(value);
  });

  it("a key first seen inside the 10 days is told its whole days left", async () => {
    const key = await insertKey({ name: "deploy", expiresAt: at(5, 3) });
    expect(await sendExpiryNotices(t.db, at(0))).toBe(1);
    expect(await sendExpiryNotices(t.db, at(1))).toBe(0);
    expect(await sendExpiryNotices(t.db, at(4, 12))).toBe(1);
    expect(await subjectsOf(key.id)).toEqual(['API key "deploy" expires in 6 days', 'API key "deploy" expires in 1 day']);
  });

  it("a key already expired when first seen gets only the expired notice", async () => {
    const key = await insertKey({ name: "old", expiresAt: at(-3) });
    expect(await sendExpiryNotices(t.db, at(0))).toBe(1);
    expect(await sendExpiryNotices(t.db, at(1))).toBe(0);
    expect(await subjectsOf(key.id)).toEqual(['API key "old" has expired']);
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.notifiedExpiring10At).toEqual(at(0));
    expect(row.notifiedExpiring1At).toEqual(at(0));
    expect(row.notifiedExpiredAt).toEqual(at(0));
  });

  it("a key first seen within a day skips the 10-day notice", async () => {
    const { key } = await createKey("one-day", 1);
    expect(await sendExpiryNotices(t.db, at(0, 1))).toBe(1);
    expect(await sendExpiryNotices(t.db, at(1))).toBe(1);
    expect(await sendExpiryNotices(t.db, at(2))).toBe(0);
    expect(await subjectsOf(key.id)).toEqual(['API key "one-day" expires in 1 day', 'API key "one-day" has expired']);
  });

  it("sends nothing for revoked keys, keys without an owner, legacy keys or keys that never expire", async () => {
    const { key: revoked } = await createKey("revoked");
    await revokeKey(t.db, alice, revoked.id, "leaked", at(1));
    await insertKey({ name: "ownerless", ownerId: null, expiresAt: at(5) });
    await insertKey({ name: "legacy", kind: "legacy", expiresAt: at(5) });
    await insertKey({ name: "forever", expiresAt: null });
    const system = await insertKey({ name: "owned system key", expiresAt: at(5) });

    for (const days of [0, 4.5, 20, 29.5, 31, 400]) await sendExpiryNotices(t.db, at(days));

    const notices = await noticesOf(t.db);
    expect(new Set(notices.map((n) => n.keyId))).toEqual(new Set([system.id]));
    expect(notices.map((n) => n.subject)).toEqual([
      'API key "owned system key" expires in 5 days',
      'API key "owned system key" expires in 1 day',
      'API key "owned system key" has expired',
    ]);
  });

  it("regenerating a key makes its notices due again for the new expiry", async () => {
    const { key } = await createKey("renewed");
    await sendExpiryNotices(t.db, at(20));
    await sendExpiryNotices(t.db, at(30));
    expect(await subjectsOf(key.id)).toHaveLength(2);

    await regenerateKey({ db: t.db, secret: TEST_SECRET }, alice, key.id, at(31));
    expect(await sendExpiryNotices(t.db, at(31))).toBe(0);
    expect(await sendExpiryNotices(t.db, at(51))).toBe(1);
    expect(await sendExpiryNotices(t.db, at(60, 1))).toBe(1);
    expect(await sendExpiryNotices(t.db, at(61))).toBe(1);
    expect(await subjectsOf(key.id)).toEqual([
      'API key "renewed" expires in 10 days',
      'API key "renewed" has expired',
      'API key "renewed" expires in 10 days',
      'API key "renewed" expires in 1 day',
      'API key "renewed" has expired',
    ]);
  });

  it("two instances running at once queue each notice once", async () => {
    const keys = await Promise.all(["a", "b", "c", "d"].map((n, i) => insertKey({ name: n, expiresAt: at(i * 3 - 1) })));
    // Separate clients on PostgreSQL, as separate servers; SQLite's synchronous driver
    // cannot share one process between two clients, so there the runs share one.
    const other = testProvider === "postgres" ? createDb(t.url) : t.db;
    try {
      const counts = await Promise.all([sendExpiryNotices(t.db, at(0)), sendExpiryNotices(other, at(0)), sendExpiryNotices(t.db, at(0))]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(keys.length);
      expect((await noticesOf(t.db)).map((n) => n.keyId).sort()).toEqual(keys.map((k) => k.id).sort());
      expect(await t.db.auditEvent.count({ where: { action: "key.expiry-notice" } })).toBe(keys.length);
    } finally {
      if (other !== t.db) await other.$disconnect();
    }
  });
});

describe("stageFor", () => {
  const none = { notifiedExpiring10At: null, notifiedExpiring1At: null, notifiedExpiredAt: null };
  it("picks the latest notice due and nothing outside the 10 days", () => {
    expect(stageFor({ ...none, expiresAt: null }, T0)).toBeNull();
    expect(stageFor({ ...none, expiresAt: at(10, 1) }, T0)).toBeNull();
    expect(stageFor({ ...none, expiresAt: at(10) }, T0)?.notice).toBe("expiring-10");
    expect(stageFor({ ...none, expiresAt: at(1) }, T0)?.notice).toBe("expiring-1");
    expect(stageFor({ ...none, expiresAt: T0 }, T0)?.notice).toBe("expired");
    expect(stageFor({ ...none, notifiedExpiring1At: T0, expiresAt: at(0, 2) }, T0)).toBeNull();
  });
});
