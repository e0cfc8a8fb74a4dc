// Account › API keys through the tRPC procedures, as the SPA calls them, against a real
// migrated database (SQLite, or PostgreSQL with KEYHOUSE_TEST_DB=postgres). No mocks.
import { readFileSync, existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkKeyFormat, keyHint } from "@keyhouse/shared";
import { createFeed, createLegacyKey, createPackage, createUser, grantFeed } from "../../db/factories.ts";
import { hashKeyValue } from "../../keys/secrets.ts";
import { createTestDatabase, type TestDatabase } from "../../test/database.ts";
import { callerFor, TEST_PASSWORD, TEST_SECRET } from "../../test/server.ts";
import { keyTables } from "../../test/key-tables.ts";
import { outcome } from "../../test/outcome.ts";

const DAY = 24 * 60 * 60 * 1000;
const IP = "203.0.113.7"; // what callerFor reports as the client address
const MISSING_ID = 987654;

type UserRow = Awaited<ReturnType<typeof createUser>>;

let t: TestDatabase;
let alice: UserRow, bob: UserRow, carol: UserRow, dave: UserRow, erin: UserRow, root: UserRow;

beforeAll(async () => {
  t = await createTestDatabase();
  const db = t.db;
  alice = await createUser(db, { username: "alice", password: TEST_PASSWORD });
  bob = await createUser(db, { username: "bob", password: TEST_PASSWORD });
  carol = await createUser(db, { username: "carol", password: TEST_PASSWORD });
  dave = await createUser(db, { username: "dave", password: TEST_PASSWORD });
  erin = await createUser(db, { username: "erin", password: TEST_PASSWORD });
  root = await createUser(db, { username: "root", password: TEST_PASSWORD, role: "admin" });
  const nuget = await createFeed(db, { name: "nuget", type: "nuget" });
  const npm = await createFeed(db, { name: "npm", type: "npm" });
  for (const u of [alice, bob, carol, dave, erin]) for (const f of [nuget, npm]) await grantFeed(db, u.id, f.id);
  await createPackage(db, { feedId: nuget.id, name: "Contoso.Core", ownerIds: [alice.id] });
  await createPackage(db, { feedId: nuget.id, name: "Contoso.Web", ownerIds: [alice.id] });
  await createPackage(db, { feedId: npm.id, name: "@contoso/core", ownerIds: [alice.id] });
  await createPackage(db, { feedId: nuget.id, name: "Fabrikam.Logging", ownerIds: [bob.id] });
  await createPackage(db, { feedId: nuget.id, name: "Shared.Lib", ownerIds: [alice.id, bob.id] });
  for (const u of [carol, dave, erin]) await createPackage(db, { feedId: nuget.id, name: `${u.username}.Pkg`, ownerIds: [u.id] });
});
afterAll(() => t.drop());

const as = (u: UserRow | null) => callerFor(t.db, u);
/** Lets a test send what the types forbid, as a hand-made request would. */
const raw = (x: unknown) => x as never;

const { keyRow, auditFor, noticesFor, counts } = keyTables(() => t.db);

async function newKey(u: UserRow, name: string, over: Record<string, unknown> = {}) {
  return as(u).keys.create({ name, scopes: ["push"], glob: `${u.username}.*`, ...over });
}

