import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "../db/client.ts";
import { createUser } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, testConfig } from "../test/server.ts";
import { enqueueNotification } from "./outbox.ts";
import { every, startNotificationWorkers } from "./workers.ts";

const DAY_MS = 24 * 3600_000;

/** A real SMTP server that counts the mails it takes and how many it handles at once. */
async function startSmtp(opts: { delayMs?: number } = {}) {
  let markStarted = () => {};
  const started = new Promise<void>((r) => (markStarted = r));
  const state = { received: 0, active: 0, maxActive: 0, started };
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      state.active += 1;
      state.maxActive = Math.max(state.maxActive, state.active);
      markStarted();
      stream.resume();
      stream.on("end", () => {
        setTimeout(() => {
          state.active -= 1;
          state.received += 1;
          callback();
        }, opts.delayMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const close = () => new Promise<void>((r) => server.close(() => r()));
  return { url: `smtp://127.0.0.1:${port}`, state, close };
}

let t: TestDatabase;
let alice: { id: number; email: string };
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
});
beforeEach(async () => {
  await t.db.notification.deleteMany();
  await t.db.apiKey.deleteMany();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => t.drop());

function start(db: Db, smtpUrl: string | undefined, timing = { deliveryIntervalMs: 20 }) {
  const logs: string[] = [];
  const workers = startNotificationWorkers(db, testConfig({ smtpUrl }), (l) => logs.push(l), timing);
  cleanups.push(() => workers.stop());
  return { workers, logs };
}

async function smtp(opts: { delayMs?: number } = {}) {
  const s = await startSmtp(opts);
  cleanups.push(s.close);
  return s;
}

function enqueue(subject: string) {
  return t.db.$transaction((tx) => enqueueNotification(tx, alice, { kind: "key.created", subject, body: "Hello.\n" }, null));
}

function expiringKey(name: string) {
  return t.db.apiKey.create({
    data: {
      kind: "scoped",
      name,
      ownerId: alice.id,
      expiresAt: new Date(Date.now() + 5 * DAY_MS),
      secretHash: randomUUID(),
      hint: "kh_abcd…wxyz",
      globs: '["*"]',
      scopes: '["push"]',
    },
  });
}

const statuses = async () => (await t.db.notification.findMany({ orderBy: { id: "asc" } })).map((n) => n.status);

describe("startNotificationWorkers", () => {
  it("queues expiry notices at start and delivers the outbox when SMTP_URL is set", async () => {
    const server = await smtp();
    await expiringKey("soon");
    await enqueue("waiting");
    const { workers, logs } = start(t.db, server.url);

    await vi.waitFor(async () => expect(await statuses()).toEqual(["sent", "sent"]), { timeout: 10_000, interval: 50 });
    await workers.stop();
    expect(server.state.received).toBe(2);
    expect(logs).toContain("Queued 1 key expiry notice.");
    expect(logs.some((l) => /\d sent/.test(l))).toBe(true);
  });

  it("keeps notices pending without SMTP_URL: nothing ever tries to deliver them", async () => {
    await enqueue("waiting");
    await expiringKey("soon");
    const { workers, logs } = start(t.db, undefined);
    await vi.waitFor(async () => expect(await statuses()).toEqual(["pending", "pending"]), { timeout: 10_000, interval: 50 });
    // stop() waits for every loop's run in progress, and each loop runs at once when
    // started: a delivery loop, had one started, has had its go at "waiting" by now.
    await workers.stop();
    const rows = await t.db.notification.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((n) => [n.status, n.attempts])).toEqual([
      ["pending", 0],
      ["pending", 0],
    ]);
    expect(logs).toEqual(["Queued 1 key expiry notice."]);
  });

  it("never runs two deliveries at once, and stop() waits for the one in progress", async () => {
    const server = await smtp({ delayMs: 150 });
    for (const s of ["one", "two", "three"]) await enqueue(s);
    const { workers } = start(t.db, server.url, { deliveryIntervalMs: 1 });

    await server.state.started;
    await workers.stop();
    const after = await statuses();
    // The run that was sending when stop() was called finished its batch.
    expect(after).toEqual(["sent", "sent", "sent"]);
    expect(server.state.maxActive).toBe(1);
    expect(server.state.received).toBe(3);
  });

  it("logs failures once instead of crashing, and keeps trying", async () => {
    let calls = 0;
    const down = () => {
      calls += 1;
      return Promise.reject(new Error("Can't reach database server\n    at connect (pg.js:1:1)"));
    };
    const db = { apiKey: { findMany: down }, notification: { findMany: down } } as unknown as Db;
    const { workers, logs } = start(db, "smtp://127.0.0.1:9");

    await vi.waitFor(() => expect(calls).toBeGreaterThan(5), { timeout: 5_000, interval: 20 });
    await workers.stop();
    expect(logs.sort()).toEqual(["Expiry notices failed: Can't reach database server", "Sending notifications failed: Can't reach database server"]);
  });
});

// The loop both workers run on, on fake timers: when it runs, and that nothing runs
// after stop(), are decided by its timers alone.
describe("every", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function gatedTask() {
    const runs: (() => void)[] = [];
    const task = () => new Promise<void>((resolve) => runs.push(resolve));
    return { task, runs, finishLast: () => runs[runs.length - 1]!() };
  }

  it("runs at once, then intervalMs after each run ends, never two at once", async () => {
    vi.useFakeTimers();
    const { task, runs, finishLast } = gatedTask();
    const loop = every(1000, task);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(1); // still running: no second run starts meanwhile
    finishLast();
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
    finishLast();
    await loop.stop();
  });

  it("stop() waits for the run in progress, and nothing runs after it", async () => {
    vi.useFakeTimers();
    const { task, runs, finishLast } = gatedTask();
    const loop = every(10, task);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finishLast();
    await stopping;
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveLength(1);
  });
});
