// The access-log grid's query against a brute-force reference: ~2000 random entries, then
// random viewers and filter combinations, paged through with the keyset cursor, must give
// exactly the in-memory filter, newest first, with no gaps or repeats between pages.
import { accessLogFilterSchema, type AccessLogFilterInput } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createUser } from "../db/factories.ts";
import { AppError } from "../errors.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { accessLogBatches } from "./export-batches.ts";
import { accessLogQuery } from "./filter-plan.ts";
import { getAccessLogEntry, listAccessLogs } from "./query.ts";
import type { CallerOnLogs } from "../auth/caller.ts";
import type { PageOptions } from "./window-scan.ts";
import { METHODS, randomEntries, rng, STATUSES, SURFACES } from "./testing.ts";

type Entry = Awaited<ReturnType<TestDatabase["db"]["accessLogEntry"]["findMany"]>>[number];
type User = Awaited<ReturnType<typeof createUser>>;

let t: TestDatabase;
let users: { alice: User; bob: User; carol: User; root: User };
let keyIds: number[];
let all: Entry[];
const NOW = new Date("2026-03-01T12:00:00Z");

beforeAll(async () => {
  t = await createTestDatabase();
  users = {
    alice: await createUser(t.db, { username: "alice", password: TEST_PASSWORD }),
    bob: await createUser(t.db, { username: "bob", password: TEST_PASSWORD }),
    carol: await createUser(t.db, { username: "carol", password: TEST_PASSWORD }),
    root: await createUser(t.db, { username: "root", password: TEST_PASSWORD, role: "admin" }),
  };
  const keys: Parameters<typeof randomEntries>[2] = [{ id: null, ownerId: null, user: null }];
  for (const owner of [users.alice, users.alice, users.bob, users.bob, users.root]) {
    const { key } = await createApiKey(t.db, TEST_SECRET, { ownerId: owner.id });
    keys.push({ id: key.id, ownerId: owner.id, user: { id: owner.id, username: owner.username } });
  }
  // A system key with no owner acting as carol, and one acting as the API key user.
  const asCarol = await createApiKey(t.db, TEST_SECRET, { kind: "system", ownerId: null, userId: users.carol.id });
  keys.push({ id: asCarol.key.id, ownerId: null, user: { id: users.carol.id, username: "carol" } });
  const system = await createApiKey(t.db, TEST_SECRET, { kind: "system", ownerId: null });
  keys.push({ id: system.key.id, ownerId: null, user: null });
  keyIds = keys.flatMap((k) => (k.id ? [k.id] : []));

  const data = randomEntries(rng(20260301), 2000, keys, NOW);
  for (let i = 0; i < data.length; i += 500) await t.db.accessLogEntry.createMany({ data: data.slice(i, i + 500) });
  await t.db.accessLogEntry.updateMany({ where: { id: { lte: 5 } }, data: { requestBody: '{"a":1}', responseBody: "ok" } });
  all = await t.db.accessLogEntry.findMany({ orderBy: { id: "desc" } });
  expect(all).toHaveLength(2000);
});
afterAll(() => t?.drop());

const STATUS_RANGE = { "2xx": [200, 300], "3xx": [300, 400], "4xx": [400, 500], "5xx": [500, 600] } as const;

/** What the grid must show, computed the slow, obvious way. */
function reference(viewer: CallerOnLogs, input: AccessLogFilterInput): number[] {
  const f = accessLogFilterSchema.parse(input);
  const userId = f.user === undefined ? undefined : (Object.values(users).find((u) => u.username === f.user)?.id ?? -1);
  return all
    .filter((e) => (viewer.isAdmin && f.scope === "all") || e.ownerId === viewer.id)
    .filter((e) => f.key === undefined || e.keyId === f.key)
    .filter((e) => userId === undefined || e.userId === userId)
    .filter((e) => !f.statusClass || (e.status >= STATUS_RANGE[f.statusClass][0] && e.status < STATUS_RANGE[f.statusClass][1]))
    .filter((e) => !f.method || e.method === f.method)
    .filter((e) => !f.path || e.path.toLowerCase().includes(f.path.toLowerCase()))
    .filter((e) => !f.surface || e.surface === f.surface)
    .filter((e) => !f.from || e.at.getTime() >= f.from.getTime())
    .filter((e) => !f.to || e.at.getTime() <= f.to.getTime())
    .map((e) => e.id);
}