/** Every row of the tables that could ever hold a key, as text. */
async function everythingStored(): Promise<string> {
  const parts: unknown[] = [];
  for (const table of ["ApiKey", "AuditEvent", "Notification", "AccessLogEntry", "Session"]) {
    parts.push(await t.db.$queryRawUnsafe(`SELECT * FROM "${table}"`));
  }
  return JSON.stringify(parts, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

function expectNoSecretFields(obj: object) {
  for (const field of ["secretHash", "value", "secret", "key"]) expect(obj).not.toHaveProperty(field);
}

describe("keys.create", () => {
  it("returns the value once, in the generated format, and stores only its hash and hint", async () => {
    const before = Date.now();
    const out = await as(alice).keys.create({ name: "CI publish", scopes: ["push", "unlist"], packages: ["Contoso.Core"], glob: "Contoso.*" });
    const after = Date.now();

    expect(out.value).toMatch(/^khk_[0-9A-Za-z]{36}$/);
    expect(checkKeyFormat(out.value)).toBe("generated");
    expect(out.key).toMatchObject({
      kind: "scoped",
      name: "CI publish",
      description: null,
      hint: keyHint(out.value),
      owner: { id: alice.id, username: "alice" },
      user: null,
      apis: ["feeds"],
      scopes: ["push", "unlist"],
      packages: ["Contoso.Core"],
      globs: ["Contoso.*"],
      feeds: null,
      expiryDays: 365,
      revokedAt: null,
      status: { state: "active", label: "Active", daysLeft: 365 },
    });
    expectNoSecretFields(out.key);
    expect(JSON.stringify(out.key)).not.toContain(out.value);

    const row = await keyRow(out.key.id);
    expect(row).not.toBeNull();
    expect(row!.secretHash).toBe(hashKeyValue(out.value, TEST_SECRET));
    expect(row!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.hint).toBe(`${out.value.slice(0, 4)}…${out.value.slice(-4)}`);
    expect(row!.ownerId).toBe(alice.id);
    expect(row!.createdById).toBe(alice.id);
    expect(row!.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 365 * DAY);
    expect(row!.expiresAt!.getTime()).toBeLessThanOrEqual(after + 365 * DAY);

    // No column of the row (read raw, every column) holds the value or its random part.
    const rawRows = await t.db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "ApiKey" WHERE "id" = ${out.key.id}`);
    expect(rawRows).toHaveLength(1);
    const randomPart = out.value.slice(4, 34);
    for (const [column, v] of Object.entries(rawRows[0]!)) {
      expect(String(v), column).not.toContain(out.value);
      expect(String(v), column).not.toContain(randomPart);
    }
    // Nor any other table.
    expect(await everythingStored()).not.toContain(randomPart);
    if (t.file) {
      for (const f of [t.file, `${t.file}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(randomPart))).toBe(false);
    }
  });

  it("defaults to 365 days and honours each allowed expiry", async () => {
    const def = await newKey(carol, "default expiry");
    expect(def.key.expiryDays).toBe(365);
    for (const days of [1, 30, 90, 180, 270, 365] as const) {
      const before = Date.now();
      const out = await newKey(carol, `expires ${days}`, { expiresInDays: days });
      const after = Date.now();
      expect(out.key.expiryDays).toBe(days);
      expect(out.key.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + days * DAY);
      expect(out.key.expiresAt!.getTime()).toBeLessThanOrEqual(after + days * DAY);
    }
  });

  it("refuses invalid input with the wizard's exact messages and writes nothing", async () => {
    const c = as(alice);
    const start = await counts();
    const ok = { name: "valid", scopes: ["push"] as ("push" | "update" | "unlist")[], glob: "Contoso.*" };
    expect(await outcome(c.keys.create({ ...ok, name: "" }))).toBe("BAD_REQUEST: The key name is required.");
    expect(await outcome(c.keys.create({ ...ok, name: "   " }))).toBe("BAD_REQUEST: The key name is required.");
    expect(await outcome(c.keys.create(raw({ scopes: ["push"], glob: "x" })))).toBe("BAD_REQUEST: The key name is required.");
    expect(await outcome(c.keys.create({ ...ok, scopes: [] }))).toBe("BAD_REQUEST: At least one scope must be selected.");
    expect(await outcome(c.keys.create(raw({ name: "n", glob: "x" })))).toBe("BAD_REQUEST: At least one scope must be selected.");
    expect(await outcome(c.keys.create(raw({ ...ok, scopes: ["delete"] })))).toBe('BAD_REQUEST: Unknown scope: use "push", "update" or "unlist".');
    const packagesMessage = "BAD_REQUEST: Either a glob pattern must be specified or at least one package must be selected.";
    expect(await outcome(c.keys.create({ name: "n", scopes: ["push"] }))).toBe(packagesMessage);
    expect(await outcome(c.keys.create({ name: "n", scopes: ["push"], packages: [], glob: "" }))).toBe(packagesMessage);
    expect(await outcome(c.keys.create({ name: "n", scopes: ["push"], packages: [], glob: "   " }))).toBe(packagesMessage);
    expect(await outcome(c.keys.create({ name: "n", scopes: ["push"], glob: null }))).toBe(packagesMessage);
    expect(await outcome(c.keys.create({ ...ok, glob: "Contoso.$ X?" }))).toBe(
      'BAD_REQUEST: The glob pattern contains characters that are not allowed: "$", " ", "?". Use letters, digits, ".", "-", "_", "@", "/" and "*".',
    );
    expect(await outcome(c.keys.create({ ...ok, glob: "a%b%c" }))).toBe(
      'BAD_REQUEST: The glob pattern contains characters that are not allowed: "%". Use letters, digits, ".", "-", "_", "@", "/" and "*".',
    );
    for (const days of [0, 7, 364, 366, -1, 30.5]) {
      expect(await outcome(c.keys.create(raw({ ...ok, expiresInDays: days })))).toBe("BAD_REQUEST: Choose one of 1, 30, 90, 180, 270 or 365 days.");
    }
    expect(await outcome(c.keys.create(raw({ ...ok, expiresInDays: "30" })))).toBe("BAD_REQUEST: Choose one of 1, 30, 90, 180, 270 or 365 days.");
    expect(await outcome(c.keys.create({ ...ok, name: "x".repeat(65) }))).toBe("BAD_REQUEST: The key name must be at most 64 characters.");
    expect(await outcome(c.keys.create({ ...ok, packages: [""] }))).toBe("BAD_REQUEST: A package ID cannot be empty.");
    expect(await counts()).toEqual(start);

    // The limits themselves are accepted; the name is trimmed.
    const longest = await c.keys.create({ ...ok, name: ` ${"y".repeat(64)} ` });
    expect(longest.key.name).toBe("y".repeat(64));
  });

  it("refuses a second key with the same name for the same owner, but not for another owner", async () => {
    const first = await newKey(carol, "Deploy");
    const start = await counts();
    expect(await outcome(newKey(carol, "Deploy"))).toBe('CONFLICT: You already have a key named "Deploy". Choose another name.');
    expect(await outcome(newKey(carol, "  Deploy  ", { scopes: ["update"] }))).toBe('CONFLICT: You already have a key named "Deploy". Choose another name.');
    // A refused creation leaves no key, no audit event and no notice behind.
    expect(await counts()).toEqual(start);
    expect((await t.db.apiKey.findMany({ where: { ownerId: carol.id, name: "Deploy" } })).map((k) => k.id)).toEqual([first.key.id]);

    const other = await newKey(dave, "Deploy");
    expect(other.key.owner).toEqual({ id: dave.id, username: "dave" });
    expect(other.key.id).not.toBe(first.key.id);
  });

  it("refuses packages the user does not own, naming them, and writes nothing", async () => {
    const c = as(alice);
    const start = await counts();
    const hint = "Choose from the packages you own, or use a glob pattern.";
    expect(await outcome(c.keys.create({ name: "theirs", scopes: ["push"], packages: ["Fabrikam.Logging"] }))).toBe(
      `BAD_REQUEST: You do not own the package: "Fabrikam.Logging". ${hint}`,
    );
    expect(await outcome(c.keys.create({ name: "nothing", scopes: ["push"], packages: ["No.Such.Package"] }))).toBe(
      `BAD_REQUEST: You do not own the package: "No.Such.Package". ${hint}`,
    );
    expect(await outcome(c.keys.create({ name: "mixed", scopes: ["push"], packages: ["Contoso.Core", "fabrikam.logging", "Ghost"], glob: "Contoso.*" }))).toBe(
      `BAD_REQUEST: You do not own these packages: "fabrikam.logging", "Ghost". ${hint}`,
    );
    expect(await counts()).toEqual(start);
  });

  it("stores package ids with the casing they were first pushed with, once each", async () => {
    const out = await as(alice).keys.create({ name: "casing", scopes: ["update"], packages: ["contoso.core", "@CONTOSO/CORE", "CONTOSO.CORE", "shared.lib"] });
    expect(out.key.packages).toEqual(["Contoso.Core", "@contoso/core", "Shared.Lib"]);
    // Stored bound to the feed each is owned on (docs/authorization.md).
    expect(JSON.parse((await keyRow(out.key.id))!.packages)).toEqual(["nuget/Contoso.Core", "npm/@contoso/core", "nuget/Shared.Lib"]);
    // A package with two owners may be named by either.
    const bobs = await as(bob).keys.create({ name: "shared", scopes: ["update"], packages: ["SHARED.LIB"] });
    expect(bobs.key.packages).toEqual(["Shared.Lib"]);
  });

  it("writes its audit event and its notice with the key, and the notice never holds the value", async () => {
    const out = await as(alice).keys.create({ name: "Audited", scopes: ["push", "update"], packages: ["Contoso.Web"], glob: "Contoso.*", expiresInDays: 90 });
    const audit = await auditFor(out.key.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "key.created", actorId: alice.id, actorName: "alice", keyName: "Audited", ownerId: alice.id, ip: IP });
    expect(JSON.parse(audit[0]!.details)).toEqual({ scopes: ["push", "update"], packages: ["nuget/Contoso.Web"], globs: ["Contoso.*"], expiresInDays: 90 });

    const notices = await noticesFor(out.key.id);
    expect(notices).toHaveLength(1);
    const n = notices[0]!;
    expect(n).toMatchObject({
      userId: alice.id,
      toAddress: "alice@example.com",
      kind: "key.created",
      subject: 'New API key "Audited" created',
      status: "pending",
    });
    expect(n.body).toContain("A new API key was created on your account by alice.");
    expect(n.body).toContain("Name: Audited");
    expect(n.body).toContain(`Key: ${keyHint(out.value)} (the full key is never sent by email)`);
    expect(n.body).toContain("Scopes: Push, Update");
    expect(n.body).toContain("Packages: Contoso.Web, Contoso.* (glob pattern)");
    expect(n.body).toContain(`Expires: ${out.key.expiresAt!.toISOString().slice(0, 10)}`);
    expect(n.body).not.toContain(out.value);
    expect(n.body).not.toContain(out.value.slice(4, 34));
    expect(n.subject).not.toContain(out.value);
  });
});

