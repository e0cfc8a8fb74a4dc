// The leak endpoints' limit per address (docs/threat-model.md, "Leak reports"), on a real
// database: the window is fixed from its first report, a new one opens once it has passed
// (the time is given, never waited for), and the sign-in housekeeping removes stale counters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeStaleThrottles } from "../auth/throttle.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { LEAK_RATE_LIMIT, takeLeakReport } from "./leak-rate-limit.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

async function takeMany(ip: string, n: number, now: Date): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) waits.push(await takeLeakReport(t.db, ip, now));
  return waits;
}

describe("takeLeakReport", () => {
  it("lets 10 reports a minute through, then answers the seconds left in the window, and opens a new window once it has passed", async () => {
    const start = new Date("2030-01-01T00:00:00Z");
    expect(await takeMany("192.0.2.10", LEAK_RATE_LIMIT.perWindow, start)).toEqual(Array(LEAK_RATE_LIMIT.perWindow).fill(0));
    expect(await takeLeakReport(t.db, "192.0.2.10", at(start, 1_000))).toBe(59);
    // The window runs from its first report, not from the last refusal.
    expect(await takeLeakReport(t.db, "192.0.2.10", at(start, 59_500))).toBe(1);
    expect(await takeLeakReport(t.db, "192.0.2.11", at(start, 59_500))).toBe(0);

    const next = at(start, LEAK_RATE_LIMIT.windowMs);
    expect(await takeMany("192.0.2.10", LEAK_RATE_LIMIT.perWindow, next)).toEqual(Array(LEAK_RATE_LIMIT.perWindow).fill(0));
    expect(await takeLeakReport(t.db, "192.0.2.10", at(next, 30_000))).toBe(30);
  });

  it("counts parallel reports exactly: 30 at once from one address let 10 through", async () => {
    const now = new Date("2030-02-01T00:00:00Z");
    const waits = await Promise.all(Array.from({ length: 30 }, () => takeLeakReport(t.db, "192.0.2.20", now)));
    expect(waits.filter((w) => w === 0)).toHaveLength(LEAK_RATE_LIMIT.perWindow);
  });

  it("counts an IPv6 /64 as one address", async () => {
    const now = new Date("2030-03-01T00:00:00Z");
    for (let i = 0; i < LEAK_RATE_LIMIT.perWindow; i++) expect(await takeLeakReport(t.db, `2001:db8:7:7::${i + 1}`, now)).toBe(0);
    expect(await takeLeakReport(t.db, "2001:db8:7:7:ffff::1", now)).toBeGreaterThan(0);
    expect(await takeLeakReport(t.db, "2001:db8:7:8::1", now)).toBe(0);
  });

  it("leaves its counters to the sign-in housekeeping, which removes them once stale", async () => {
    const now = new Date("2030-04-01T00:00:00Z");
    await takeLeakReport(t.db, "192.0.2.30", now);
    const key = "leak:192.0.2.30";
    expect(await t.db.signInThrottle.count({ where: { key } })).toBe(1);
    await purgeStaleThrottles(t.db, at(now, 24 * 3_600_000));
    expect(await t.db.signInThrottle.count({ where: { key } })).toBe(0);
  });
});