/**
 * Every page, following nextCursor; checks the page invariants on the way. A page may stop
 * before it is full only when it says so (scannedTo), which a 2000-entry table never needs
 * unless the options force it.
 */
async function pageThrough(viewer: CallerOnLogs, input: AccessLogFilterInput, options: PageOptions = {}): Promise<number[]> {
  const ids: number[] = [];
  let cursor: number | undefined;
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(2100);
    const f = accessLogFilterSchema.parse({ ...input, cursor });
    const page = await listAccessLogs(t.db, viewer, f, testProvider, options);
    const context = JSON.stringify({ input, options, cursor, page: { ...page, rows: page.rows.map((r) => r.id) } });
    expect(page.rows.length, context).toBeLessThanOrEqual(f.limit);
    for (const row of page.rows) {
      expect(row).not.toHaveProperty("requestBody");
      expect(row).not.toHaveProperty("responseBody");
      expect(row.at).toBeInstanceOf(Date);
    }
    const pageIds = page.rows.map((r) => r.id);
    expect(pageIds, context).toEqual([...pageIds].sort((a, b) => b - a));
    if (cursor !== undefined && pageIds.length) expect(pageIds[0]!, context).toBeLessThan(cursor);
    ids.push(...pageIds);
    if (page.nextCursor === null) {
      expect(page.scannedTo, context).toBeNull();
      return ids;
    }
    if (page.scannedTo === null) {
      expect(page.rows, context).toHaveLength(f.limit);
      expect(page.nextCursor, context).toBe(page.rows[page.rows.length - 1]!.id);
    } else {
      expect(options.maxWindows, `a page stopped early with the default budget: ${context}`).toBeDefined();
      expect(page.scannedTo).toBeInstanceOf(Date);
      for (const id of pageIds) expect(id, context).toBeGreaterThanOrEqual(page.nextCursor);
      if (cursor !== undefined) expect(page.nextCursor, context).toBeLessThan(cursor);
      // The time of the oldest entry searched: the one at (or just above) the cursor.
      const oldest = all.filter((e) => e.id >= page.nextCursor!).at(-1);
      if (oldest) expect(page.scannedTo.getTime(), context).toBe(oldest.at.getTime());
    }
    cursor = page.nextCursor;
  }
}

/** Options that make pages stop early: a window or three of a few hundred IDs. */
function tightBudget(r: ReturnType<typeof rng>): PageOptions {
  return { maxWindows: r.int(1, 3), firstWindow: r.int(100, 600) };
}

const viewerOf = (u: User): CallerOnLogs => ({ id: u.id, isAdmin: u.role === "admin" });