describe("keys.list", () => {
  it("lists only the caller's own keys, newest first, without values or hashes", async () => {
    const made: { id: number; value: string }[] = [];
    for (const name of ["first", "second", "third"]) {
      const out = await newKey(erin, name);
      made.push({ id: out.key.id, value: out.value });
    }
    const bobs = await newKey(bob, "bob's own");
    const list = await as(erin).keys.list();
    expect(list.map((k) => k.name)).toEqual(["third", "second", "first"]);
    expect(list.every((k) => k.owner?.id === erin.id)).toBe(true);
    expect(list.map((k) => k.id)).not.toContain(bobs.key.id);
    for (const item of list) expectNoSecretFields(item);
    const text = JSON.stringify(list);
    for (const m of made) {
      expect(text).not.toContain(m.value);
      expect(text).not.toContain(hashKeyValue(m.value, TEST_SECRET));
    }
    expect((await as(bob).keys.list()).map((k) => k.id)).toContain(bobs.key.id);
    expect((await as(bob).keys.list()).every((k) => k.owner?.id === bob.id)).toBe(true);
  });

  it("shows each status: Active, Expires in N days, Expired, Revoked, Full access (legacy)", async () => {
    const u = await createUser(t.db, { username: "statuses", password: TEST_PASSWORD });
    const c = as(u);
    const mk = (name: string, expiresInDays?: 1 | 30 | 365) =>
      c.keys.create({ name, scopes: ["push"], glob: "*", ...(expiresInDays ? { expiresInDays } : {}) });
    await mk("active");
    await mk("one day", 1);
    const ten = await mk("ten days", 30);
    const eleven = await mk("eleven days", 30);
    const expired = await mk("expired", 30);
    const revoked = await mk("revoked");
    await createLegacyKey(t.db, TEST_SECRET, { ownerId: u.id, name: "legacy" });
    const revokedLegacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: u.id, name: "revoked legacy" });
    const now = Date.now();
    await t.db.apiKey.update({ where: { id: ten.key.id }, data: { expiresAt: new Date(now + 10 * DAY - 60_000) } });
    await t.db.apiKey.update({ where: { id: eleven.key.id }, data: { expiresAt: new Date(now + 10 * DAY + 60 * 60_000) } });
    await t.db.apiKey.update({ where: { id: expired.key.id }, data: { expiresAt: new Date(now - 1000) } });
    await c.keys.revoke({ id: revoked.key.id });
    await c.keys.revoke({ id: revokedLegacy.key.id });

    const byName = Object.fromEntries((await c.keys.list()).map((k) => [k.name, k.status]));
    expect(byName).toEqual({
      active: { state: "active", label: "Active", daysLeft: 365 },
      "one day": { state: "expiring", label: "Expires in 1 day", daysLeft: 1 },
      "ten days": { state: "expiring", label: "Expires in 10 days", daysLeft: 10 },
      "eleven days": { state: "active", label: "Active", daysLeft: 11 },
      expired: { state: "expired", label: "Expired", daysLeft: 0 },
      revoked: { state: "revoked", label: "Revoked", daysLeft: null },
      legacy: { state: "legacy", label: "Full access (legacy)", daysLeft: null },
      "revoked legacy": { state: "revoked", label: "Revoked", daysLeft: null },
    });
  });

  it("is empty for a user without keys", async () => {
    const u = await createUser(t.db, { username: "nokeys", password: TEST_PASSWORD });
    expect(await as(u).keys.list()).toEqual([]);
  });
});

