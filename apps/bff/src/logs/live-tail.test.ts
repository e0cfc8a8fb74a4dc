// The live tail over real HTTP on a real database: an entry a request writes reaches an
// open stream; filters and visibility are the grid's; a reconnect with Last-Event-ID
// loses nothing; on PostgreSQL, an entry written through another instance reaches a
// stream opened on this one. Events are waited for, never slept for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../db/client.ts";
import { createApiKey } from "../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { createLogWorld, sessionCookie, startLoggedServer } from "./testing.ts";
import { STREAMS_PER_USER } from "./live-tail.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startLoggedServer>>;
let world: Awaited<ReturnType<typeof createLogWorld>>;
let cookies: { alice: string; bob: string; root: string };
let keys: { alice: { id: number; value: string }; bob: { id: number; value: string } };

beforeAll(async () => {
  t = await createTestDatabase();
  world = await createLogWorld(t.db);
  server = await startLoggedServer(t.db, { databaseUrl: t.url });
  cookies = { alice: await sessionCookie(t.db, world.alice.id), bob: await sessionCookie(t.db, world.bob.id), root: await sessionCookie(t.db, world.root.id) };
  const a = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, userId: world.alice.id });
  const b = await createApiKey(t.db, TEST_SECRET, { ownerId: world.bob.id, userId: world.bob.id });
  keys = { alice: { id: a.key.id, value: a.value }, bob: { id: b.key.id, value: b.value } };
});
afterAll(async () => {
  await server?.close();
  await t?.drop();
});

type Event = { type: string; id?: string; data: string };