describe("listAccessLogs", () => {
  it("answers newest first, the first page by default 100 rows, without bodies", async () => {
    const page = await listAccessLogs(t.db, viewerOf(users.root), accessLogFilterSchema.parse({}), testProvider);
    expect(page.rows.map((r) => r.id)).toEqual(all.slice(0, 100).map((e) => e.id));
    expect(page.nextCursor).toBe(all[99]!.id);
    expect(page.rows[0]).toMatchObject({ id: all[0]!.id, path: all[0]!.path, status: all[0]!.status, at: all[0]!.at });
  });

  it("agrees with a brute-force reference for random viewers, filters and page sizes", async () => {
    const r = rng(42);
    const words = ["npm", "NUGET", "api/json", "contoso", "Left-Pad", "index", "q=", "100%", "a_b", "%", "_", "/", "zzz-nothing"];
    const viewers = [viewerOf(users.alice), viewerOf(users.bob), viewerOf(users.carol), viewerOf(users.root)];
    let nonEmpty = 0;
    for (let round = 0; round < 150; round++) {
      const viewer = r.pick(viewers);
      const input: AccessLogFilterInput = { limit: r.pick([1, 7, 50, 100, 333, 500]) };
      if (r.chance(0.3)) input.key = r.pick(keyIds);
      if (r.chance(0.25)) input.user = r.pick(["alice", "bob", "carol", "root", "nobody"]);
      if (r.chance(0.3)) input.statusClass = r.pick(["2xx", "3xx", "4xx", "5xx"] as const);
      if (r.chance(0.3)) input.method = r.pick(METHODS).toLowerCase();
      if (r.chance(0.3)) input.path = r.pick(words);
      if (r.chance(0.3)) input.surface = r.pick(SURFACES);
      if (r.chance(0.3)) input.from = new Date(NOW.getTime() - r.int(0, 30) * 86_400_000).toISOString();
      if (r.chance(0.3)) input.to = new Date(NOW.getTime() - r.int(0, 30) * 86_400_000);
      if (r.chance(0.2)) input.scope = "mine";
      const expected = reference(viewer, input);
      // Big pages for wide results, so the test stays quick.
      if (expected.length > 400 && (input.limit as number) < 50) input.limit = 500;
      // Half the rounds with a budget that runs out after a window or three; some reading a
      // time range's bounds only when they save much (as for a large table).
      const options: PageOptions = { ...(r.chance(0.5) ? tightBudget(r) : {}), ...(r.chance(0.3) ? { timeBoundsCheap: 0 } : {}) };
      const got = await pageThrough(viewer, input, options);
      expect(got, JSON.stringify({ viewer, input, options })).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(60);
  });

  it("matches the path ignoring case, with % and _ taken literally", async () => {
    const root = viewerOf(users.root);
    for (const path of ["left-pad", "LEFT-PAD", "100%", "a_b", "%", "_"]) {
      const expected = reference(root, { path, limit: 500 });
      expect(await pageThrough(root, { path, limit: 500 }), path).toEqual(expected);
    }
    expect(reference(root, { path: "_" }).length).toBeGreaterThan(0);
    expect(reference(root, { path: "_" }).length).toBeLessThan(all.length);
  });

  it("stops a page at its budget, says how far back it searched, and goes on from its cursor", async () => {
    const root = viewerOf(users.root);
    const options = { maxWindows: 1, firstWindow: 300 };
    const first = await listAccessLogs(t.db, root, accessLogFilterSchema.parse({ path: "zzz-nothing" }), testProvider, options);
    // The newest 300 IDs searched, nothing found: no rows, a cursor below them, the time of the oldest searched.
    expect(first.rows).toEqual([]);
    expect(first.nextCursor).toBe(all[0]!.id - 299);
    expect(first.scannedTo).toEqual(all.find((e) => e.id === first.nextCursor)!.at);
    expect(await pageThrough(root, { path: "zzz-nothing" }, options)).toEqual([]);
    // Found some, not a page: the rows, with the cursor below the searched IDs, not below the last row.
    const some = await listAccessLogs(t.db, root, accessLogFilterSchema.parse({ statusClass: "5xx", limit: 500 }), testProvider, options);
    expect(some.rows.length).toBeGreaterThan(0);
    expect(some.rows.map((r) => r.id)).toEqual(reference(root, { statusClass: "5xx" }).filter((id) => id >= first.nextCursor!));
    expect(some.nextCursor).toBe(first.nextCursor);
    // With the default budget a small table is always searched to the end.
    expect(await listAccessLogs(t.db, root, accessLogFilterSchema.parse({ path: "zzz-nothing" }), testProvider)).toEqual({
      rows: [],
      nextCursor: null,
      scannedTo: null,
    });
  });

  it("streams the exports' batches: every match once, newest first, whatever the batch and window sizes", async () => {
    const r = rng(7);
    const viewers = [viewerOf(users.alice), viewerOf(users.bob), viewerOf(users.root)];
    for (let round = 0; round < 30; round++) {
      const viewer = r.pick(viewers);
      const input: AccessLogFilterInput = {};
      if (r.chance(0.3)) input.statusClass = r.pick(["2xx", "4xx", "5xx"] as const);
      if (r.chance(0.3)) input.path = r.pick(["npm", "left-pad", "zzz-nothing", "%"]);
      if (r.chance(0.3)) input.method = r.pick(METHODS);
      if (r.chance(0.4)) input.from = new Date(NOW.getTime() - r.int(0, 30) * 86_400_000).toISOString();
      if (r.chance(0.4)) input.to = new Date(NOW.getTime() - r.int(0, 30) * 86_400_000).toISOString();
      const q = await accessLogQuery(t.db, viewer, accessLogFilterSchema.parse(input), testProvider);
      const size = r.pick([1, 7, 100, 1000]);
      const options: PageOptions = { firstWindow: r.int(1, 500), ...(r.chance(0.5) ? { timeBoundsCheap: 0 } : {}) };
      const got: number[] = [];
      if (q) {
        for await (const batch of accessLogBatches(t.db, q, size, options)) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(size);
          got.push(...batch.map((row) => row.id));
        }
      }
      expect(got, JSON.stringify({ input, size, options })).toEqual(reference(viewer, input));
    }
  });

  it("filters by status class, method, surface, key, user and time", async () => {
    const root = viewerOf(users.root);
    const list = async (input: AccessLogFilterInput) =>
      (await listAccessLogs(t.db, root, accessLogFilterSchema.parse({ limit: 500, ...input }), testProvider)).rows;
    for (const row of await list({ statusClass: "4xx" })) expect(row.status).toBeGreaterThanOrEqual(400), expect(row.status).toBeLessThan(500);
    expect(new Set((await list({ method: "put" })).map((r) => r.method))).toEqual(new Set(["PUT"]));
    expect(new Set((await list({ surface: "native" })).map((r) => r.surface))).toEqual(new Set(["native"]));
    expect(new Set((await list({ key: keyIds[0] })).map((r) => r.keyId))).toEqual(new Set([keyIds[0]]));
    expect(new Set((await list({ user: "carol" })).map((r) => r.username))).toEqual(new Set(["carol"]));
    expect(await list({ user: "nobody" })).toEqual([]);
    const from = new Date(NOW.getTime() - 2 * 86_400_000);
    for (const row of await list({ from })) expect(row.at.getTime()).toBeGreaterThanOrEqual(from.getTime());
    expect(STATUSES.length).toBeGreaterThan(0);
  });

  it("shows a user only their own keys' entries, whatever the filters ask", async () => {
    for (const u of [users.alice, users.bob, users.carol]) {
      const ids = await pageThrough(viewerOf(u), { limit: 500 });
      expect(ids).toEqual(all.filter((e) => e.ownerId === u.id).map((e) => e.id));
      // Asking for another's key or user gives nothing of theirs.
      const other = u === users.alice ? users.bob : users.alice;
      const theirKey = all.find((e) => e.ownerId === other.id)!.keyId!;
      expect(await pageThrough(viewerOf(u), { key: theirKey, limit: 500 })).toEqual([]);
      expect(await pageThrough(viewerOf(u), { user: other.username, scope: "all", limit: 500 })).toEqual([]);
    }
    // carol acts through a system key but owns none: she sees no entries.
    expect(await pageThrough(viewerOf(users.carol), {})).toEqual([]);
  });

  it("lets an admin narrow to their own keys", async () => {
    const ids = await pageThrough(viewerOf(users.root), { scope: "mine", limit: 500 });
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(all.filter((e) => e.ownerId === users.root.id).map((e) => e.id));
  });
});