describe("keys.ownedPackages", () => {
  it("lists the packages the caller owns, and only those", async () => {
    expect(await as(alice).keys.ownedPackages()).toEqual([
      { id: expect.any(Number), name: "@contoso/core", feed: "npm", feedType: "npm" },
      { id: expect.any(Number), name: "Contoso.Core", feed: "nuget", feedType: "nuget" },
      { id: expect.any(Number), name: "Contoso.Web", feed: "nuget", feedType: "nuget" },
      { id: expect.any(Number), name: "Shared.Lib", feed: "nuget", feedType: "nuget" },
    ]);
    expect((await as(bob).keys.ownedPackages()).map((p) => p.name)).toEqual(["Fabrikam.Logging", "Shared.Lib"]);
    expect(await as(root).keys.ownedPackages()).toEqual([]);
  });
});

describe("keys.updatePackages", () => {
  it("replaces the packages and glob, keeps the secret, and records an audit event", async () => {
    const made = await as(alice).keys.create({ name: "edit me", scopes: ["push"], packages: ["Contoso.Core"] });
    const before = (await keyRow(made.key.id))!;
    const out = await as(alice).keys.updatePackages({ id: made.key.id, packages: ["contoso.web", "@contoso/core"], glob: "Contoso.*" });
    expect(out).toMatchObject({ id: made.key.id, packages: ["Contoso.Web", "@contoso/core"], globs: ["Contoso.*"], scopes: ["push"], name: "edit me" });
    expectNoSecretFields(out);
    const after = (await keyRow(made.key.id))!;
    expect(JSON.parse(after.packages)).toEqual(["nuget/Contoso.Web", "npm/@contoso/core"]);
    expect(JSON.parse(after.globs)).toEqual(["Contoso.*"]);
    expect(after.secretHash).toBe(before.secretHash);
    expect(after.expiresAt).toEqual(before.expiresAt);
    const audit = await auditFor(made.key.id);
    expect(audit.map((a) => a.action)).toEqual(["key.created", "key.updated"]);
    expect(JSON.parse(audit[1]!.details)).toEqual({ packages: ["nuget/Contoso.Web", "npm/@contoso/core"], globs: ["Contoso.*"] });

    // Dropping the glob while keeping packages.
    const again = await as(alice).keys.updatePackages({ id: made.key.id, packages: ["Contoso.Core"], glob: null });
    expect(again).toMatchObject({ packages: ["Contoso.Core"], globs: [] });
    // Only a glob.
    const globOnly = await as(alice).keys.updatePackages({ id: made.key.id, glob: "Shared.*" });
    expect(globOnly).toMatchObject({ packages: [], globs: ["Shared.*"] });
  });

  it("refuses invalid input, foreign packages, legacy keys, revoked keys and unknown ids, changing nothing", async () => {
    const c = as(alice);
    const made = await c.keys.create({ name: "edit refusals", scopes: ["push"], packages: ["Contoso.Core"] });
    const legacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: alice.id, name: "legacy for edit" });
    const revoked = await c.keys.create({ name: "revoked for edit", scopes: ["push"], glob: "x" });
    await c.keys.revoke({ id: revoked.key.id });
    const snapshot = async () => Promise.all([made.key.id, legacy.key.id, revoked.key.id].map(keyRow));
    const before = await snapshot();
    const start = await counts();

    expect(await outcome(c.keys.updatePackages({ id: made.key.id, packages: [], glob: "" }))).toBe(
      "BAD_REQUEST: Either a glob pattern must be specified or at least one package must be selected.",
    );
    expect(await outcome(c.keys.updatePackages({ id: made.key.id }))).toBe(
      "BAD_REQUEST: Either a glob pattern must be specified or at least one package must be selected.",
    );
    expect(await outcome(c.keys.updatePackages({ id: made.key.id, glob: "bad glob!" }))).toBe(
      'BAD_REQUEST: The glob pattern contains characters that are not allowed: " ", "!". Use letters, digits, ".", "-", "_", "@", "/" and "*".',
    );
    for (const id of [0, -3, 1.5]) {
      expect(await outcome(c.keys.updatePackages({ id, glob: "x" }))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    }
    expect(await outcome(c.keys.updatePackages(raw({ glob: "x" })))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(c.keys.updatePackages({ id: made.key.id, packages: ["Fabrikam.Logging", "Contoso.Core"] }))).toBe(
      'BAD_REQUEST: You do not own the package: "Fabrikam.Logging". Choose from the packages you own, or use a glob pattern.',
    );
    expect(await outcome(c.keys.updatePackages({ id: legacy.key.id, packages: ["Contoso.Core"] }))).toBe(
      "BAD_REQUEST: Only scoped keys have packages to edit: legacy keys have full access, and system keys are edited under Admin › API keys.",
    );
    expect(await outcome(c.keys.updatePackages({ id: revoked.key.id, packages: ["Contoso.Core"] }))).toBe(
      "CONFLICT: This key is revoked: its packages can no longer be changed.",
    );
    expect(await outcome(c.keys.updatePackages({ id: MISSING_ID, packages: ["Contoso.Core"] }))).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);

    expect(await snapshot()).toEqual(before);
    expect(await counts()).toEqual(start);
  });
});

