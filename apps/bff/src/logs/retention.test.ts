// Access-log retention: only entries older than LOG_RETENTION_DAYS go, in batches, and a
// key's last use (kept on the key) survives its entries.
import { DAY_MS } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { purgeOldEntries, startRetentionJob } from "./retention.ts";
import { createLogWorld, startLoggedServer } from "./testing.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

const NOW = new Date("2026-06-01T00:00:00Z");
const entry = (at: Date, path: string) => ({ at, keyStatus: "valid", surface: "feeds", method: "GET", path, status: 200, durationMs: 1 });

describe("purgeOldEntries", () => {
  it("deletes only the entries older than the retention, a batch at a time", async () => {
    await t.db.accessLogEntry.deleteMany();
    const data = [];
    // Interleaved: old and recent entries alternate in ID order, so ID ranges hold both.
    for (let i = 0; i < 1200; i++) {
      const old = i % 3 !== 0;
      data.push(entry(new Date(NOW.getTime() - (old ? 31 : 29) * DAY_MS - i * 1000), old ? `/old/${i}` : `/new/${i}`));
    }
    data.push(entry(new Date(NOW.getTime() - 30 * DAY_MS), "/edge/exactly-30-days"));
    data.push(entry(new Date(NOW.getTime() - 30 * DAY_MS - 1), "/old/just-over"));
    await t.db.accessLogEntry.createMany({ data });

    const result = await purgeOldEntries(t.db, 30, NOW, 100);
    expect(result.deleted).toBe(801);
    expect(result.batches).toBe(9);
    const left = await t.db.accessLogEntry.findMany({ select: { path: true, at: true } });
    expect(left).toHaveLength(401);
    expect(left.every((e) => e.path.startsWith("/new/") || e.path === "/edge/exactly-30-days")).toBe(true);
    expect(left.every((e) => e.at.getTime() >= NOW.getTime() - 30 * DAY_MS)).toBe(true);

    // Nothing more to do: one look, no batch.
    expect(await purgeOldEntries(t.db, 30, NOW, 100)).toEqual({ deleted: 0, batches: 0 });
    // A shorter retention takes the rest but the newest.
    expect((await purgeOldEntries(t.db, 1, NOW)).deleted).toBe(401);
  });

  it("deletes exactly the old entries when their IDs are scattered among new ones", async () => {
    await t.db.accessLogEntry.deleteMany();
    const data = Array.from({ length: 2000 }, (_, i) =>
      i % 40 === 0 ? entry(new Date(NOW.getTime() - 40 * DAY_MS + i), `/old/${i}`) : entry(new Date(NOW.getTime() - DAY_MS), `/new/${i}`),
    );
    await t.db.accessLogEntry.createMany({ data });
    expect(await purgeOldEntries(t.db, 30, NOW, 10)).toEqual({ deleted: 50, batches: 5 });
    expect(await t.db.accessLogEntry.count()).toBe(1950);
    expect(await t.db.accessLogEntry.count({ where: { path: { startsWith: "/old/" } } })).toBe(0);
    await t.db.accessLogEntry.deleteMany();
  });

  it("keeps a key's last use on the key after its entries are purged", async () => {
    const world = await createLogWorld(t.db);
    const { key, value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id });
    const server = await startLoggedServer(t.db);
    try {
      await (await fetch(`${server.url}/npm/npm/left-pad`, { headers: { Authorization: `Bearer ${value}` } })).arrayBuffer();
      await server.flush();
      const used = await t.db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
      expect(used.lastUsedAt).toBeInstanceOf(Date);
      expect(used.lastUsedIp).toBe("127.0.0.1");
      expect(await t.db.accessLogEntry.count({ where: { keyId: key.id } })).toBe(1);

      const result = await purgeOldEntries(t.db, 1, new Date(Date.now() + 2 * DAY_MS));
      expect(result.deleted).toBeGreaterThanOrEqual(1);
      expect(await t.db.accessLogEntry.count({ where: { keyId: key.id } })).toBe(0);
      const after = await t.db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
      expect(after.lastUsedAt).toEqual(used.lastUsedAt);
      expect(after.lastUsedIp).toBe("127.0.0.1");
    } finally {
      await server.close();
    }
  });
});

describe("startRetentionJob", () => {
  it("purges at start and then on every tick, logs what it did, and stops", async () => {
    await t.db.accessLogEntry.deleteMany();
    const now = Date.now();
    await t.db.accessLogEntry.createMany({
      data: [entry(new Date(now - 10 * DAY_MS), "/old/1"), entry(new Date(now - 10 * DAY_MS), "/old/2"), entry(new Date(now), "/new")],
    });
    // The job's timers are fake, so when it purges is decided by the test alone; the
    // database is real, seen through a counter of the purges that began.
    let purges = 0;
    const db = {
      accessLogEntry: {
        findMany: (args: object) => (purges++, t.db.accessLogEntry.findMany(args as never)),
        deleteMany: (args: object) => t.db.accessLogEntry.deleteMany(args as never),
      },
    } as unknown as TestDatabase["db"];
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const lines: string[] = [];
    let onLine: ((line: string) => void) | undefined;
    const nextLine = () => new Promise<string>((resolve) => (onLine = resolve));
    const job = startRetentionJob(db, { logRetentionDays: 7 }, (l) => (lines.push(l), onLine?.(l)), 60_000);
    try {
      expect(purges).toBe(0);
      const first = nextLine();
      await vi.advanceTimersByTimeAsync(0);
      expect(purges).toBe(1); // at start
      expect(await first).toBe("Access log: purged 2 entries older than 7 days.");

      await t.db.accessLogEntry.create({ data: entry(new Date(now - 8 * DAY_MS), "/old/3") });
      const second = nextLine();
      await vi.advanceTimersByTimeAsync(59_999);
      expect(purges).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(purges).toBe(2); // on the tick
      expect(await second).toBe("Access log: purged 1 entries older than 7 days.");
      expect((await t.db.accessLogEntry.findMany()).map((e) => e.path)).toEqual(["/new"]);

      await job.stop();
      await t.db.accessLogEntry.create({ data: entry(new Date(now - 8 * DAY_MS), "/old/4") });
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(purges).toBe(2);
      expect(await job.runNow()).toBeNull();
      expect(purges).toBe(2);
      expect(await t.db.accessLogEntry.count()).toBe(2);
    } finally {
      vi.useRealTimers();
      await job.stop();
    }
  });

  it("logs a failed purge and keeps going", async () => {
    const lines: string[] = [];
    const broken = { accessLogEntry: { findMany: () => Promise.reject(new Error("database is locked\nmore detail")) } } as unknown as TestDatabase["db"];
    const job = startRetentionJob(broken, { logRetentionDays: 7 }, (l) => lines.push(l), 60_000);
    expect(await job.runNow()).toBeNull();
    await job.stop();
    expect(lines).toContain("Access log: the retention purge failed (database is locked); it is retried within the hour.");
  });
});
