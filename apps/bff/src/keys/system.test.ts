// System keys through the domain functions, at a fixed moment: expiry edges, derived
// names, expiry notices re-armed by a new expiry, concurrent custom values, and a change
// that commits with its audit event or not at all. Real migrated database (SQLite, or
// PostgreSQL with KEYHOUSE_TEST_DB=postgres).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSystemKeyInputSchema, keyHint, updateSystemKeyInputSchema, type CreateSystemKeyInput, type UpdateSystemKeyInput } from "@keyhouse/shared";
import { createUser } from "../db/factories.ts";
import { AppError } from "../errors.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import type { Caller } from "../auth/caller.ts";
import { hashKeyValue } from "./secrets.ts";
import { createSystemKey, updateSystemKey } from "./system.ts";
import { outcome } from "../test/outcome.ts";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2030-06-15T12:00:00.000Z");
const at = (ms: number) => new Date(NOW.getTime() + ms);

let t: TestDatabase;
let viewer: Caller;

beforeAll(async () => {
  t = await createTestDatabase();
  const root = await createUser(t.db, { username: "root", password: TEST_PASSWORD, role: "admin" });
  viewer = { id: root.id, username: "root", ip: "192.0.2.9", isAdmin: true, allKeys: true };
});
afterAll(() => t.drop());

const deps = () => ({ db: t.db, secret: TEST_SECRET });
const create = (input: Partial<CreateSystemKeyInput>, now = NOW) =>
  createSystemKey(deps(), viewer, createSystemKeyInputSchema.parse({ apis: ["feeds"], ...input }), now);
const update = (input: Partial<UpdateSystemKeyInput> & { id: number }, now = NOW) =>
  updateSystemKey(deps(), viewer, updateSystemKeyInputSchema.parse({ apis: ["feeds"], ...input }), now);

const counts = async () => ({ keys: await t.db.apiKey.count(), audit: await t.db.auditEvent.count(), notices: await t.db.notification.count() });

describe("expiry", () => {
  it("must be after the moment of the change; statuses are of that moment", async () => {
    const start = await counts();
    expect(await outcome(create({ expiresAt: NOW }))).toBe("BAD_REQUEST: The expiry must be in the future.");
    expect(await outcome(create({ expiresAt: at(-1) }))).toBe("BAD_REQUEST: The expiry must be in the future.");
    expect(await counts()).toEqual(start);

    const soon = await create({ expiresAt: at(1) });
    expect(soon.key).toMatchObject({ expiresAt: at(1), createdAt: NOW, status: { state: "expiring", label: "Expires in 1 day", daysLeft: 1 } });
    const later = await create({ expiresAt: at(10 * DAY + 1) });
    expect(later.key.status).toEqual({ state: "active", label: "Active", daysLeft: 11 });
    const never = await create({ expiresAt: null });
    expect(never.key.status).toEqual({ state: "active", label: "Active", daysLeft: null });
  });

  it("a new expiry re-arms the expiry notices; an unchanged one leaves them", async () => {
    const made = await create({ description: "Notices", expiresAt: at(5 * DAY) });
    const sent = { notifiedExpiring10At: NOW, notifiedExpiring1At: null, notifiedExpiredAt: null };
    await t.db.apiKey.update({ where: { id: made.key.id }, data: sent });

    await update({ id: made.key.id, description: "Notices", expiresAt: at(5 * DAY), logRequestBody: true });
    expect(await t.db.apiKey.findUnique({ where: { id: made.key.id }, select: { notifiedExpiring10At: true } })).toEqual({ notifiedExpiring10At: NOW });

    await update({ id: made.key.id, description: "Notices", expiresAt: at(300 * DAY) });
    expect(await t.db.apiKey.findUnique({ where: { id: made.key.id }, select: { notifiedExpiring10At: true, expiresAt: true } })).toEqual({
      notifiedExpiring10At: null,
      expiresAt: at(300 * DAY),
    });
  });
});

describe("names", () => {
  it("come from the description (at most 64 characters), else from the hint, and follow them until set by hand", async () => {
    const long = `${"Mirror of the public npm registry for CI".padEnd(63, ".")} and more words`;
    const made = await create({ description: long });
    expect(made.key.name).toBe(long.slice(0, 64).trimEnd());
    expect(made.key.name.length).toBeLessThanOrEqual(64);
    expect(made.key.description).toBe(long);

    const renamed = await update({ id: made.key.id, description: "Short" });
    expect(renamed.key.name).toBe("Short");
    const cleared = await update({ id: made.key.id, description: "" });
    expect(cleared.key).toMatchObject({ name: `System key ${made.key.hint}`, description: null });
    const regenerated = await update({ id: made.key.id, keyMode: "generate" });
    expect(regenerated.key.name).toBe(`System key ${keyHint(regenerated.value!)}`);

    const pinned = await update({ id: made.key.id, name: "Pinned by hand", description: "x" });
    expect(pinned.key.name).toBe("Pinned by hand");
    expect((await update({ id: made.key.id, description: "y", keyMode: "generate" })).key.name).toBe("Pinned by hand");
  });
});

describe("custom values", () => {
  it("two admins choosing the same value at once: exactly one wins, the other is told", async () => {
    const value = "raced-custom-value-00001";
    const results = await Promise.allSettled([1, 2, 3].map((n) => create({ keyMode: "custom", customKey: value, description: `racer ${n}` })));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(2);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(AppError);
      expect((r.reason as AppError).message).toBe("That key value is already in use. Choose another value, or let Keyhouse generate one.");
    }
    expect(await t.db.apiKey.count({ where: { secretHash: hashKeyValue(value, TEST_SECRET) } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { action: "key.created", keyName: { startsWith: "racer" } } })).toBe(1);
  });
});

describe("a change and its audit event commit together", () => {
  async function whileAuditFails(body: () => Promise<void>) {
    if (testProvider === "postgres") {
      await t.db.$executeRawUnsafe(`CREATE FUNCTION fail_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
      await t.db.$executeRawUnsafe(`CREATE TRIGGER fail_audit BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION fail_audit()`);
    } else {
      await t.db.$executeRawUnsafe(`CREATE TRIGGER fail_audit BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    }
    try {
      await body();
    } finally {
      await t.db.$executeRawUnsafe(`DROP TRIGGER fail_audit${testProvider === "postgres" ? ` ON "AuditEvent"` : ""}`);
      if (testProvider === "postgres") await t.db.$executeRawUnsafe(`DROP FUNCTION fail_audit()`);
    }
  }

  it("when the audit event cannot be written, no key is created and no key changes", async () => {
    const existing = await create({ keyMode: "custom", customKey: "atomic-existing-value-01", description: "Atomic" });
    const before = await t.db.apiKey.findUnique({ where: { id: existing.key.id } });
    const start = await counts();
    await whileAuditFails(async () => {
      await expect(create({ keyMode: "custom", customKey: "atomic-new-value-000001" })).rejects.toThrow();
      await expect(update({ id: existing.key.id, keyMode: "generate", description: "Changed", apis: ["native"] })).rejects.toThrow();
    });
    expect(await counts()).toEqual(start);
    expect(await t.db.apiKey.findUnique({ where: { id: existing.key.id } })).toEqual(before);
    expect(await t.db.apiKey.count({ where: { secretHash: hashKeyValue("atomic-new-value-000001", TEST_SECRET) } })).toBe(0);
  });
});