describe("keys.regenerate", () => {
  it("issues a new value, retires the old one and restarts the chosen lifetime", async () => {
    const c = as(alice);
    const made = await c.keys.create({ name: "regen", scopes: ["push"], glob: "Contoso.*", expiresInDays: 30 });
    // Pretend the key is near its end and its expiry notices went out.
    const stale = new Date(Date.now() + 2 * DAY);
    await t.db.apiKey.update({ where: { id: made.key.id }, data: { expiresAt: stale, notifiedExpiring10At: new Date(), notifiedExpiring1At: new Date() } });

    const before = Date.now();
    const out = await c.keys.regenerate({ id: made.key.id });
    const after = Date.now();
    expect(checkKeyFormat(out.value)).toBe("generated");
    expect(out.value).not.toBe(made.value);
    expect(out.key).toMatchObject({
      id: made.key.id,
      name: "regen",
      hint: keyHint(out.value),
      expiryDays: 30,
      globs: ["Contoso.*"],
      status: { state: "active", label: "Active", daysLeft: 30 },
    });
    expectNoSecretFields(out.key);

    const row = (await keyRow(made.key.id))!;
    expect(row.secretHash).toBe(hashKeyValue(out.value, TEST_SECRET));
    expect(row.secretHash).not.toBe(hashKeyValue(made.value, TEST_SECRET));
    expect(await t.db.apiKey.findUnique({ where: { secretHash: hashKeyValue(made.value, TEST_SECRET) } })).toBeNull();
    expect(row.hint).toBe(keyHint(out.value));
    expect(row.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(row.expiresAt!.getTime()).toBeLessThanOrEqual(after + 30 * DAY);
    expect(row.regeneratedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(row.notifiedExpiring10At).toBeNull();
    expect(row.notifiedExpiring1At).toBeNull();
    expect(row.notifiedExpiredAt).toBeNull();

    expect((await auditFor(made.key.id)).map((a) => a.action)).toEqual(["key.created", "key.regenerated"]);
    const notices = await noticesFor(made.key.id);
    expect(notices.map((n) => n.kind)).toEqual(["key.created", "key.regenerated"]);
    expect(notices[1]).toMatchObject({ userId: alice.id, subject: 'API key "regen" regenerated' });
    for (const n of notices) {
      expect(n.body).not.toContain(out.value);
      expect(n.body).not.toContain(made.value);
    }
    expect(await everythingStored()).not.toContain(out.value.slice(4, 34));
  });

  it("brings an expired key back to life", async () => {
    const made = await newKey(carol, "expired regen", { expiresInDays: 1 });
    await t.db.apiKey.update({ where: { id: made.key.id }, data: { expiresAt: new Date(Date.now() - DAY) } });
    expect((await as(carol).keys.list()).find((k) => k.id === made.key.id)?.status.label).toBe("Expired");
    const out = await as(carol).keys.regenerate({ id: made.key.id });
    expect(out.key.status).toEqual({ state: "expiring", label: "Expires in 1 day", daysLeft: 1 });
  });

  it("refuses legacy keys, revoked keys, bad ids and unknown ids, changing nothing", async () => {
    const c = as(alice);
    const legacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: alice.id, name: "legacy for regen" });
    const revoked = await c.keys.create({ name: "revoked for regen", scopes: ["push"], glob: "x" });
    await c.keys.revoke({ id: revoked.key.id });
    const before = await Promise.all([keyRow(legacy.key.id), keyRow(revoked.key.id)]);
    const start = await counts();

    expect(await outcome(c.keys.regenerate({ id: legacy.key.id }))).toBe(
      "BAD_REQUEST: Legacy keys cannot be regenerated. Create a new scoped key instead, then revoke the legacy key.",
    );
    expect(await outcome(c.keys.regenerate({ id: revoked.key.id }))).toBe("CONFLICT: This key is revoked and cannot be regenerated. Create a new key instead.");
    expect(await outcome(c.keys.regenerate({ id: MISSING_ID }))).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);
    for (const id of [0, -1, 2.5]) expect(await outcome(c.keys.regenerate({ id }))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(c.keys.regenerate(raw({ id: "7" })))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(c.keys.regenerate(raw({})))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");

    expect(await Promise.all([keyRow(legacy.key.id), keyRow(revoked.key.id)])).toEqual(before);
    expect((await keyRow(legacy.key.id))!.secretHash).toBe(hashKeyValue(legacy.value, TEST_SECRET));
    expect(await counts()).toEqual(start);
  });
});

