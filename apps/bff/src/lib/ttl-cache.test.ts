import { describe, expect, it } from "vitest";
import { TtlCache } from "./ttl-cache.ts";

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
