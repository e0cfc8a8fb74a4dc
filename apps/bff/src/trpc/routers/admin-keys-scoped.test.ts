// adminKeys.updateScoped: an administrator changes a user's scoped key's packages and
// expiry, through the tRPC procedure against a real migrated database. No mocks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createFeed, createPackage, type createUser } from "../../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../../test/database.ts";
import { callerFor, TEST_SECRET, testConfig } from "../../test/server.ts";
import { outcome } from "../../test/outcome.ts";
import { seedUsers } from "../../test/world.ts";

const DAY = 24 * 60 * 60 * 1000;
const IP = "203.0.113.7"; // what callerFor reports as the client address
const FORBIDDEN = "FORBIDDEN: Only administrators can do this.";

type UserRow = Awaited<ReturnType<typeof createUser>>;
let t: TestDatabase;
let alice: UserRow, bob: UserRow, root: UserRow;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ alice, bob, root } = await seedUsers(t.db, { alice: {}, bob: {}, root: { role: "admin" } }));
  const nuget = await createFeed(t.db, { name: "nuget", type: "nuget" });
  for (const name of ["Contoso.Core", "Contoso.Web"]) await createPackage(t.db, { feedId: nuget.id, name, ownerIds: [alice.id] });
  await createPackage(t.db, { feedId: nuget.id, name: "Bob.Tools", ownerIds: [bob.id] });
});
afterAll(() => t.drop());

const config = testConfig({ provider: testProvider });
const as = (u: UserRow) => callerFor(t.db, u, { config }).adminKeys;
const keyRow = (id: number) => t.db.apiKey.findUniqueOrThrow({ where: { id } });
const counts = async () => ({ keys: await t.db.apiKey.count(), audit: await t.db.auditEvent.count(), notices: await t.db.notification.count() });

describe("adminKeys.updateScoped", () => {
  it("changes a user's key's packages and expiry, audited, and tells the owner in the same change", async () => {
    const made = await createApiKey(t.db, TEST_SECRET, {
      kind: "scoped",
      ownerId: alice.id,
      name: "Alice CI",
      scopes: ["push"],
      globs: ["Contoso.*"],
      expiresAt: new Date(Date.now() + 2 * DAY),
    });
    const before = Date.now();
    const out = await as(root).updateScoped({ id: made.key.id, packages: ["contoso.core"], glob: "", expiresInDays: 90 });
    expect(out).toMatchObject({ id: made.key.id, packages: ["Contoso.Core"], globs: [], expiryDays: 90, owner: { username: "alice" } });
    const expiresAt = out.expiresAt!.getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 90 * DAY);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 90 * DAY);
    const row = await keyRow(made.key.id);
    expect(JSON.parse(row.packages)).toEqual(["nuget/Contoso.Core"]);

    const audit = await t.db.auditEvent.findMany({ where: { keyId: made.key.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "key.updated", actorId: root.id, actorName: "root", ip: IP, ownerId: alice.id });
    expect(JSON.parse(audit[0]!.details)).toEqual({
      by: "administrator",
      packages: ["nuget/Contoso.Core"],
      globs: [],
      expiresAt: out.expiresAt!.toISOString(),
    });

    const notices = await t.db.notification.findMany({ where: { keyId: made.key.id } });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ userId: alice.id, kind: "key.updated", subject: 'API key "Alice CI" changed by an administrator' });
    expect(notices[0]!.body).toContain('The administrator root changed the packages and the expiry of your API key "Alice CI".');
    expect(notices[0]!.body).toContain("Packages: Contoso.Core");
    expect(notices[0]!.body).not.toContain(made.value.slice(4, 34));
  });

  it("keeps the expiry when none is chosen and says only what changed", async () => {
    const expiresAt = new Date(Date.now() + 5 * DAY);
    const made = await createApiKey(t.db, TEST_SECRET, {
      kind: "scoped",
      ownerId: alice.id,
      name: "Alice web",
      scopes: ["push"],
      globs: ["Contoso.*"],
      expiresAt,
    });
    const out = await as(root).updateScoped({ id: made.key.id, packages: ["Contoso.Web"] });
    expect(out.expiresAt).toEqual(expiresAt);
    expect(out.globs).toEqual([]);
    const [notice] = await t.db.notification.findMany({ where: { keyId: made.key.id } });
    expect(notice!.body).toContain('The administrator root changed the packages of your API key "Alice web".');
  });

  it("refuses packages the owner does not own, system, legacy and revoked keys, and bad input, changing nothing", async () => {
    const alices = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, name: "Alice untouched", globs: ["Contoso.*"] });
    const legacy = await createApiKey(t.db, TEST_SECRET, { kind: "legacy", ownerId: alice.id });
    const system = await createApiKey(t.db, TEST_SECRET, { kind: "system", ownerId: null, apis: ["native"] });
    const revoked = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, globs: ["x"], revokedAt: new Date() });
    const start = await counts();
    const rowBefore = await keyRow(alices.key.id);
    const c = as(root);
    expect(await outcome(c.updateScoped({ id: alices.key.id, packages: ["Bob.Tools"] }))).toMatch(/^BAD_REQUEST: You do not own the package: "Bob.Tools"\./);
    for (const k of [legacy, system]) {
      expect(await outcome(c.updateScoped({ id: k.key.id, glob: "*" }))).toMatch(/^BAD_REQUEST: Only scoped keys have an expiry and packages to change here/);
    }
    expect(await outcome(c.updateScoped({ id: revoked.key.id, glob: "*" }))).toBe("CONFLICT: This key is revoked: it can no longer be changed.");
    expect(await outcome(c.updateScoped({ id: 987654, glob: "*" }))).toBe("NOT_FOUND: No API key with ID 987654 was found.");
    expect(await outcome(c.updateScoped({ id: alices.key.id, packages: [], glob: "" }))).toBe(
      "BAD_REQUEST: Either a glob pattern must be specified or at least one package must be selected.",
    );
    expect(await outcome(c.updateScoped({ id: alices.key.id, glob: "*", expiresInDays: 7 as never }))).toBe(
      "BAD_REQUEST: Choose one of 1, 30, 90, 180, 270 or 365 days.",
    );
    expect(await counts()).toEqual(start);
    expect(await keyRow(alices.key.id)).toEqual(rowBefore);
  });

  it("is for administrators only, their own keys' owners included", async () => {
    const own = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, globs: ["Contoso.*"] });
    const start = await counts();
    expect(await outcome(as(alice).updateScoped({ id: own.key.id, glob: "*", expiresInDays: 365 }))).toBe(FORBIDDEN);
    expect(await counts()).toEqual(start);
  });
});
