import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { AccessLogWriter, type AccessLogInput } from "./writer.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const entry = (i: number): AccessLogInput => ({ keyStatus: "valid", surface: "feeds", method: "GET", path: `/npm/npm/p${i}`, status: 200, durationMs: 1 });

describe("AccessLogWriter", () => {
  it("writes queued entries in batches and everything on close", async () => {
    const w = new AccessLogWriter(t.db, () => {}, { flushMs: 10_000, batch: 100, highWater: 1000, max: 2000 });
    const before = await t.db.accessLogEntry.count();
    for (let i = 0; i < 250; i++) w.add(entry(i));
    await w.close();
    expect((await t.db.accessLogEntry.count()) - before).toBe(250);
    expect(w.stats()).toMatchObject({ pending: 0, written: 250, dropped: 0 });
  });

  it("applies back-pressure past the high-water mark and counts what it must drop", async () => {
    const lines: string[] = [];
    const w = new AccessLogWriter(t.db, (l) => lines.push(l), { flushMs: 10_000, batch: 1000, highWater: 5, max: 10 });
    for (let i = 0; i < 5; i++) w.add(entry(i));
    const wait = w.ready();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(w.pending).toBeLessThan(5);
    for (let i = 0; i < 12; i++) w.add(entry(i));
    expect(w.stats().dropped).toBe(2);
    expect(lines.join("\n")).toMatch(/queue is full; 1 entries dropped/);
    await w.close();
  });
});
