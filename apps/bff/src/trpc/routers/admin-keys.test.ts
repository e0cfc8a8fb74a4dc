// Admin › API keys through the tRPC procedures, as the SPA calls them, against a real
// migrated database (SQLite, or PostgreSQL with KEYHOUSE_TEST_DB=postgres). No mocks.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkKeyFormat, keyHint, type AdminKeyListInput } from "@keyhouse/shared";
import { createApiKey, createFeed, type createUser } from "../../db/factories.ts";
import { hashKeyValue } from "../../keys/secrets.ts";
import { KeyVerifier } from "../../keys/verify.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../../test/database.ts";
import { callerFor, TEST_SECRET, testConfig } from "../../test/server.ts";
import { keyTables } from "../../test/key-tables.ts";
import { outcome } from "../../test/outcome.ts";
import { seedUsers } from "../../test/world.ts";

const DAY = 24 * 60 * 60 * 1000;
const IP = "203.0.113.7"; // what callerFor reports as the client address
const MISSING_ID = 987654;
const FORBIDDEN = "FORBIDDEN: Only administrators can do this.";

type UserRow = Awaited<ReturnType<typeof createUser>>;

let t: TestDatabase;
let alice: UserRow, bob: UserRow, root: UserRow;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ alice, bob, root } = await seedUsers(t.db, { alice: {}, bob: {}, root: { role: "admin" } }));
  await createFeed(t.db, { name: "nuget", type: "nuget" });
  await createFeed(t.db, { name: "npm", type: "npm" });
  await createFeed(t.db, { name: "gems", type: "rubygems" });
});
afterAll(() => t.drop());

// The configuration names the database in use: the text search asks PostgreSQL to ignore case.
const config = testConfig({ provider: testProvider });
const as = (u: UserRow | null) => callerFor(t.db, u, { config });
const admin = () => as(root);
/** Lets a test send what the types forbid, as a hand-made request would. */
const raw = (x: unknown) => x as never;

const { keyRow, auditFor, noticesFor, counts } = keyTables(() => t.db);