describe("keys.revoke", () => {
  it("keeps the row as Revoked, records who and why, and refuses a second revocation", async () => {
    const c = as(alice);
    const made = await c.keys.create({ name: "to revoke", scopes: ["unlist"], glob: "Contoso.*" });
    const before = Date.now();
    const out = await c.keys.revoke({ id: made.key.id, reason: "  leaked in a build log  " });
    expect(out).toMatchObject({ id: made.key.id, revokedReason: "leaked in a build log", status: { state: "revoked", label: "Revoked", daysLeft: null } });
    expectNoSecretFields(out);
    const row = (await keyRow(made.key.id))!;
    expect(row.revokedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(row.revokedById).toBe(alice.id);
    expect(row.revokedReason).toBe("leaked in a build log");
    expect(row.secretHash).toBe(hashKeyValue(made.value, TEST_SECRET));
    expect((await c.keys.list()).find((k) => k.id === made.key.id)?.status.label).toBe("Revoked");

    const audit = await auditFor(made.key.id);
    expect(audit.map((a) => a.action)).toEqual(["key.created", "key.revoked"]);
    expect(JSON.parse(audit[1]!.details)).toEqual({ reason: "leaked in a build log" });
    const notices = await noticesFor(made.key.id);
    expect(notices.map((n) => n.kind)).toEqual(["key.created", "key.revoked"]);
    expect(notices[1]).toMatchObject({ subject: 'API key "to revoke" revoked', toAddress: "alice@example.com" });
    expect(notices[1]!.body).toContain('The API key "to revoke" was revoked by alice. It can no longer be used.');

    const start = await counts();
    const revokedRow = await keyRow(made.key.id);
    expect(await outcome(c.keys.revoke({ id: made.key.id }))).toBe("CONFLICT: This key is already revoked.");
    expect(await keyRow(made.key.id)).toEqual(revokedRow);
    expect(await counts()).toEqual(start);
  });

  it("stores no reason when none (or only spaces) is given, and revokes legacy keys", async () => {
    const made = await newKey(carol, "no reason");
    expect((await as(carol).keys.revoke({ id: made.key.id })).revokedReason).toBeNull();
    const blank = await newKey(carol, "blank reason");
    expect((await as(carol).keys.revoke({ id: blank.key.id, reason: "   " })).revokedReason).toBeNull();
    const legacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: carol.id, name: "carol legacy" });
    const out = await as(carol).keys.revoke({ id: legacy.key.id, reason: "old" });
    expect(out.status.label).toBe("Revoked");
    expect(out.kind).toBe("legacy");
  });

  it("refuses an over-long reason, bad ids and unknown ids", async () => {
    const made = await newKey(carol, "long reason");
    const start = await counts();
    expect(await outcome(as(carol).keys.revoke({ id: made.key.id, reason: "r".repeat(201) }))).toBe("BAD_REQUEST: The reason must be at most 200 characters.");
    expect(await outcome(as(carol).keys.revoke({ id: 0 }))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(as(carol).keys.revoke({ id: MISSING_ID }))).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);
    expect((await keyRow(made.key.id))!.revokedAt).toBeNull();
    expect(await counts()).toEqual(start);
    expect((await as(carol).keys.revoke({ id: made.key.id, reason: "r".repeat(200) })).revokedReason).toBe("r".repeat(200));
  });
});

