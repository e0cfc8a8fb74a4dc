// The keys' usage summary (docs/advisor.md) over real HTTP: what the gates allowed lands in
// KeyUsage with the log batch (SQLite worker or PostgreSQL pool), per kind and value, capped
// per day, and purged with the log's retention. No mocks.
import { describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { buildNpmPublishBody } from "../feeds/formats/npm.fixtures.ts";
import type { TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { startRetentionJob } from "./retention.ts";
import { readKeyUsage, USAGE_NETWORKS_PER_DAY, USAGE_VALUES_PER_DAY, type LoggedEntry } from "./usage-summary.ts";
import { type LogWorld, type LoggedServer, useLoggedWorld } from "../test/logged-world.ts";

let t: TestDatabase;
let server: LoggedServer;
let world: LogWorld;
useLoggedWorld((parts) => ({ t, server, world } = parts));

const values = (list: { value: string; count: number }[]) => Object.fromEntries(list.map((x) => [x.value, x.count]));

describe("the usage summary", () => {
  it("records what each allowed request exercised, with the log batch", async () => {
    const { key, value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, scopes: ["push", "update"], globs: ["*"] });
    const publish = (version: string) => {
      const { body } = buildNpmPublishBody({ name: "usage-a", version, registry: `${server.url}/npm/npm/` });
      return fetch(`${server.url}/npm/npm/usage-a`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${value}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    };
    expect((await publish("1.0.0")).status).toBe(201);
    expect((await publish("1.0.1")).status).toBe(201);
    const read = await fetch(`${server.url}/npm/npm/usage-a`, { headers: { Authorization: `Bearer ${value}` } });
    expect(read.status).toBe(200);
    await read.arrayBuffer();
    // A refusal (a document edit needs "unlist") counts as a request, and as nothing used.
    const refused = await fetch(`${server.url}/npm/npm/usage-a`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${value}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();
    await server.flush();

    const usage = await readKeyUsage(t.db, key.id, 90);
    expect(usage.requests).toBe(4);
    expect(usage.refused).toBe(1);
    expect(values(usage.actions)).toEqual({ "push-new": 1, "push-version": 1, read: 1 });
    expect(values(usage.packages)).toEqual({ "npm/usage-a": 3 });
    expect(values(usage.feeds)).toEqual({ npm: 3 });
    expect(values(usage.surfaces)).toEqual({ feeds: 3 });
    expect(Object.keys(values(usage.networks))).toEqual([expect.stringMatching(/^(127\.0\.0\.0\/24|0:0:0::\/48)$/)]);
    expect(usage.firstUsedAt).not.toBeNull();
    expect(usage.incomplete).toEqual([]);
  });

  it("counts nothing for a revoked key's attempts", async () => {
    const { key, value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, revokedAt: new Date() });
    await (await fetch(`${server.url}/npm/npm/usage-a`, { headers: { Authorization: `Bearer ${value}` } })).arrayBuffer();
    await server.flush();
    expect((await readKeyUsage(t.db, key.id, 90)).requests).toBe(0);
  });

  it("keeps at most USAGE_VALUES_PER_DAY packages a key and day, and says the list is incomplete", async () => {
    const { key } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id });
    const at = new Date();
    const entry = (i: number): LoggedEntry => ({
      at,
      keyId: key.id,
      keyStatus: "valid",
      surface: "feeds",
      feed: "npm",
      method: "GET",
      path: `/npm/npm/p${i}`,
      status: 200,
      durationMs: 1,
      ip: "203.0.113.5",
      usage: [{ surface: "feeds", feed: "npm", action: "read", packageId: `p${i}` }],
    });
    // Two batches: the cap holds across them, not only within one.
    for (let i = 0; i < 150; i++) server.services.accessLog.add(entry(i));
    await server.services.accessLog.drain();
    for (let i = 150; i < USAGE_VALUES_PER_DAY + 30; i++) server.services.accessLog.add(entry(i));
    await server.flush();
    const usage = await readKeyUsage(t.db, key.id, 90);
    expect(usage.requests).toBe(USAGE_VALUES_PER_DAY + 30);
    expect(usage.packages).toHaveLength(USAGE_VALUES_PER_DAY);
    expect(usage.incomplete).toEqual(["package"]);
    expect(values(usage.networks)).toEqual({ "203.0.113.0/24": USAGE_VALUES_PER_DAY + 30 });
  });

  it("keeps fewer networks a day (USAGE_NETWORKS_PER_DAY)", async () => {
    const { key } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id });
    for (let i = 0; i < USAGE_NETWORKS_PER_DAY + 5; i++) {
      server.services.accessLog.add({
        at: new Date(),
        keyId: key.id,
        keyStatus: "valid",
        surface: "keys",
        method: "GET",
        path: "/api/api-keys/list",
        status: 200,
        durationMs: 1,
        ip: `10.0.${i}.1`,
        usage: [{ surface: "keys", feed: null, action: null, packageId: null }],
      } as LoggedEntry);
    }
    await server.flush();
    const usage = await readKeyUsage(t.db, key.id, 90);
    expect(usage.networks).toHaveLength(USAGE_NETWORKS_PER_DAY);
    expect(usage.incomplete).toEqual(["network"]);
  });

  it("reads only the window, and retention removes the days past it", async () => {
    const { key } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id });
    const now = new Date();
    const old = new Date(now.getTime() - 100 * 86_400_000);
    for (const at of [old, now]) {
      server.services.accessLog.add({
        at,
        keyId: key.id,
        keyStatus: "valid",
        surface: "keys",
        method: "GET",
        path: "/api/api-keys",
        status: 200,
        durationMs: 1,
        ip: "198.51.100.1",
        usage: [{ surface: "keys", feed: null, action: null, packageId: null }],
      } as LoggedEntry);
    }
    await server.flush();
    expect((await readKeyUsage(t.db, key.id, 90, now)).requests).toBe(1);
    expect((await readKeyUsage(t.db, key.id, 120, now)).requests).toBe(2);
    // The hourly retention job drops them with the entries.
    const job = startRetentionJob(t.db, { logRetentionDays: 90 }, () => {});
    await job.runNow();
    await job.stop();
    expect((await readKeyUsage(t.db, key.id, 120, now)).requests).toBe(1);
  });
});
