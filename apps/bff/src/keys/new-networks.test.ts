import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, prepareDb, type Db } from "../db/client.ts";
import { createApiKey } from "../db/factories.ts";
import { npmHttp, createNpmWorld, type NpmWorld } from "../feeds/npm/test-world.ts";
import { createServices } from "../services.ts";
import { testProvider } from "../test/database.ts";
import { callerFor, TEST_SECRET, testConfig } from "../test/server.ts";
import { networkOf } from "./new-networks.ts";

// docs/threat-model.md, "New-network alerts": decided in the last-used flush by a unique
// row per key and network, so that instances sharing a database send one notice.

let w: NpmWorld;
const DAY = 86_400_000;

beforeAll(async () => {
  w = await createNpmWorld();
});
afterAll(async () => {
  await w?.close();
});

async function newKey(over: Parameters<typeof createApiKey>[2] = {}) {
  const { key, value } = await createApiKey(w.db, TEST_SECRET, { ownerId: w.users.alice.id, scopes: ["push"], ...over });
  return { id: key.id, name: key.name, value };
}
const alertsOf = (keyId: number) => w.db.notification.findMany({ where: { keyId, kind: "key.new-network" }, orderBy: { id: "asc" } });

describe("networkOf", () => {
  it("is the /24 of an IPv4 address (mapped or not) and the /48 of an IPv6 one", () => {
    expect(networkOf("198.51.100.7")).toBe("198.51.100.0/24");
    expect(networkOf("::ffff:198.51.100.7")).toBe("198.51.100.0/24");
    expect(networkOf("2001:db8:1:2::7")).toBe("2001:db8:1::/48");
    expect(networkOf("2001:db8::1")).toBe("2001:db8::/48");
    expect(networkOf("not an address")).toBeNull();
    expect(networkOf(null)).toBeNull();
  });
});

describe("new-network alerts", () => {
  it("queue nothing while the request is answered, then one notice in the flush (key name, network, user agent, time, never the key)", async () => {
    const key = await newKey({ name: "ci-alerts" });
    const res = await npmHttp(w).get("nothing-here", { key: key.value, headers: { "user-agent": "npm/10.9.0 node/v22 linux x64" } });
    expect(res.status).toBe(404);
    expect(await alertsOf(key.id)).toHaveLength(0);
    expect(await w.db.keyNetworkSeen.count({ where: { keyId: key.id } })).toBe(0);

    await w.server.services.keys.flush();
    // The same flush wrote the last use (on SQLite through the side writer's worker).
    expect((await w.db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedIp).toBe("127.0.0.1");
    const [alert, ...more] = await alertsOf(key.id);
    expect(more).toHaveLength(0);
    expect(alert?.toAddress).toBe(w.users.alice.email);
    expect(alert?.subject).toBe('API key "ci-alerts" used from a new network');
    expect(alert?.body).toContain("Network: 127.0.0.0/24");
    expect(alert?.body).toContain("User agent: npm/10.9.0 node/v22 linux x64");
    expect(alert?.body).toMatch(/Time: \d{4}-\d\d-\d\dT/);
    expect(alert?.body).not.toContain(key.value);

    // A second use from the same network the same day: nothing more.
    expect((await npmHttp(w).get("nothing-here", { key: key.value })).status).toBe(404);
    await w.server.services.keys.flush();
    expect(await alertsOf(key.id)).toHaveLength(1);
  });

  it("tell once about each new network, again only after 90 quiet days", async () => {
    const key = await newKey();
    const keys = w.server.services.keys;
    const t0 = Date.parse("2026-03-01T10:00:00Z");
    keys.touch(key.id, "198.51.100.7", new Date(t0), "curl/8");
    keys.touch(key.id, "198.51.100.200", new Date(t0 + 1000), "curl/8"); // same /24
    keys.touch(key.id, "2001:db8:5:1::9", new Date(t0 + 2000), "curl/8");
    await keys.flush();
    expect((await alertsOf(key.id)).map((n) => n.body.match(/Network: (\S+)/)?.[1])).toEqual(["198.51.100.0/24", "2001:db8:5::/48"]);

    keys.touch(key.id, "203.0.113.5", new Date(t0 + 3 * DAY), null); // a new network
    keys.touch(key.id, "198.51.100.8", new Date(t0 + 89 * DAY), null); // seen 89 days ago
    await keys.flush();
    expect(await alertsOf(key.id)).toHaveLength(3);
    expect((await alertsOf(key.id))[2]?.body).toContain("User agent: (none sent)");

    keys.touch(key.id, "198.51.100.9", new Date(t0 + 180 * DAY), null); // quiet for 91 days
    await keys.flush();
    expect(await alertsOf(key.id)).toHaveLength(4);
  });

  it("write a key's network once an hour at most while it stays in use, and still tell after 90 quiet days", async () => {
    const key = await newKey();
    const keys = w.server.services.keys;
    const t0 = Date.parse("2026-05-01T10:00:00Z");
    const seen = async () =>
      (await w.db.keyNetworkSeen.findUniqueOrThrow({ where: { keyId_network: { keyId: key.id, network: "203.0.113.0/24" } } })).lastSeenAt.getTime();
    keys.touch(key.id, "203.0.113.9", new Date(t0), "ci");
    await keys.flush();
    expect(await seen()).toBe(t0);
    // Ten minutes later, and again: the row says t0 still (no write: it cannot be a new network).
    keys.touch(key.id, "203.0.113.9", new Date(t0 + 10 * 60_000), "ci");
    await keys.flush();
    expect(await seen()).toBe(t0);
    // An hour on, the last-seen time moves.
    keys.touch(key.id, "203.0.113.10", new Date(t0 + 61 * 60_000), "ci");
    await keys.flush();
    expect(await seen()).toBe(t0 + 61 * 60_000);
    keys.touch(key.id, "203.0.113.10", new Date(t0 + 61 * 60_000 + 92 * DAY), "ci");
    await keys.flush();
    expect(await alertsOf(key.id)).toHaveLength(2);
  });

  it("queue nothing for a key whose owner turned them off (Edit's keys.updateAlerts)", async () => {
    const key = await newKey();
    const alice = callerFor(w.db, w.users.alice);
    expect((await alice.keys.list()).find((k) => k.id === key.id)?.alertNewNetworks).toBe(true);
    expect((await alice.keys.updateAlerts({ id: key.id, alertNewNetworks: false })).alertNewNetworks).toBe(false);
    w.server.services.keys.touch(key.id, "192.0.2.1", new Date(), "curl/8");
    await w.server.services.keys.flush();
    expect(await alertsOf(key.id)).toHaveLength(0);
  });

  it("are sent once when two instances on one database see the same first uses", async () => {
    const config = testConfig({ provider: testProvider, databaseUrl: w.t.url, dataDir: w.dataDir });
    const clients: Db[] = [createDb(w.t.url), createDb(w.t.url)];
    for (const db of clients) await prepareDb(db, w.t.url);
    const instances = clients.map((db) => createServices(db, config, () => {}));
    try {
      const keys = await Promise.all(Array.from({ length: 20 }, () => newKey()));
      const at = new Date();
      for (const s of instances) for (const k of keys) s.keys.touch(k.id, "198.51.100.33", at, "racer");
      await Promise.all(instances.map((s) => s.keys.flush()));
      for (const k of keys) expect(await alertsOf(k.id), `key ${k.id}`).toHaveLength(1);
    } finally {
      for (const s of instances) await s.accessLog.close();
      for (const db of clients) await db.$disconnect();
    }
  });
});