describe("keys.delete", () => {
  it("removes the row and records an audit event and a notice", async () => {
    const c = as(alice);
    const made = await c.keys.create({ name: "to delete", scopes: ["push"], packages: ["Contoso.Core"] });
    expect(await c.keys.delete({ id: made.key.id })).toEqual({ id: made.key.id });
    expect(await keyRow(made.key.id)).toBeNull();
    expect((await c.keys.list()).map((k) => k.id)).not.toContain(made.key.id);

    const audit = await auditFor(made.key.id);
    expect(audit.map((a) => a.action)).toEqual(["key.created", "key.deleted"]);
    expect(audit[1]).toMatchObject({ actorId: alice.id, keyName: "to delete", ownerId: alice.id, ip: IP });
    expect(JSON.parse(audit[1]!.details)).toEqual({ kind: "scoped" });
    const deletedNotice = await t.db.notification.findFirst({ where: { userId: alice.id, kind: "key.deleted", subject: 'API key "to delete" deleted' } });
    expect(deletedNotice).not.toBeNull();
    expect(deletedNotice!.body).toContain('The API key "to delete" was deleted by alice.');
    expect(deletedNotice!.body).not.toContain(made.value);

    expect(await outcome(c.keys.delete({ id: made.key.id }))).toBe(`NOT_FOUND: No API key with ID ${made.key.id} was found.`);
    // The name is free again.
    expect((await c.keys.create({ name: "to delete", scopes: ["push"], glob: "x" })).key.name).toBe("to delete");
  });

  it("deletes revoked and legacy keys too, and refuses bad and unknown ids", async () => {
    const c = as(carol);
    const revoked = await newKey(carol, "revoked then deleted");
    await c.keys.revoke({ id: revoked.key.id });
    const legacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: carol.id, name: "legacy deleted" });
    expect(await c.keys.delete({ id: revoked.key.id })).toEqual({ id: revoked.key.id });
    expect(await c.keys.delete({ id: legacy.key.id })).toEqual({ id: legacy.key.id });
    expect(await keyRow(revoked.key.id)).toBeNull();
    expect(await keyRow(legacy.key.id)).toBeNull();
    expect(JSON.parse((await auditFor(legacy.key.id))[0]!.details)).toEqual({ kind: "legacy" });

    const start = await counts();
    expect(await outcome(c.keys.delete({ id: MISSING_ID }))).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);
    expect(await outcome(c.keys.delete({ id: -5 }))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await counts()).toEqual(start);
  });
});

describe("keys.revokeAllLegacy", () => {
  it("revokes only the caller's active legacy keys and answers how many", async () => {
    const u = await createUser(t.db, { username: "legacyowner", password: TEST_PASSWORD });
    const l1 = await createLegacyKey(t.db, TEST_SECRET, { ownerId: u.id, name: "legacy 1" });
    const l2 = await createLegacyKey(t.db, TEST_SECRET, { ownerId: u.id, name: "legacy 2" });
    const l3 = await createLegacyKey(t.db, TEST_SECRET, { ownerId: u.id, name: "legacy 3 (already revoked)" });
    await as(u).keys.revoke({ id: l3.key.id, reason: "earlier" });
    const l3Row = await keyRow(l3.key.id);
    const scoped = await as(u).keys.create({ name: "scoped stays", scopes: ["push"], glob: "*" });
    const bobsLegacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: bob.id, name: "bob legacy for revoke-all" });
    const bobsBefore = await keyRow(bobsLegacy.key.id);

    expect(await as(u).keys.revokeAllLegacy()).toEqual({ revoked: 2 });
    for (const l of [l1, l2]) {
      const row = (await keyRow(l.key.id))!;
      expect(row.revokedAt).not.toBeNull();
      expect(row.revokedById).toBe(u.id);
      expect(row.revokedReason).toBe("Revoked with all legacy keys");
      expect((await auditFor(l.key.id)).map((a) => a.action)).toEqual(["key.revoked"]);
      expect((await noticesFor(l.key.id)).map((n) => n.kind)).toEqual(["key.revoked"]);
    }
    expect(await keyRow(l3.key.id)).toEqual(l3Row);
    expect((await keyRow(scoped.key.id))!.revokedAt).toBeNull();
    expect(await keyRow(bobsLegacy.key.id)).toEqual(bobsBefore);

    const labels = Object.fromEntries((await as(u).keys.list()).map((k) => [k.name, k.status.label]));
    expect(labels).toEqual({ "legacy 1": "Revoked", "legacy 2": "Revoked", "legacy 3 (already revoked)": "Revoked", "scoped stays": "Active" });

    const start = await counts();
    expect(await as(u).keys.revokeAllLegacy()).toEqual({ revoked: 0 });
    expect(await counts()).toEqual(start);
  });
});