describe("getAccessLogEntry", () => {
  it("answers one entry with its bodies", async () => {
    const withBodies = all.find((e) => e.requestBody)!;
    const admin = await getAccessLogEntry(t.db, viewerOf(users.root), withBodies.id);
    // An entry written with its bodies in its own columns (before bodies were stored once) reads as it always did.
    const { requestBodyHash: _, responseBodyHash: __, ...expected } = withBodies;
    expect(admin).toEqual(expected);
  });

  it("treats another user's entry as not found", async () => {
    const bobs = all.find((e) => e.ownerId === users.bob.id)!;
    await expect(getAccessLogEntry(t.db, viewerOf(users.bob), bobs.id)).resolves.toMatchObject({ id: bobs.id });
    const err = await getAccessLogEntry(t.db, viewerOf(users.alice), bobs.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("NOT_FOUND");
    const missing = await getAccessLogEntry(t.db, viewerOf(users.alice), 99_999_999).catch((e: unknown) => e);
    expect((missing as AppError).message).toBe((err as AppError).message.replace(String(bobs.id), "99999999"));
    const ownerless = all.find((e) => e.ownerId === null)!;
    await expect(getAccessLogEntry(t.db, viewerOf(users.carol), ownerless.id)).rejects.toThrow(AppError);
  });
});

describe("time ranges when IDs follow time", () => {
  // As on a server: IDs rise with time, except entries written late (a long request is
  // logged when it ends, stamped when it began) and a clock that jumped.
  let u: TestDatabase;
  let rows: Entry[];
  let owner: User;
  const START = Date.UTC(2026, 0, 1);
  const MINUTE = 60_000;

  beforeAll(async () => {
    u = await createTestDatabase();
    owner = await createUser(u.db, { username: "olga", password: TEST_PASSWORD });
    const other = await createUser(u.db, { username: "oscar", password: TEST_PASSWORD });
    const r = rng(99);
    const data = randomEntries(
      r,
      3000,
      [
        { id: null, ownerId: owner.id, user: null },
        { id: null, ownerId: other.id, user: null },
      ],
      new Date(START),
    ).map((e, i) => {
      let at = START + i * MINUTE;
      if (r.chance(0.05)) at -= r.int(1, 180) * MINUTE; // written late
      if (r.chance(0.005)) at += r.int(-20_000, 20_000) * MINUTE; // a clock jump
      return { ...e, at: new Date(at) };
    });
    for (let i = 0; i < data.length; i += 500) await u.db.accessLogEntry.createMany({ data: data.slice(i, i + 500) });
    rows = await u.db.accessLogEntry.findMany({ orderBy: { id: "desc" } });
  });
  afterAll(() => u?.drop());

  it("agrees with a brute-force reference, whether or not the range's bounds are read", async () => {
    const r = rng(5);
    for (let round = 0; round < 60; round++) {
      const viewer: CallerOnLogs = r.chance(0.3) ? { id: owner.id, isAdmin: false } : { id: owner.id, isAdmin: true };
      const a = START + r.int(-300, 3300) * MINUTE;
      const b = a + r.pick([1, 30, 300, 3000]) * MINUTE;
      const input: AccessLogFilterInput = { limit: r.pick([10, 100, 500]) };
      if (r.chance(0.8)) input.from = new Date(a).toISOString();
      if (r.chance(0.8)) input.to = new Date(b).toISOString();
      if (r.chance(0.2)) input.statusClass = r.pick(["2xx", "4xx"] as const);
      const f = accessLogFilterSchema.parse(input);
      const expected = rows
        .filter((e) => viewer.isAdmin || e.ownerId === viewer.id)
        .filter((e) => !f.statusClass || Math.floor(e.status / 100) === Number(f.statusClass[0]))
        .filter((e) => (!f.from || e.at >= f.from) && (!f.to || e.at <= f.to))
        .map((e) => e.id);
      const options: PageOptions = { ...(r.chance(0.5) ? { timeBoundsCheap: 0 } : {}), ...(r.chance(0.3) ? tightBudget(r) : {}) };
      const got: number[] = [];
      let cursor: number | undefined = r.chance(0.3) ? r.int(1, 3100) : undefined;
      const want = cursor === undefined ? expected : expected.filter((id) => id < cursor!);
      for (let pages = 0; pages < 500; pages++) {
        const page = await listAccessLogs(u.db, viewer, accessLogFilterSchema.parse({ ...input, cursor }), testProvider, options);
        got.push(...page.rows.map((row) => row.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(got, JSON.stringify({ input, viewer, options })).toEqual(want);
    }
  });
});
