// The tail's poller on a real database, ticked by hand with its own clock: an ID missing
// below newer visible ones (another instance's insert not yet committed) holds the tail
// back until it appears, so its entry is sent and not skipped; a hole that stays (a
// rolled-back insert) is passed after HOLE_WAIT_MS.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { createLogWorld } from "./testing.ts";
import { HOLE_WAIT_MS, LiveTail, type LiveTailEvent } from "./live-tail.ts";

let t: TestDatabase;
let world: Awaited<ReturnType<typeof createLogWorld>>;
beforeAll(async () => {
  t = await createTestDatabase();
  world = await createLogWorld(t.db);
});
afterAll(async () => t?.drop());

const entry = (id: number) => ({
  id,
  at: new Date(),
  keyStatus: "valid",
  surface: "feeds",
  method: "GET",
  path: `/npm/npm/p${id}`,
  status: 200,
  durationMs: 1,
  bytesIn: 0,
  bytesOut: 0,
  ownerId: world.root.id,
});

it("waits for a missing ID, then sends it in order; passes a hole that stays after HOLE_WAIT_MS", async () => {
  let now = 0;
  const tail = new LiveTail(t.db, testProvider, () => {}, { pollMs: 1e9, now: () => now });
  const got: number[] = [];
  const unsubscribe = await tail.subscribe({ id: world.root.id, isAdmin: true }, { scope: "all" }, undefined, (e: LiveTailEvent) => {
    if (e.type === "entry") got.push(e.id);
  });
  await t.db.accessLogEntry.createMany({ data: [entry(1), entry(2), entry(4)] });
  await tail.tick();
  expect(got).toEqual([1, 2]);
  now += HOLE_WAIT_MS / 2;
  await tail.tick();
  expect(got).toEqual([1, 2]);
  await t.db.accessLogEntry.create({ data: entry(3) });
  await tail.tick();
  expect(got).toEqual([1, 2, 3, 4]);

  await t.db.accessLogEntry.create({ data: entry(6) });
  await tail.tick();
  expect(got).toEqual([1, 2, 3, 4]);
  now += HOLE_WAIT_MS;
  await tail.tick();
  expect(got).toEqual([1, 2, 3, 4, 6]);
  unsubscribe();
});