describe("isolation: another user's key answers exactly like a key that does not exist", () => {
  const normalise = (s: string) => s.replace(/\d+/g, "N");

  async function bobsKeys() {
    const active = await newKey(bob, `bob active ${Math.random()}`, { packages: ["Fabrikam.Logging"], glob: undefined });
    const revoked = await newKey(bob, `bob revoked ${Math.random()}`);
    await as(bob).keys.revoke({ id: revoked.key.id });
    const legacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: bob.id, name: `bob legacy ${Math.random()}` });
    return [active.key.id, revoked.key.id, legacy.key.id];
  }

  for (const who of ["alice", "root (admin)"] as const) {
    it(`${who} cannot update, regenerate, revoke or delete bob's keys`, async () => {
      const caller = as(who === "alice" ? alice : root);
      const ids = await bobsKeys();
      const rowsBefore = await Promise.all(ids.map(keyRow));
      const start = await counts();

      const attempts = {
        updatePackages: (id: number) => caller.keys.updatePackages({ id, packages: ["Fabrikam.Logging"] }),
        updatePackagesGlob: (id: number) => caller.keys.updatePackages({ id, glob: "*" }),
        regenerate: (id: number) => caller.keys.regenerate({ id }),
        revoke: (id: number) => caller.keys.revoke({ id, reason: "not yours" }),
        delete: (id: number) => caller.keys.delete({ id }),
      };
      for (const [name, attempt] of Object.entries(attempts)) {
        const missing = await outcome(attempt(MISSING_ID));
        expect(missing, name).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);
        for (const id of ids) {
          const theirs = await outcome(attempt(id));
          expect(theirs, `${name} #${id}`).toBe(`NOT_FOUND: No API key with ID ${id} was found.`);
          expect(normalise(theirs), `${name} #${id}`).toBe(normalise(missing));
        }
      }

      expect(await Promise.all(ids.map(keyRow))).toEqual(rowsBefore);
      expect(await counts()).toEqual(start);
      const own = await caller.keys.list();
      for (const id of ids) expect(own.map((k) => k.id)).not.toContain(id);
      expect(own.every((k) => k.owner?.id === (who === "alice" ? alice.id : root.id))).toBe(true);
    });
  }

  it("an admin's revokeAllLegacy touches only the admin's own legacy keys", async () => {
    const bobsLegacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: bob.id, name: "bob legacy vs admin" });
    const rootsLegacy = await createLegacyKey(t.db, TEST_SECRET, { ownerId: root.id, name: "root legacy" });
    const before = await keyRow(bobsLegacy.key.id);
    expect(await as(root).keys.revokeAllLegacy()).toEqual({ revoked: 1 });
    expect(await keyRow(bobsLegacy.key.id)).toEqual(before);
    expect((await keyRow(rootsLegacy.key.id))!.revokedAt).not.toBeNull();
  });

  it("the admin's list holds only the admin's keys", async () => {
    const mine = await as(root).keys.create({ name: "root's key", scopes: ["push"], glob: "*" });
    const list = await as(root).keys.list();
    expect(list.map((k) => k.id)).toContain(mine.key.id);
    expect(list.every((k) => k.owner?.id === root.id)).toBe(true);
  });
});

describe("signed-out callers", () => {
  it("get UNAUTHORIZED from every procedure and change nothing", async () => {
    const anon = as(null);
    const start = await counts();
    const [someKey] = await t.db.apiKey.findMany({ take: 1 });
    const id = someKey!.id;
    const calls: Record<string, Promise<unknown>> = {
      "keys.list": anon.keys.list(),
      "keys.ownedPackages": anon.keys.ownedPackages(),
      "keys.create": anon.keys.create({ name: "anon", scopes: ["push"], glob: "*" }),
      "keys.updatePackages": anon.keys.updatePackages({ id, glob: "*" }),
      "keys.regenerate": anon.keys.regenerate({ id }),
      "keys.revoke": anon.keys.revoke({ id }),
      "keys.delete": anon.keys.delete({ id }),
      "keys.revokeAllLegacy": anon.keys.revokeAllLegacy(),
      "outbox.list": anon.outbox.list(),
    };
    for (const [name, call] of Object.entries(calls)) expect(await outcome(call), name).toBe("UNAUTHORIZED: Sign in to continue.");
    // Even with input that would not validate, the answer is the same.
    expect(await outcome(anon.keys.create({ name: "", scopes: [] }))).toBe("UNAUTHORIZED: Sign in to continue.");
    expect(await counts()).toEqual(start);
    expect(await keyRow(id)).toEqual(someKey);
  });

  it("mutations without the CSRF proof are refused", async () => {
    const c = callerFor(t.db, alice, { csrfOk: false });
    const start = await counts();
    expect(await outcome(c.keys.create({ name: "csrf", scopes: ["push"], glob: "*" }))).toMatch(/^FORBIDDEN: This request did not come from the Keyhouse app/);
    expect(await outcome(c.keys.revokeAllLegacy())).toMatch(/^FORBIDDEN: This request did not come from the Keyhouse app/);
    expect(await counts()).toEqual(start);
  });
});
