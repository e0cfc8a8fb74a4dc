import { afterEach, describe, expect, it, vi } from "vitest";
import { BatchTtlCache, TtlCache } from "./ttl-cache.ts";

describe("TtlCache", () => {
  it("answers from memory until the entry is ttl old, null values included", async () => {
    let now = 0;
    const c = new TtlCache<string, string | null>(1000, 10, () => now);
    let loads = 0;
    const load = async () => (++loads, null);
    expect(await c.getOrLoad("a", load)).toBeNull();
    now = 999;
    expect(await c.getOrLoad("a", load)).toBeNull();
    expect(loads).toBe(1);
    now = 1000;
    await c.getOrLoad("a", load);
    expect(loads).toBe(2);
  });

  it("stays within its size by dropping the oldest entry", () => {
    const c = new TtlCache<number, number>(1000, 2, () => 0);
    c.set(1, 1);
    c.set(2, 2);
    c.set(3, 3);
    expect(c.get(1)).toBeUndefined();
    expect(c.get(2)).toBe(2);
    expect(c.get(3)).toBe(3);
  });
});

describe("BatchTtlCache", () => {
  const setup = () => {
    let now = 0;
    const batches: string[][] = [];
    let version = 0;
    let onLoaded: (() => void) | undefined;
    const c = new BatchTtlCache<string, string>(
      async (keys) => {
        batches.push([...keys].sort());
        const found = new Map(keys.map((k) => [k, `${k}${version}`]));
        // The cache keeps what this answers in the same turn it is answered; the test
        // goes on after that turn.
        if (onLoaded) setImmediate(onLoaded);
        return found;
      },
      "absent",
      { ttlMs: 1000, refreshDelayMs: 5, clock: () => now },
    );
    /** Resolves once the next batch is loaded and kept. */
    const nextLoad = () => new Promise<void>((resolve) => (onLoaded = resolve));
    return { c, batches, at: (t: number) => (now = t), bump: () => version++, nextLoad };
  };

  afterEach(() => {
    vi.useRealTimers();
  });

  it("loads misses of one turn in one query and never answers an entry past its TTL", async () => {
    const { c, batches, at, bump } = setup();
    expect(await Promise.all([c.get("a"), c.get("b")])).toEqual(["a0", "b0"]);
    expect(batches).toEqual([["a", "b"]]);
    bump();
    at(999);
    expect(await c.get("a")).toBe("a0");
    at(1000);
    expect(await c.get("a")).toBe("a1");
  });

  it("refreshes the entries in use together, so a working set costs one query per refresh", async () => {
    // Only the refresh delay's timer is fake: it fires when the test says so.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { c, batches, at, bump, nextLoad } = setup();
    await c.get("a");
    at(200);
    await Promise.all([c.get("b"), c.get("idle")]);
    at(300);
    await c.get("b"); // in use, loaded at 200
    bump();
    at(500);
    expect(await c.get("a")).toBe("a0"); // due: refreshed in the background, answered from memory meanwhile
    await vi.advanceTimersByTimeAsync(4);
    expect(batches).toHaveLength(2); // gathered for refreshDelayMs before one query goes out
    const refreshed = nextLoad();
    await vi.advanceTimersByTimeAsync(1);
    await refreshed;
    // b (age 300, used) goes along with a; "idle" (never used since its load) does not.
    expect(batches.slice(2)).toEqual([["a", "b"]]);
    expect(await c.get("b")).toBe("b1");
    expect(await c.get("a")).toBe("a1");
    expect(batches).toHaveLength(3);
  });
});
