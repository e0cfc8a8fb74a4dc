// The Outbox screen through tRPC: users see their own notices, admins everyone's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFeed, createPackage, createUser } from "../../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../../test/database.ts";
import { callerFor, TEST_PASSWORD, testConfig } from "../../test/server.ts";
import { outcome } from "../../test/outcome.ts";

type UserRow = Awaited<ReturnType<typeof createUser>>;

let t: TestDatabase;
let alice: UserRow, bob: UserRow, quiet: UserRow, root: UserRow;
const values: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  bob = await createUser(t.db, { username: "bob", password: TEST_PASSWORD });
  quiet = await createUser(t.db, { username: "quiet", password: TEST_PASSWORD });
  root = await createUser(t.db, { username: "root", password: TEST_PASSWORD, role: "admin" });
  const feed = await createFeed(t.db, { name: "nuget", type: "nuget" });
  await createPackage(t.db, { feedId: feed.id, name: "Contoso.Core", ownerIds: [alice.id] });
  const a = callerFor(t.db, alice);
  const b = callerFor(t.db, bob);
  const k1 = await a.keys.create({ name: "alice one", scopes: ["push"], packages: ["Contoso.Core"] });
  const k2 = await b.keys.create({ name: "bob one", scopes: ["update"], glob: "Fabrikam.*" });
  const k3 = await a.keys.regenerate({ id: k1.key.id });
  await a.keys.revoke({ id: k1.key.id });
  await b.keys.delete({ id: k2.key.id });
  values.push(k1.value, k2.value, k3.value);
});
afterAll(() => t.drop());

describe("outbox.list", () => {
  it("shows a user only their own notices, newest first", async () => {
    const out = await callerFor(t.db, alice).outbox.list();
    expect(out.smtpConfigured).toBe(false);
    expect(out.items.map((i) => [i.kind, i.subject])).toEqual([
      ["key.revoked", 'API key "alice one" revoked'],
      ["key.regenerated", 'API key "alice one" regenerated'],
      ["key.created", 'New API key "alice one" created'],
    ]);
    expect(out.items.every((i) => i.toAddress === "alice@example.com" && i.status === "pending" && i.attempts === 0 && i.sentAt === null)).toBe(true);

    const bobs = await callerFor(t.db, bob).outbox.list();
    expect(bobs.items.map((i) => [i.kind, i.subject])).toEqual([
      ["key.deleted", 'API key "bob one" deleted'],
      ["key.created", 'New API key "bob one" created'],
    ]);
    expect(bobs.items.every((i) => i.toAddress === "bob@example.com")).toBe(true);
    expect((await callerFor(t.db, quiet).outbox.list()).items).toEqual([]);
  });

  it("shows an admin every user's notices", async () => {
    const out = await callerFor(t.db, root).outbox.list();
    expect(out.items).toHaveLength(5);
    expect(new Set(out.items.map((i) => i.toAddress))).toEqual(new Set(["alice@example.com", "bob@example.com"]));
    const ids = out.items.map((i) => i.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
  });

  it("never shows a key value", async () => {
    const text = JSON.stringify((await callerFor(t.db, root).outbox.list()).items);
    expect(values).toHaveLength(3);
    for (const v of values) {
      expect(text).not.toContain(v);
      expect(text).not.toContain(v.slice(4, 34));
    }
    expect(text).toContain("(the full key is never sent by email)");
  });

  it("honours the limit and refuses one out of range", async () => {
    const c = callerFor(t.db, root);
    expect((await c.outbox.list({ limit: 2 })).items).toHaveLength(2);
    expect((await c.outbox.list({ limit: 200 })).items).toHaveLength(5);
    expect(await outcome(c.outbox.list({ limit: 0 }))).toMatch(/^BAD_REQUEST: /);
    expect(await outcome(c.outbox.list({ limit: 201 }))).toMatch(/^BAD_REQUEST: /);
  });

  it("says whether SMTP is configured", async () => {
    expect((await callerFor(t.db, alice, { config: testConfig() }).outbox.list()).smtpConfigured).toBe(false);
    expect((await callerFor(t.db, alice, { config: testConfig({ smtpUrl: "smtp://127.0.0.1:2525" }) }).outbox.list()).smtpConfigured).toBe(true);
  });

  it("needs a session", async () => {
    expect(await outcome(callerFor(t.db, null).outbox.list())).toBe("UNAUTHORIZED: Sign in to continue.");
  });
});