/** Every row of the tables that could ever hold a key, as text. */
async function everythingStored(): Promise<string> {
  const parts: unknown[] = [];
  for (const table of ["ApiKey", "AuditEvent", "Notification", "AccessLogEntry", "Session"]) {
    parts.push(await t.db.$queryRawUnsafe(`SELECT * FROM "${table}"`));
  }
  return JSON.stringify(parts, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

function expectStoredNowhere(value: string) {
  return (async () => {
    expect(await everythingStored()).not.toContain(value);
    if (t.file) {
      for (const f of [t.file, `${t.file}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(value))).toBe(false);
    }
  })();
}

function expectNoSecretFields(obj: object) {
  for (const field of ["secretHash", "value", "secret", "key"]) expect(obj).not.toHaveProperty(field);
}

/** What the form sends when only some fields are filled in. */
const systemKey = (over: Record<string, unknown> = {}) => ({
  keyMode: "generate" as const,
  description: "Test system key",
  apis: ["feeds" as const],
  user: "",
  feeds: [] as string[],
  logRequestBody: false,
  logResponseBody: false,
  expiresAt: null,
  ...over,
});

// ---------------------------------------------------------------------------------------
// The grid. Runs first, over a known set of nine keys of every kind, owner and status.
// ---------------------------------------------------------------------------------------

type Fixture = { id: number; name: string; value: string; expiresAt: Date | null; lastUsedAt: Date | null };
const F: Record<string, Fixture> = {};
const ids = (...names: string[]) => names.map((n) => F[n]!.id);
const listIds = async (input: Partial<AdminKeyListInput> | Record<string, unknown> = {}) => (await admin().adminKeys.list(raw(input))).rows.map((r) => r.id);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe("adminKeys.list", () => {
  beforeAll(async () => {
    const now = Date.now();
    const at = (days: number) => new Date(now + days * DAY);
    const make = async (
      tag: string,
      o: Parameters<typeof createApiKey>[2] & { name: string; createdDaysAgo: number; lastUsedDaysAgo?: number; description?: string; revoked?: boolean },
    ) => {
      const { key, value } = await createApiKey(t.db, TEST_SECRET, { ...o, revokedAt: o.revoked ? at(-0.5) : null });
      const lastUsedAt = o.lastUsedDaysAgo === undefined ? null : at(-o.lastUsedDaysAgo);
      await t.db.apiKey.update({ where: { id: key.id }, data: { createdAt: at(-o.createdDaysAgo), lastUsedAt, description: o.description ?? null } });
      F[tag] = { id: key.id, name: o.name, value, expiresAt: key.expiresAt, lastUsedAt };
    };
    // Names start with distinct capitals so every database collates them alike.
    await make("a1", { name: "Alpha deploy", kind: "scoped", ownerId: alice.id, expiresAt: at(200), createdDaysAgo: 9, lastUsedDaysAgo: 1 });
    await make("a2", { name: "Bravo publish", kind: "scoped", ownerId: alice.id, feeds: ["nuget"], expiresAt: at(5), createdDaysAgo: 8 });
    await make("a3", { name: "Charlie legacy", kind: "legacy", ownerId: alice.id, expiresAt: null, createdDaysAgo: 7, lastUsedDaysAgo: 3 });
    await make("b1", { name: "Delta build", kind: "scoped", ownerId: bob.id, expiresAt: at(-1), createdDaysAgo: 6, lastUsedDaysAgo: 10 });
    await make("b2", { name: "Echo old", kind: "scoped", ownerId: bob.id, expiresAt: at(100), revoked: true, createdDaysAgo: 5 });
    await make("b3", { name: "Foxtrot legacy", kind: "legacy", ownerId: bob.id, expiresAt: null, revoked: true, createdDaysAgo: 4, lastUsedDaysAgo: 2 });
    await make("s1", {
      name: "Golf mirror",
      kind: "system",
      userId: alice.id,
      apis: ["feeds", "native"],
      feeds: ["npm"],
      expiresAt: null,
      description: "Mirrors NPM packages",
      createdDaysAgo: 3,
    });
    await make("s2", { name: "Hotel ops", kind: "system", apis: ["native"], expiresAt: at(30), createdDaysAgo: 2, lastUsedDaysAgo: 5 });
    await make("s3", {
      name: "India robot",
      kind: "system",
      userId: bob.id,
      apis: ["keys"],
      feeds: ["nuget", "gems"],
      expiresAt: at(400),
      value: "robot-custom-value-QQZZ",
      createdDaysAgo: 1,
    });
  });

  it("lists every key of every owner and kind, newest first, with owner, user, status and no secrets", async () => {
    const out = await admin().adminKeys.list({});
    expect(out).toMatchObject({ total: 9, page: 1, pageSize: 25 });
    expect(out.rows.map((r) => r.id)).toEqual(ids("s3", "s2", "s1", "b3", "b2", "b1", "a3", "a2", "a1"));
    const byId = new Map(out.rows.map((r) => [r.id, r]));
    expect(byId.get(F.s1!.id)).toMatchObject({
      kind: "system",
      name: "Golf mirror",
      description: "Mirrors NPM packages",
      owner: null,
      user: { id: alice.id, username: "alice" },
      apis: ["feeds", "native"],
      feeds: ["npm"],
      status: { state: "active", label: "Active", daysLeft: null },
    });
    expect(byId.get(F.s3!.id)).toMatchObject({ hint: "robo…QQZZ", user: { username: "bob" }, feeds: ["nuget", "gems"] });
    expect(byId.get(F.a1!.id)).toMatchObject({ kind: "scoped", owner: { id: alice.id, username: "alice" }, user: null, feeds: null });
    expect(Object.fromEntries(out.rows.map((r) => [r.name, r.status.label]))).toEqual({
      "Alpha deploy": "Active",
      "Bravo publish": "Expires in 5 days",
      "Charlie legacy": "Full access (legacy)",
      "Delta build": "Expired",
      "Echo old": "Revoked",
      "Foxtrot legacy": "Revoked",
      "Golf mirror": "Active",
      "Hotel ops": "Active",
      "India robot": "Active",
    });
    for (const row of out.rows) expectNoSecretFields(row);
    const text = JSON.stringify(out);
    for (const f of Object.values(F)) {
      expect(text).not.toContain(f.value);
      expect(text).not.toContain(hashKeyValue(f.value, TEST_SECRET));
    }
  });

  it("filters by kind, owner (exact), user (exact) and API", async () => {
    expect(sorted(await listIds({ kind: "scoped" }))).toEqual(ids("a1", "a2", "b1", "b2"));
    expect(sorted(await listIds({ kind: "system" }))).toEqual(ids("s1", "s2", "s3"));
    expect(sorted(await listIds({ kind: "legacy" }))).toEqual(ids("a3", "b3"));
    expect(sorted(await listIds({ owner: "alice" }))).toEqual(ids("a1", "a2", "a3"));
    expect(sorted(await listIds({ owner: "bob" }))).toEqual(ids("b1", "b2", "b3"));
    expect(await listIds({ owner: "Alice" })).toEqual([]);
    expect(await listIds({ owner: "nobody" })).toEqual([]);
    expect(await listIds({ user: "alice" })).toEqual(ids("s1"));
    expect(await listIds({ user: "bob" })).toEqual(ids("s3"));
    expect(await listIds({ user: "BOB" })).toEqual([]);
    expect(sorted(await listIds({ api: "native" }))).toEqual(ids("s1", "s2"));
    expect(await listIds({ api: "keys" })).toEqual(ids("s3"));
    expect(sorted(await listIds({ api: "feeds" }))).toEqual(ids("a1", "a2", "a3", "b1", "b2", "b3", "s1"));
  });

  it("filters by status, one class per key, matching the status each row shows", async () => {
    const classes = { active: ["a1", "s1", "s2", "s3"], expiring: ["a2"], expired: ["b1"], revoked: ["b2", "b3"], legacy: ["a3"] } as const;
    for (const [status, names] of Object.entries(classes)) {
      const out = await admin().adminKeys.list({ status: status as keyof typeof classes });
      expect(sorted(out.rows.map((r) => r.id)), status).toEqual(ids(...names));
      expect(out.total).toBe(names.length);
      for (const row of out.rows) expect(row.status.state).toBe(status);
    }
  });

  it("filters by feed, keeping keys without a feed restriction", async () => {
    expect(sorted(await listIds({ feed: "nuget" }))).toEqual(ids("a1", "a2", "a3", "b1", "b2", "b3", "s2", "s3"));
    expect(sorted(await listIds({ feed: "npm" }))).toEqual(ids("a1", "a3", "b1", "b2", "b3", "s1", "s2"));
    expect(sorted(await listIds({ feed: "gems" }))).toEqual(ids("a1", "a3", "b1", "b2", "b3", "s2", "s3"));
    // A feed no key names: only the unrestricted keys reach it.
    expect(sorted(await listIds({ feed: "pypi" }))).toEqual(ids("a1", "a3", "b1", "b2", "b3", "s2"));
  });

  it("searches name, description and hint, ignoring case", async () => {
    expect(await listIds({ text: "alpha" })).toEqual(ids("a1"));
    expect(await listIds({ text: "ALPHA DEPLOY" })).toEqual(ids("a1"));
    expect(await listIds({ text: "  aLpHa  " })).toEqual(ids("a1"));
    expect(await listIds({ text: "npm packages" })).toEqual(ids("s1"));
    expect(await listIds({ text: "qqzz" })).toEqual(ids("s3"));
    expect(sorted(await listIds({ text: "LEGACY" }))).toEqual(ids("a3", "b3"));
    expect(await listIds({ text: "no such words" })).toEqual([]);
  });

  it("combines filters", async () => {
    expect(sorted(await listIds({ kind: "scoped", owner: "alice" }))).toEqual(ids("a1", "a2"));
    expect(await listIds({ kind: "scoped", owner: "alice", status: "expiring" })).toEqual(ids("a2"));
    expect(await listIds({ kind: "scoped", owner: "alice", status: "expired" })).toEqual([]);
    expect(sorted(await listIds({ owner: "bob", status: "revoked" }))).toEqual(ids("b2", "b3"));
    expect(sorted(await listIds({ kind: "system", api: "native", feed: "npm" }))).toEqual(ids("s1", "s2"));
    expect(await listIds({ kind: "system", api: "native", feed: "nuget" })).toEqual(ids("s2"));
    expect(await listIds({ text: "legacy", owner: "bob" })).toEqual(ids("b3"));
    expect(await listIds({ text: "legacy", status: "legacy" })).toEqual(ids("a3"));
    expect(await listIds({ user: "bob", api: "keys", feed: "gems", status: "active", text: "robot" })).toEqual(ids("s3"));
    const out = await admin().adminKeys.list({ kind: "scoped", feed: "npm", pageSize: 5 });
    expect(out.total).toBe(3);
    expect(sorted(out.rows.map((r) => r.id))).toEqual(ids("a1", "b1", "b2"));
  });

  it("sorts by created, name, expires and last used, both ways, never-expiring and never-used keys last", async () => {
    const all = ["a1", "a2", "a3", "b1", "b2", "b3", "s1", "s2", "s3"];
    expect(await listIds({ sort: "created", dir: "desc" })).toEqual(ids(...[...all].reverse()));
    expect(await listIds({ sort: "created", dir: "asc" })).toEqual(ids(...all));
    expect(await listIds({ sort: "name", dir: "asc" })).toEqual(ids(...all));
    expect(await listIds({ sort: "name", dir: "desc" })).toEqual(ids(...[...all].reverse()));
    expect(await listIds({ sort: "expires", dir: "asc" })).toEqual(ids("b1", "a2", "s2", "b2", "a1", "s3", "a3", "b3", "s1"));
    expect(await listIds({ sort: "expires", dir: "desc" })).toEqual(ids("s3", "a1", "b2", "s2", "a2", "b1", "s1", "b3", "a3"));
    expect(await listIds({ sort: "lastUsed", dir: "asc" })).toEqual(ids("b1", "s2", "a3", "b3", "a1", "a2", "b2", "s1", "s3"));
    expect(await listIds({ sort: "lastUsed", dir: "desc" })).toEqual(ids("a1", "b3", "a3", "s2", "b1", "s3", "s1", "b2", "a2"));
    // Sorting applies before paging: page 2 of name ascending starts where page 1 stopped.
    expect(await listIds({ sort: "name", dir: "asc", pageSize: 5, page: 2 })).toEqual(ids("b3", "s1", "s2", "s3"));
  });

  it("pages on the server and reports the total of the whole filtered list", async () => {
    const p1 = await admin().adminKeys.list({ pageSize: 5 });
    const p2 = await admin().adminKeys.list({ pageSize: 5, page: 2 });
    const p3 = await admin().adminKeys.list({ pageSize: 5, page: 3 });
    expect(p1).toMatchObject({ total: 9, page: 1, pageSize: 5 });
    expect(p2).toMatchObject({ total: 9, page: 2, pageSize: 5 });
    expect(p3).toMatchObject({ total: 9, page: 3, pageSize: 5, rows: [] });
    expect(p1.rows).toHaveLength(5);
    expect(p2.rows).toHaveLength(4);
    expect([...p1.rows, ...p2.rows].map((r) => r.id)).toEqual(await listIds({}));
    const filtered = await admin().adminKeys.list({ owner: "bob", pageSize: 5, page: 1 });
    expect(filtered.total).toBe(3);
  });

  it("falls back to the defaults for nonsense parameters rather than failing (they come from the URL)", async () => {
    const out = await admin().adminKeys.list(raw({ kind: "nope", status: "weird", api: "soap", sort: "bogus", dir: "sideways", page: 0, pageSize: 1000 }));
    expect(out).toMatchObject({ total: 9, page: 1, pageSize: 25 });
    expect(out.rows.map((r) => r.id)).toEqual(await listIds({}));
    expect(await admin().adminKeys.list(raw({ page: "2", pageSize: "5" }))).toMatchObject({ page: 2, pageSize: 5, total: 9 });
  });
});

describe("adminKeys.options", () => {
  it("answers the users and feeds for the form, by name", async () => {
    expect(await admin().adminKeys.options()).toEqual({
      users: [
        { id: alice.id, username: "alice", displayName: "Alice" },
        { id: bob.id, username: "bob", displayName: "Bob" },
        { id: root.id, username: "root", displayName: "Root" },
      ],
      feeds: [
        { name: "gems", type: "rubygems" },
        { name: "npm", type: "npm" },
        { name: "nuget", type: "nuget" },
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------
// System keys
// ---------------------------------------------------------------------------------------

describe("adminKeys.create", () => {
  it("takes a custom value, answers it once, and stores only its hash and hint", async () => {
    const value = "build-server-key-0001-custom";
    const out = await admin().adminKeys.create(
      systemKey({ keyMode: "custom", customKey: value, description: "Build server", apis: ["feeds", "native"], logRequestBody: true }),
    );
    expect(out.value).toBe(value);
    expect(checkKeyFormat(out.value)).toBe("custom");
    expect(out.key).toMatchObject({
      kind: "system",
      name: "Build server",
      description: "Build server",
      // A custom value shows only its last 4 characters.
      hint: "…stom",
      owner: null,
      user: null,
      apis: ["feeds", "native"],
      scopes: ["push", "update", "unlist"],
      feeds: null,
      expiresAt: null,
      logRequestBody: true,
      logResponseBody: false,
      revokedAt: null,
      status: { state: "active", label: "Active", daysLeft: null },
    });
    expectNoSecretFields(out.key);
    expect(JSON.stringify(out.key)).not.toContain(value);

    const row = (await keyRow(out.key.id))!;
    expect(row.secretHash).toBe(hashKeyValue(value, TEST_SECRET));
    expect(row.hint).toBe("…stom");
    expect(row.createdById).toBe(root.id);
    await expectStoredNowhere(value);

    // The value works: the verifier finds the key by it.
    const found = await new KeyVerifier(t.db, TEST_SECRET).lookup(value);
    expect(found.status === "found" && found.key.row.id).toBe(out.key.id);

    const audit = await auditFor(out.key.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "key.created", actorId: root.id, actorName: "root", ip: IP, keyName: "Build server", ownerId: null });
    expect(JSON.parse(audit[0]!.details)).toEqual({ kind: "system", apis: ["feeds", "native"], user: null, feeds: [], custom: true });
    // No owner, so nobody to notify.
    expect(await noticesFor(out.key.id)).toEqual([]);
  });

  it("refuses a custom value already in use by any key, writing nothing", async () => {
    const taken = "shared-custom-value-000042";
    await admin().adminKeys.create(systemKey({ keyMode: "custom", customKey: taken }));
    const legacy = await createApiKey(t.db, TEST_SECRET, { kind: "legacy", ownerId: alice.id, name: "GUID key" });
    const start = await counts();
    const message = "CONFLICT: That key value is already in use. Choose another value, or let Keyhouse generate one.";
    expect(await outcome(admin().adminKeys.create(systemKey({ keyMode: "custom", customKey: taken, description: "Copy" })))).toBe(message);
    // A legacy GUID is a valid custom value in shape, but it is taken too.
    expect(await outcome(admin().adminKeys.create(systemKey({ keyMode: "custom", customKey: legacy.value })))).toBe(message);
    expect(await counts()).toEqual(start);
  });

  it("refuses bad custom values and other bad input with the form's messages, writing nothing", async () => {
    const start = await counts();
    const c = admin().adminKeys;
    expect(await outcome(c.create(systemKey({ keyMode: "custom", customKey: "a".repeat(19) })))).toBe(
      "BAD_REQUEST: A custom key must be at least 20 characters.",
    );
    expect(await outcome(c.create(systemKey({ keyMode: "custom", customKey: "short" })))).toBe("BAD_REQUEST: A custom key must be at least 20 characters.");
    expect(await outcome(c.create(systemKey({ keyMode: "custom", customKey: "a".repeat(201) })))).toBe(
      "BAD_REQUEST: A custom key must be at most 200 characters.",
    );
    const shape = 'BAD_REQUEST: A custom key may use printable characters without spaces, and must not start with "khk_" (that prefix is for generated keys).';
    expect(await outcome(c.create(systemKey({ keyMode: "custom", customKey: "has spaces in the middle of it" })))).toBe(shape);
    expect(await outcome(c.create(systemKey({ keyMode: "custom", customKey: "khk_looks-like-a-generated-key" })))).toBe(shape);
    expect(await outcome(c.create(systemKey({ keyMode: "custom" })))).toBe("BAD_REQUEST: Enter the custom key value.");
    // The form sends an empty text box as "": that is no value.
    expect(await outcome(c.create(systemKey({ keyMode: "custom", customKey: "" })))).toBe("BAD_REQUEST: Enter the custom key value.");
    expect(await outcome(c.create(systemKey({ apis: [] })))).toBe("BAD_REQUEST: Select at least one API.");
    expect(await outcome(c.create(raw(systemKey({ apis: ["soap"] }))))).toBe('BAD_REQUEST: Unknown API: use "feeds", "native" or "keys".');
    expect(await outcome(c.create(systemKey({ description: "d".repeat(1001) })))).toBe("BAD_REQUEST: The description must be at most 1000 characters.");
    expect(await outcome(c.create(systemKey({ expiresAt: "not a date" })))).toBe("BAD_REQUEST: The expiry must be a date, e.g. 2027-12-31.");
    expect(await counts()).toEqual(start);
    // Exactly 20 characters is enough.
    const ok = await c.create(systemKey({ keyMode: "custom", customKey: `${"x".repeat(19)}!` }));
    expect(ok.value).toBe(`${"x".repeat(19)}!`);
  });

  it("refuses a system key without a description, creating nothing", async () => {
    const start = await counts();
    for (const description of ["", "   ", null, undefined]) {
      expect(await outcome(admin().adminKeys.create(systemKey({ description })))).toBe(`BAD_REQUEST: A description is required.`);
    }
    expect(await outcome(admin().adminKeys.create(raw({ apis: ["native"] })))).toBe(`BAD_REQUEST: A description is required.`);
    expect(await counts()).toEqual(start);
  });

  it("generates a khk_ value when asked, named by its description or else by its hint", async () => {
    const out = await admin().adminKeys.create(systemKey({ description: "  Nightly mirror  " }));
    expect(out.value).toMatch(/^khk_[0-9A-Za-z]{36}$/);
    expect(checkKeyFormat(out.value)).toBe("generated");
    expect(out.key).toMatchObject({ name: "Nightly mirror", description: "Nightly mirror", hint: keyHint(out.value) });
    expect((await keyRow(out.key.id))!.secretHash).toBe(hashKeyValue(out.value, TEST_SECRET));
    await expectStoredNowhere(out.value.slice(4, 34));

    // An empty custom box is ignored when generating.
    const blank = await admin().adminKeys.create(systemKey({ customKey: "" }));
    expect(blank.value).toMatch(/^khk_/);

    const described = await admin().adminKeys.create(raw({ apis: ["native"], description: "Mirror" }));
    expect(described.value).toMatch(/^khk_/);
    expect(described.key).toMatchObject({ name: "Mirror", description: "Mirror", apis: ["native"], feeds: null, user: null });

    const named = await admin().adminKeys.create(systemKey({ name: "Explicit name", description: "Something else" }));
    expect(named.key.name).toBe("Explicit name");
  });

  it("impersonates a user by exact user name, and refuses unknown names, naming them", async () => {
    const out = await admin().adminKeys.create(systemKey({ user: "alice", description: "As alice" }));
    expect(out.key.user).toEqual({ id: alice.id, username: "alice" });
    expect((await keyRow(out.key.id))!.userId).toBe(alice.id);
    expect(JSON.parse((await auditFor(out.key.id))[0]!.details)).toMatchObject({ user: "alice" });

    const start = await counts();
    expect(await outcome(admin().adminKeys.create(systemKey({ user: "Alice" })))).toBe(
      'BAD_REQUEST: There is no user named "Alice" (user names match exactly).',
    );
    expect(await outcome(admin().adminKeys.create(systemKey({ user: "nobody" })))).toBe(
      'BAD_REQUEST: There is no user named "nobody" (user names match exactly).',
    );
    expect(await counts()).toEqual(start);

    // An empty user is the API key user.
    const api = await admin().adminKeys.create(systemKey({ user: "   " }));
    expect(api.key.user).toBeNull();
  });

  it("restricts to the chosen feeds (none: all), and refuses unknown feeds, naming them", async () => {
    const out = await admin().adminKeys.create(systemKey({ feeds: ["nuget", "npm", "nuget"] }));
    expect(out.key.feeds).toEqual(["nuget", "npm"]);
    expect(JSON.parse((await keyRow(out.key.id))!.feeds!)).toEqual(["nuget", "npm"]);
    const all = await admin().adminKeys.create(systemKey({ feeds: [] }));
    expect(all.key.feeds).toBeNull();
    expect((await keyRow(all.key.id))!.feeds).toBeNull();

    const start = await counts();
    expect(await outcome(admin().adminKeys.create(systemKey({ feeds: ["pypi"] })))).toBe('BAD_REQUEST: There is no feed named "pypi".');
    expect(await outcome(admin().adminKeys.create(systemKey({ feeds: ["nuget", "pypi", "maven"] })))).toBe(
      'BAD_REQUEST: There is no feed named "pypi", "maven".',
    );
    expect(await counts()).toEqual(start);
  });

  it("takes an optional expiry in the future and refuses one in the past", async () => {
    const out = await admin().adminKeys.create(systemKey({ expiresAt: "2099-12-31" }));
    expect(out.key.expiresAt).toEqual(new Date("2099-12-31T00:00:00.000Z"));
    expect(out.key.status.state).toBe("active");
    const soon = await admin().adminKeys.create(systemKey({ expiresAt: new Date(Date.now() + 3 * DAY) }));
    expect(soon.key.status).toMatchObject({ state: "expiring", label: "Expires in 3 days" });

    // The form's empty date box: never.
    const never = await admin().adminKeys.create(systemKey({ expiresAt: "" }));
    expect(never.key.expiresAt).toBeNull();

    const start = await counts();
    expect(await outcome(admin().adminKeys.create(systemKey({ expiresAt: "2020-01-01" })))).toBe("BAD_REQUEST: The expiry must be in the future.");
    expect(await outcome(admin().adminKeys.create(systemKey({ expiresAt: new Date(Date.now() - 1000) })))).toBe(
      "BAD_REQUEST: The expiry must be in the future.",
    );
    expect(await counts()).toEqual(start);
  });
});

describe("adminKeys.update", () => {
  it("keeps the value when asked to, replacing every other field", async () => {
    const made = await admin().adminKeys.create(
      systemKey({ description: "Before", apis: ["feeds"], user: "alice", feeds: ["nuget"], logRequestBody: true, expiresAt: "2099-01-01" }),
    );
    const before = (await keyRow(made.key.id))!;
    const out = await admin().adminKeys.update({
      id: made.key.id,
      keyMode: "keep",
      description: "After",
      apis: ["native", "keys"],
      user: "bob",
      feeds: ["npm", "gems"],
      logRequestBody: false,
      logResponseBody: true,
      expiresAt: null,
    });
    expect(out.value).toBeNull();
    expect(out.key).toMatchObject({
      id: made.key.id,
      kind: "system",
      // The name came from the description, so it follows it.
      name: "After",
      description: "After",
      hint: made.key.hint,
      apis: ["native", "keys"],
      user: { id: bob.id, username: "bob" },
      feeds: ["npm", "gems"],
      logRequestBody: false,
      logResponseBody: true,
      expiresAt: null,
    });
    expectNoSecretFields(out.key);
    const after = (await keyRow(made.key.id))!;
    expect(after.secretHash).toBe(before.secretHash);
    expect(after.regeneratedAt).toBeNull();
    const audit = await auditFor(made.key.id);
    expect(audit.map((a) => a.action)).toEqual(["key.created", "key.updated"]);
    expect(JSON.parse(audit[1]!.details)).toEqual({ apis: ["native", "keys"], user: "bob", feeds: ["npm", "gems"], newValue: false });
    expect(audit[1]).toMatchObject({ actorName: "root", ip: IP });

    // Clearing the user and the feeds: the API key user, on every feed. An explicit name stays.
    const cleared = await admin().adminKeys.update({ id: made.key.id, name: "Pinned", description: "Later", apis: ["feeds"], user: "", feeds: [] });
    expect(cleared.key).toMatchObject({ name: "Pinned", description: "Later", user: null, feeds: null, logRequestBody: false, logResponseBody: false });
    const again = await admin().adminKeys.update({ id: made.key.id, description: "Much later", apis: ["feeds"] });
    expect(again.key.name).toBe("Pinned");
  });

  it("replaces the value with a generated or custom one, answered once; the old value stops working", async () => {
    const made = await admin().adminKeys.create(systemKey({ keyMode: "custom", customKey: "original-custom-value-01" }));
    const verifier = () => new KeyVerifier(t.db, TEST_SECRET);

    const gen = await admin().adminKeys.update({ id: made.key.id, keyMode: "generate", apis: ["feeds"] });
    expect(gen.value).toMatch(/^khk_[0-9A-Za-z]{36}$/);
    expect(gen.key).toMatchObject({ hint: keyHint(gen.value!), name: `System key ${keyHint(gen.value!)}` });
    expect((await verifier().lookup("original-custom-value-01")).status).toBe("unknown");
    const found = await verifier().lookup(gen.value!);
    expect(found.status === "found" && found.key.row.id).toBe(made.key.id);
    const row = (await keyRow(made.key.id))!;
    expect(row.secretHash).toBe(hashKeyValue(gen.value!, TEST_SECRET));
    expect(row.regeneratedAt).not.toBeNull();

    const custom = await admin().adminKeys.update({ id: made.key.id, keyMode: "custom", customKey: "replacement-custom-value", apis: ["feeds"] });
    expect(custom.value).toBe("replacement-custom-value");
    expect((await verifier().lookup(gen.value!)).status).toBe("unknown");
    expect((await verifier().lookup("replacement-custom-value")).status).toBe("found");
    await expectStoredNowhere("replacement-custom-value");
    await expectStoredNowhere(gen.value!.slice(4, 34));

    const audit = await auditFor(made.key.id);
    expect(audit.map((a) => a.action)).toEqual(["key.created", "key.regenerated", "key.regenerated"]);
    for (const a of audit) expect(a.details).not.toContain("replacement-custom-value");
  });

  it("refuses scoped and legacy keys, revoked keys, unknown ids and bad input, changing nothing", async () => {
    const scoped = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, name: "alice scoped" });
    const legacy = await createApiKey(t.db, TEST_SECRET, { kind: "legacy", ownerId: bob.id, name: "bob legacy" });
    const sys = await admin().adminKeys.create(systemKey({ description: "Target" }));
    const other = await admin().adminKeys.create(systemKey({ keyMode: "custom", customKey: "someone-elses-value-123" }));
    const revoked = await admin().adminKeys.create(systemKey({ description: "Gone" }));
    await admin().adminKeys.revoke({ id: revoked.key.id });
    const snapshot = () => Promise.all([scoped.key.id, legacy.key.id, sys.key.id, revoked.key.id].map(keyRow));
    const before = await snapshot();
    const start = await counts();
    const c = admin().adminKeys;

    const notHere =
      "BAD_REQUEST: Only system keys are edited here. Scoped and legacy keys are managed by their owners under Account › API keys; you can revoke or delete them.";
    expect(await outcome(c.update({ id: scoped.key.id, apis: ["feeds"] }))).toBe(notHere);
    expect(await outcome(c.update({ id: legacy.key.id, keyMode: "generate", apis: ["feeds"] }))).toBe(notHere);
    expect(await outcome(c.update({ id: revoked.key.id, keyMode: "generate", apis: ["feeds"] }))).toBe(
      "CONFLICT: This key is revoked and can no longer be edited. Create a new system key instead.",
    );
    expect(await outcome(c.update({ id: MISSING_ID, apis: ["feeds"] }))).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);
    for (const id of [0, -1, 1.5]) expect(await outcome(c.update({ id, apis: ["feeds"] }))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(c.update({ id: sys.key.id, keyMode: "custom", customKey: "someone-elses-value-123", apis: ["feeds"] }))).toBe(
      "CONFLICT: That key value is already in use. Choose another value, or let Keyhouse generate one.",
    );
    expect(await outcome(c.update({ id: sys.key.id, keyMode: "custom", apis: ["feeds"] }))).toBe("BAD_REQUEST: Enter the custom key value.");
    expect(await outcome(c.update({ id: sys.key.id, keyMode: "custom", customKey: "too-short", apis: ["feeds"] }))).toBe(
      "BAD_REQUEST: A custom key must be at least 20 characters.",
    );
    expect(await outcome(c.update({ id: sys.key.id, apis: [] }))).toBe("BAD_REQUEST: Select at least one API.");
    expect(await outcome(c.update({ id: sys.key.id, apis: ["feeds"], user: "Bob" }))).toBe(
      'BAD_REQUEST: There is no user named "Bob" (user names match exactly).',
    );
    expect(await outcome(c.update({ id: sys.key.id, apis: ["feeds"], feeds: ["pypi"] }))).toBe('BAD_REQUEST: There is no feed named "pypi".');
    expect(await outcome(c.update({ id: sys.key.id, apis: ["feeds"], expiresAt: "2001-01-01" }))).toBe("BAD_REQUEST: The expiry must be in the future.");
    expect(await snapshot()).toEqual(before);
    expect(await counts()).toEqual(start);
    expect((await keyRow(other.key.id))!.secretHash).toBe(hashKeyValue("someone-elses-value-123", TEST_SECRET));
  });
});

// ---------------------------------------------------------------------------------------
// Revoke and delete reach every key
// ---------------------------------------------------------------------------------------

describe("adminKeys.revoke", () => {
  it("revokes any user's key, with an audit event and a notice to the owner that never holds the value", async () => {
    const made = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, name: "Alice CI" });
    const out = await admin().adminKeys.revoke({ id: made.key.id, reason: "  Leaked in a build log  " });
    expect(out).toMatchObject({
      id: made.key.id,
      owner: { username: "alice" },
      revokedReason: "Leaked in a build log",
      status: { state: "revoked", label: "Revoked" },
    });
    const row = (await keyRow(made.key.id))!;
    expect(row.revokedAt).not.toBeNull();
    expect(row.revokedById).toBe(root.id);

    const audit = await auditFor(made.key.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "key.revoked", actorId: root.id, actorName: "root", ip: IP, keyName: "Alice CI", ownerId: alice.id });
    expect(JSON.parse(audit[0]!.details)).toEqual({ reason: "Leaked in a build log" });

    const notices = await noticesFor(made.key.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ userId: alice.id, toAddress: "alice@example.com", kind: "key.revoked", subject: 'API key "Alice CI" revoked' });
    expect(notices[0]!.body).toContain('The API key "Alice CI" was revoked by root.');
    expect(notices[0]!.body).not.toContain(made.value);
    expect(notices[0]!.body).not.toContain(made.value.slice(4, 34));

    expect(await outcome(admin().adminKeys.revoke({ id: made.key.id }))).toBe("CONFLICT: This key is already revoked.");
    expect(await auditFor(made.key.id)).toHaveLength(1);
  });

  it("revokes legacy keys and ownerless system keys (audited; no one to notify)", async () => {
    const legacy = await createApiKey(t.db, TEST_SECRET, { kind: "legacy", ownerId: bob.id, name: "Bob legacy to revoke" });
    await admin().adminKeys.revoke({ id: legacy.key.id });
    expect((await noticesFor(legacy.key.id)).map((n) => [n.userId, n.kind])).toEqual([[bob.id, "key.revoked"]]);
    expect(JSON.parse((await auditFor(legacy.key.id))[0]!.details)).toEqual({ reason: null });

    const sys = await admin().adminKeys.create(systemKey({ keyMode: "custom", customKey: "system-to-revoke-000001" }));
    const out = await admin().adminKeys.revoke({ id: sys.key.id });
    expect(out.status.state).toBe("revoked");
    expect((await auditFor(sys.key.id)).map((a) => a.action)).toEqual(["key.created", "key.revoked"]);
    expect(await noticesFor(sys.key.id)).toEqual([]);
    // The revoked value no longer authenticates (the verifier sees the revocation).
    const found = await new KeyVerifier(t.db, TEST_SECRET).lookup("system-to-revoke-000001");
    expect(found.status === "found" && found.key.facts.revokedAt).not.toBeNull();
  });

  it("refuses an over-long reason, bad ids and unknown ids", async () => {
    const made = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: bob.id, name: "Bob untouched" });
    const start = await counts();
    expect(await outcome(admin().adminKeys.revoke({ id: made.key.id, reason: "r".repeat(201) }))).toBe(
      "BAD_REQUEST: The reason must be at most 200 characters.",
    );
    for (const id of [0, -5, 2.5]) expect(await outcome(admin().adminKeys.revoke({ id }))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(admin().adminKeys.revoke({ id: MISSING_ID }))).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);
    expect(await counts()).toEqual(start);
    expect((await keyRow(made.key.id))!.revokedAt).toBeNull();
  });
});

describe("adminKeys.delete", () => {
  it("deletes any user's key, with an audit event and a notice to the owner that never holds the value", async () => {
    const made = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: bob.id, name: "Bob deploy" });
    expect(await admin().adminKeys.delete({ id: made.key.id })).toEqual({ id: made.key.id });
    expect(await keyRow(made.key.id)).toBeNull();

    const audit = await t.db.auditEvent.findMany({ where: { keyId: made.key.id, action: "key.deleted" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: root.id, actorName: "root", ip: IP, keyName: "Bob deploy", ownerId: bob.id });
    expect(JSON.parse(audit[0]!.details)).toEqual({ kind: "scoped" });

    const notices = await t.db.notification.findMany({ where: { userId: bob.id, kind: "key.deleted", subject: 'API key "Bob deploy" deleted' } });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body).toContain('The API key "Bob deploy" was deleted by root.');
    expect(notices[0]!.body).not.toContain(made.value);
    expect(notices[0]!.body).not.toContain(made.value.slice(4, 34));

    expect(await outcome(admin().adminKeys.delete({ id: made.key.id }))).toBe(`NOT_FOUND: No API key with ID ${made.key.id} was found.`);
  });

  it("deletes revoked, legacy and system keys; refuses bad and unknown ids", async () => {
    const legacy = await createApiKey(t.db, TEST_SECRET, { kind: "legacy", ownerId: alice.id, name: "Alice legacy to delete" });
    const revoked = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, name: "Alice revoked", revokedAt: new Date() });
    const sys = await admin().adminKeys.create(systemKey({ description: "Delete me" }));
    const noticesBefore = await t.db.notification.count({ where: { userId: alice.id, kind: "key.deleted" } });
    for (const id of [legacy.key.id, revoked.key.id, sys.key.id]) await admin().adminKeys.delete({ id });
    for (const id of [legacy.key.id, revoked.key.id, sys.key.id]) expect(await keyRow(id)).toBeNull();
    expect(await t.db.notification.count({ where: { userId: alice.id, kind: "key.deleted" } })).toBe(noticesBefore + 2);
    expect(await t.db.auditEvent.count({ where: { keyId: sys.key.id, action: "key.deleted" } })).toBe(1);

    const start = await counts();
    for (const id of [0, -1, 1.5]) expect(await outcome(admin().adminKeys.delete({ id }))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(admin().adminKeys.delete(raw({})))).toBe("BAD_REQUEST: The key ID must be a positive whole number.");
    expect(await outcome(admin().adminKeys.delete({ id: MISSING_ID }))).toBe(`NOT_FOUND: No API key with ID ${MISSING_ID} was found.`);
    expect(await counts()).toEqual(start);
  });
});

// ---------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------

describe("non-admins", () => {
  it("get FORBIDDEN from every procedure, for their own keys too, and change nothing", async () => {
    const own = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, name: "Alice own" });
    const sys = await admin().adminKeys.create(systemKey({ description: "Not for alice" }));
    const snapshot = () => Promise.all([own.key.id, sys.key.id].map(keyRow));
    const before = await snapshot();
    const start = await counts();
    for (const u of [alice, bob]) {
      const c = as(u).adminKeys;
      expect(await outcome(c.list({}))).toBe(FORBIDDEN);
      expect(await outcome(c.list({ owner: u.username }))).toBe(FORBIDDEN);
      expect(await outcome(c.options())).toBe(FORBIDDEN);
      expect(await outcome(c.create(systemKey({ keyMode: "custom", customKey: "non-admin-custom-value-1" })))).toBe(FORBIDDEN);
      expect(await outcome(c.create(raw({})))).toBe(FORBIDDEN);
      expect(await outcome(c.update({ id: sys.key.id, keyMode: "generate", apis: ["native"] }))).toBe(FORBIDDEN);
      expect(await outcome(c.revoke({ id: own.key.id }))).toBe(FORBIDDEN);
      expect(await outcome(c.revoke({ id: sys.key.id }))).toBe(FORBIDDEN);
      expect(await outcome(c.delete({ id: own.key.id }))).toBe(FORBIDDEN);
      expect(await outcome(c.delete({ id: sys.key.id }))).toBe(FORBIDDEN);
    }
    expect(await snapshot()).toEqual(before);
    expect(await counts()).toEqual(start);
  });

  it("signed-out callers get UNAUTHORIZED from every procedure", async () => {
    const c = as(null).adminKeys;
    const start = await counts();
    const unauthorized = "UNAUTHORIZED: Sign in to continue.";
    expect(await outcome(c.list({}))).toBe(unauthorized);
    expect(await outcome(c.options())).toBe(unauthorized);
    expect(await outcome(c.create(systemKey()))).toBe(unauthorized);
    expect(await outcome(c.update({ id: 1, apis: ["feeds"] }))).toBe(unauthorized);
    expect(await outcome(c.revoke({ id: 1 }))).toBe(unauthorized);
    expect(await outcome(c.delete({ id: 1 }))).toBe(unauthorized);
    expect(await counts()).toEqual(start);
  });

  it("admin mutations without the CSRF proof are refused", async () => {
    const made = await createApiKey(t.db, TEST_SECRET, { kind: "scoped", ownerId: alice.id, name: "CSRF target" });
    const c = callerFor(t.db, root, { config, csrfOk: false }).adminKeys;
    const start = await counts();
    const csrf = "FORBIDDEN: This request did not come from the Keyhouse app (its CSRF token is missing or wrong). Reload the page and try again.";
    expect(await outcome(c.create(systemKey()))).toBe(csrf);
    expect(await outcome(c.revoke({ id: made.key.id }))).toBe(csrf);
    expect(await outcome(c.delete({ id: made.key.id }))).toBe(csrf);
    expect(await counts()).toEqual(start);
    // Reads need no proof.
    expect((await c.list({})).total).toBeGreaterThan(0);
  });
});
