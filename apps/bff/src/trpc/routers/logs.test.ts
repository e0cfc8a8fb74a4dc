// logs.list and logs.get through tRPC: the grid's filters and cursor, scoping by owner,
// validation and sign-in.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createUser } from "../../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../../test/database.ts";
import { callerFor, TEST_PASSWORD, TEST_SECRET, testConfig } from "../../test/server.ts";

type UserRow = Awaited<ReturnType<typeof createUser>>;

let t: TestDatabase;
let alice: UserRow, bob: UserRow, root: UserRow;
let aliceKey: number, bobKey: number;
const config = testConfig({ provider: testProvider });
const as = (u: UserRow | null) => callerFor(t.db, u, { config });

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "OK";
}

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  bob = await createUser(t.db, { username: "bob", password: TEST_PASSWORD });
  root = await createUser(t.db, { username: "root", password: TEST_PASSWORD, role: "admin" });
  aliceKey = (await createApiKey(t.db, TEST_SECRET, { ownerId: alice.id, name: "alice ci" })).key.id;
  bobKey = (await createApiKey(t.db, TEST_SECRET, { ownerId: bob.id, name: "bob ci" })).key.id;
  const base = { keyStatus: "valid", surface: "feeds", feed: "npm", durationMs: 1.5, ip: "10.0.0.1" };
  const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
  await t.db.accessLogEntry.createMany({
    data: [
      {
        ...base,
        at: at(1),
        keyId: aliceKey,
        ownerId: alice.id,
        userId: alice.id,
        username: "alice",
        method: "GET",
        path: "/npm/npm/left-pad",
        status: 200,
        requestBody: "req",
        responseBody: "res",
      },
      { ...base, at: at(2), keyId: aliceKey, ownerId: alice.id, userId: alice.id, username: "alice", method: "PUT", path: "/npm/npm/Left-Pad", status: 403 },
      {
        ...base,
        at: at(3),
        keyId: bobKey,
        ownerId: bob.id,
        userId: bob.id,
        username: "bob",
        method: "GET",
        path: "/npm/npm/right-pad",
        status: 200,
        requestBody: "bob's",
      },
      { ...base, at: at(4), keyId: null, ownerId: null, keyStatus: "unknown", method: "GET", path: "/npm/npm/left-pad", status: 403 },
      {
        ...base,
        at: at(5),
        keyId: aliceKey,
        ownerId: alice.id,
        userId: alice.id,
        username: "alice",
        method: "GET",
        path: "/nuget/nuget/v3/index.json",
        status: 500,
        surface: "feeds",
        feed: "nuget",
      },
    ],
  });
});
afterAll(() => t?.drop());

describe("logs.list", () => {
  it("shows a user their own keys' entries, newest first, without bodies", async () => {
    const page = await as(alice).logs.list();
    expect(page.rows.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/nuget/nuget/v3/index.json", 500],
      ["PUT", "/npm/npm/Left-Pad", 403],
      ["GET", "/npm/npm/left-pad", 200],
    ]);
    expect(page.nextCursor).toBeNull();
    expect(page.rows[0]).not.toHaveProperty("requestBody");
    expect(page.rows[0]).toMatchObject({
      keyId: aliceKey,
      ownerId: alice.id,
      username: "alice",
      keyStatus: "valid",
      surface: "feeds",
      feed: "nuget",
      ip: "10.0.0.1",
      durationMs: 1.5,
    });
    expect(page.rows[0]!.at).toBeInstanceOf(Date);
    expect((await as(bob).logs.list()).rows.map((r) => r.path)).toEqual(["/npm/npm/right-pad"]);
  });

  it("shows an admin everything, failed attempts without a key included", async () => {
    const page = await as(root).logs.list({});
    expect(page.rows).toHaveLength(5);
    expect(page.rows.some((r) => r.keyStatus === "unknown" && r.keyId === null)).toBe(true);
    expect((await as(root).logs.list({ scope: "mine" })).rows).toEqual([]);
  });

  it("filters and pages with the cursor", async () => {
    const c = as(root);
    expect((await c.logs.list({ path: "LEFT-pad" })).rows.map((r) => r.status)).toEqual([403, 403, 200]);
    expect((await c.logs.list({ statusClass: "4xx", method: "get" })).rows.map((r) => r.keyStatus)).toEqual(["unknown"]);
    expect((await c.logs.list({ user: "bob" })).rows.map((r) => r.keyId)).toEqual([bobKey]);
    expect((await c.logs.list({ key: aliceKey, statusClass: "5xx" })).rows).toHaveLength(1);
    expect((await c.logs.list({ from: new Date(Date.UTC(2026, 0, 1, 0, 2)), to: "2026-01-01T00:04:00Z" })).rows.map((r) => r.at.getUTCMinutes())).toEqual([
      4, 3, 2,
    ]);
    const first = await c.logs.list({ limit: 2 });
    expect(first.rows).toHaveLength(2);
    const second = await c.logs.list({ limit: 2, cursor: first.nextCursor! });
    const third = await c.logs.list({ limit: 2, cursor: second.nextCursor! });
    expect(third.nextCursor).toBeNull();
    expect([...first.rows, ...second.rows, ...third.rows].map((r) => r.id)).toEqual((await c.logs.list()).rows.map((r) => r.id));
    // Pages that searched all they had to say so with scannedTo null (see logs/query.ts for pages that stop early).
    expect([first.scannedTo, second.scannedTo, third.scannedTo]).toEqual([null, null, null]);
    expect(Object.keys(first).sort()).toEqual(["nextCursor", "rows", "scannedTo"]);
  });

  it("falls back to no filter for values that are not valid, as in a hand-edited URL", async () => {
    const c = as(root);
    const everything = (await c.logs.list()).rows;
    expect((await c.logs.list({ statusClass: "6xx" as never, method: "G E T", from: "not a date", key: -3, limit: 0 })).rows).toEqual(everything);
  });

  it("needs a session", async () => {
    expect(await outcome(as(null).logs.list())).toBe("UNAUTHORIZED: Sign in to continue.");
  });
});

describe("logs.get", () => {
  it("answers an entry with its bodies to its key's owner and to admins", async () => {
    const [newest, , oldest] = (await as(alice).logs.list()).rows;
    expect(await as(alice).logs.get({ id: oldest!.id })).toMatchObject({ id: oldest!.id, requestBody: "req", responseBody: "res" });
    expect(await as(alice).logs.get({ id: newest!.id })).toMatchObject({ requestBody: null, responseBody: null });
    expect(await as(root).logs.get({ id: oldest!.id })).toMatchObject({ requestBody: "req" });
  });

  it("answers NOT_FOUND for another user's entry, as for a missing one", async () => {
    const bobs = (await as(bob).logs.list()).rows[0]!;
    expect(await outcome(as(alice).logs.get({ id: bobs.id }))).toMatch(/^NOT_FOUND: There is no access-log entry \d+ for your keys/);
    expect(await outcome(as(alice).logs.get({ id: 123_456 }))).toMatch(/^NOT_FOUND: /);
    expect(await outcome(as(root).logs.get({ id: bobs.id }))).toBe("OK");
  });

  it("refuses a bad ID and needs a session", async () => {
    expect(await outcome(as(alice).logs.get({ id: 0 }))).toBe("BAD_REQUEST: The entry ID must be a positive whole number.");
    expect(await outcome(as(alice).logs.get({ id: 1.5 }))).toBe("BAD_REQUEST: The entry ID must be a positive whole number.");
    expect(await outcome(as(null).logs.get({ id: 1 }))).toBe("UNAUTHORIZED: Sign in to continue.");
  });
});
