import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client.ts";
import { PackumentCache } from "./cache.ts";

/** A database stub whose package lookups the test releases by hand. */
function fakeDb() {
  const calls: ((row: unknown) => void)[] = [];
  const db = { package: { findUnique: () => new Promise((resolve) => calls.push(resolve)) } } as unknown as Db;
  const row = (n: number) => ({ id: n, name: "p", createdAt: new Date(0), owners: [], versions: [], distTags: [] });
  return { db, calls, row };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("the packument cache", () => {
  it("shares one load between concurrent misses and keeps it for the TTL", async () => {
    let now = 0;
    const { db, calls, row } = fakeDb();
    const cache = new PackumentCache(db, 1000, 10, () => now);
    const a = cache.get(1, "p");
    const b = cache.get(1, "P");
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!(row(1));
    expect((await a).pkg?.id).toBe(1);
    expect(await b).toBe(await a);

    now = 999;
    expect((await cache.get(1, "p")).pkg?.id).toBe(1);
    expect(calls).toHaveLength(1);

    now = 1000;
    const c = cache.get(1, "p");
    await tick();
    calls[1]!(row(2));
    expect((await c).pkg?.id).toBe(2);
  });

  it("drops an entry on invalidation, and does not keep a load that overlapped one", async () => {
    const { db, calls, row } = fakeDb();
    const cache = new PackumentCache(db, 60_000, 10, () => 0);
    const first = cache.get(1, "p");
    await tick();
    cache.invalidate(1, "p"); // a write lands while the old state is being read
    calls[0]!(row(1));
    expect((await first).pkg?.id).toBe(1);

    const second = cache.get(1, "p");
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!(row(2));
    expect((await second).pkg?.id).toBe(2);
    expect((await cache.get(1, "p")).pkg?.id).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it("drops expired entries as new ones arrive, and never holds more than max", async () => {
    let now = 0;
    const { db, calls, row } = fakeDb();
    const cache = new PackumentCache(db, 1000, 3, () => now);
    const load = async (name: string) => {
      const p = cache.get(1, name);
      await tick();
      calls.at(-1)!(row(calls.length));
      return p;
    };
    for (const name of ["a", "b", "c", "d"]) await load(name);
    expect(cache.size).toBe(3);
    now = 5000;
    await load("e");
    expect(cache.size).toBe(1);
  });

  it("renders each form once and tags it with an ETag of its bytes", async () => {
    const { db, calls, row } = fakeDb();
    const cache = new PackumentCache(db, 60_000, 10, () => 0);
    const pending = cache.get(1, "p");
    await tick();
    calls[0]!(row(1));
    const entry = await pending;
    const full = entry.render(false, "http://h/npm/f/");
    expect(entry.render(false, "http://h/npm/f/")).toBe(full);
    const short = entry.render(true, "http://h/npm/f/");
    expect(short.etag).not.toBe(full.etag);
    expect(JSON.parse(short.body)).toEqual({ name: "p", modified: new Date(0).toISOString(), "dist-tags": {}, versions: {} });
  });
});