/** An open stream: its events as they come, and a wait for one that matches. */
async function openStream(base: string, query: string, cookie: string, lastEventId?: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/access-logs/stream${query}`, {
    headers: { Cookie: cookie, ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events: Event[] = [];
  const waiters: { match: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of res.body!) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const e: Event = { type: "message", data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            const [field, ...rest] = line.split(":");
            const value = rest.join(":").replace(/^ /, "");
            if (field === "event") e.type = value;
            else if (field === "id") e.id = value;
            else if (field === "data") e.data += value;
          }
          if (e.type === "message" && !e.data) continue;
          events.push(e);
          for (const w of [...waiters]) if (w.match(e)) waiters.splice(waiters.indexOf(w), 1), w.resolve(e);
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  const next = (match: (e: Event) => boolean) => {
    const seen = events.find(match);
    return seen ? Promise.resolve(seen) : new Promise<Event>((resolve) => waiters.push({ match, resolve }));
  };
  await next((e) => e.type === "ready");
  return {
    events,
    next,
    entries: () => events.filter((e) => e.type === "entry").map((e) => JSON.parse(e.data) as { id: number; path: string; keyId: number; username: string }),
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

const npmGet = (base: string, path: string, key: string) =>
  fetch(`${base}/npm/npm/${path}`, { headers: { Authorization: `Bearer ${key}` } }).then((r) => r.arrayBuffer());
const entryAt = (path: string) => (e: Event) => e.type === "entry" && (JSON.parse(e.data) as { path: string }).path.includes(path);

describe("GET /api/access-logs/stream", () => {
  it("sends an entry written by a request within a second of it", async () => {
    // The server's first request warms up what is loaded lazily (the key check, the writer's thread).
    await npmGet(server.url, "warm-up", keys.alice.value);
    const s = await openStream(server.url, "", cookies.alice);
    const started = performance.now();
    await npmGet(server.url, "live-one", keys.alice.value);
    const e = await s.next(entryAt("/npm/npm/live-one"));
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(1000);
    const row = JSON.parse(e.data) as { id: number; at: string; status: number; keyId: number };
    expect(e.id).toBe(String(row.id));
    expect(row).toMatchObject({ status: 404, keyId: keys.alice.id });
    expect(Math.abs(Date.parse(row.at) - Date.now())).toBeLessThan(60_000);
    await s.close();
  });

  it("shows each user only their own keys' entries; an admin all, or 'mine'", async () => {
    const alice = await openStream(server.url, "", cookies.alice);
    const bob = await openStream(server.url, "", cookies.bob);
    const root = await openStream(server.url, "", cookies.root);
    const rootMine = await openStream(server.url, "?scope=mine", cookies.root);
    const aliceNamingBobsKey = await openStream(server.url, `?key=${keys.bob.id}`, cookies.alice);
    await npmGet(server.url, "bobs-secret", keys.bob.value);
    await npmGet(server.url, "alices-marker", keys.alice.value);
    await bob.next(entryAt("bobs-secret"));
    await root.next(entryAt("bobs-secret"));
    await alice.next(entryAt("alices-marker"));
    await root.next(entryAt("alices-marker"));
    // Streams are served in order within a tick, so by the time alice's marker arrived on
    // every stream, bob's earlier entry would have arrived too.
    expect(alice.entries().map((r) => r.path)).not.toContainEqual(expect.stringContaining("bobs-secret"));
    expect(bob.entries().map((r) => r.path)).not.toContainEqual(expect.stringContaining("alices-marker"));
    // Neither entry is root's own; one more request through a key of root's tells "mine" has caught up.
    const rootKey = await createApiKey(t.db, TEST_SECRET, { ownerId: world.root.id, userId: world.root.id });
    await npmGet(server.url, "roots-own", rootKey.value);
    await rootMine.next(entryAt("roots-own"));
    expect(rootMine.entries().map((r) => r.path)).toEqual(["/npm/npm/roots-own"]);
    // alice's stream opened first, so it was served before root's in that tick.
    expect(alice.entries().map((r) => r.path)).not.toContain("/npm/npm/roots-own");
    expect(aliceNamingBobsKey.entries()).toEqual([]);
    for (const s of [alice, bob, root, rootMine, aliceNamingBobsKey]) await s.close();
  });

  it("applies the grid's filters", async () => {
    const s = await openStream(server.url, "?path=wanted&statusClass=4xx", cookies.alice);
    await npmGet(server.url, "not-this-one", keys.alice.value);
    await npmGet(server.url, "wanted-thing", keys.alice.value); // no such package: 404
    await s.next(entryAt("wanted-thing"));
    expect(s.entries().map((r) => r.path)).toEqual(["/npm/npm/wanted-thing"]);
    await s.close();
  });

  it("resumes from Last-Event-ID across a reconnect without losing an entry while requests keep coming", async () => {
    const first = await openStream(server.url, "?path=resume-", cookies.alice);
    const sent: string[] = [];
    let stop = false;
    const writing = (async () => {
      for (let i = 0; !stop || i < 30; i++) {
        const p = `resume-${i}`;
        await npmGet(server.url, p, keys.alice.value);
        sent.push(`/npm/npm/${p}`);
      }
    })();
    await first.next(entryAt("resume-3"));
    await first.close();
    const lastId = first.events.filter((e) => e.id).at(-1)!.id!;
    const second = await openStream(server.url, "?path=resume-", cookies.alice, lastId);
    stop = true;
    await writing;
    await second.next(entryAt(sent.at(-1)!));
    const seen = [...first.entries(), ...second.entries()].map((r) => r.path);
    expect(seen).toEqual(sent);
    await second.close();
  });

  it("refuses without a session (401), a malformed filter (400), another site (403) and too many streams (429), before streaming", async () => {
    const unauth = await fetch(`${server.url}/api/access-logs/stream`);
    expect(unauth.status).toBe(401);
    expect(((await unauth.json()) as { error: string }).error).toMatch(/sign in/i);
    for (const q of ["?statusClass=6xx", "?key=abc", "?from=yesterday-ish", "?colour=red"]) {
      const bad = await fetch(`${server.url}/api/access-logs/stream${q}`, { headers: { Cookie: cookies.alice } });
      expect(bad.status, q).toBe(400);
      expect(((await bad.json()) as { error: string }).error, q).toMatch(/filter/);
    }
    const open = [];
    for (let i = 0; i < STREAMS_PER_USER; i++) open.push(await openStream(server.url, "", cookies.bob));
    const tooMany = await fetch(`${server.url}/api/access-logs/stream`, { headers: { Cookie: cookies.bob } });
    expect(tooMany.status).toBe(429);
    expect(((await tooMany.json()) as { error: string }).error).toMatch(/close one/i);
    for (const s of open) await s.close();
    // Closing frees the places (the server notices the disconnect).
    await expect
      .poll(async () => {
        const again = await fetch(`${server.url}/api/access-logs/stream`, { headers: { Cookie: cookies.bob } });
        await again.body?.cancel();
        return again.status;
      })
      .toBe(200);
    const cross = await fetch(`${server.url}/api/access-logs/stream`, {
      headers: { Cookie: cookies.alice, Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    expect(cross.status).toBe(403);
  });
});

describe.runIf(testProvider === "postgres")("two instances on one PostgreSQL database", () => {
  it("an entry made through instance B appears on a stream opened on instance A", async () => {
    const dbB = createDb(t.url);
    const b = await startLoggedServer(dbB, { databaseUrl: t.url });
    try {
      const s = await openStream(server.url, "", cookies.alice);
      await npmGet(b.url, "through-b", keys.alice.value);
      const e = await s.next(entryAt("through-b"));
      expect(JSON.parse(e.data).keyId).toBe(keys.alice.id);
      await s.close();
    } finally {
      await b.close();
      await dbB.$disconnect();
    }
  });
});
