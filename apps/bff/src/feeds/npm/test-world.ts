// The npm feed tests' world: a database, users, feeds, one key of every kind the refusal
// matrix needs, and a running server over a temporary package store.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createApiKey, createFeed, createLegacyKey, createUser, grantFeed } from "../../db/factories.ts";
import { buildNpmPublishBody, type NpmPackageSpec } from "../formats/npm.fixtures.ts";
import { createTestDatabase, type TestDatabase } from "../../test/database.ts";
import type { Config } from "../../config.ts";
import { createApp } from "../../http/app.ts";
import { createServices } from "../../services.ts";
import { TEST_PASSWORD, TEST_SECRET, testConfig } from "../../test/server.ts";
import { mistypedKeyValue } from "../../test/keys.ts";

export const FEED = "npm";
export const OTHER_FEED = "npm-other";

export async function createNpmWorld(configOver: Partial<Config> = {}) {
  const t: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-npm-"));
  const db = t.db;
  const alice = await createUser(db, { username: "alice", password: TEST_PASSWORD });
  const bob = await createUser(db, { username: "bob", password: TEST_PASSWORD });
  const carol = await createUser(db, { username: "carol", password: TEST_PASSWORD });
  const feed = await createFeed(db, { name: FEED, type: "npm" });
  const other = await createFeed(db, { name: OTHER_FEED, type: "npm" });
  const open = await createFeed(db, { name: "npm-open", type: "npm", anonymousReads: true });
  for (const f of [feed, other, open]) {
    await grantFeed(db, alice.id, f.id);
    await grantFeed(db, bob.id, f.id);
  }
  // carol may read the feed but not publish to it.
  await grantFeed(db, carol.id, feed.id, { view: true, add: false, unlist: false });

  const key = async (input: Parameters<typeof createApiKey>[2]) => (await createApiKey(db, TEST_SECRET, { ownerId: alice.id, ...input })).value;
  const day = 86_400_000;
  const keys = {
    full: await key({ scopes: ["push", "update", "unlist"] }),
    pushOnly: await key({ scopes: ["push"] }),
    updateOnly: await key({ scopes: ["update"] }),
    unlistOnly: await key({ scopes: ["unlist"] }),
    otherPackage: await key({ scopes: ["push", "update", "unlist"], packages: ["some-other-package"], globs: [] }),
    otherFeed: await key({ scopes: ["push", "update", "unlist"], feeds: [OTHER_FEED] }),
    expired: await key({ scopes: ["push", "update", "unlist"], expiresAt: new Date(Date.now() - day) }),
    revoked: await key({ scopes: ["push", "update", "unlist"], revokedAt: new Date(Date.now() - day) }),
    expiringSoon: await key({ scopes: ["push", "update", "unlist"], expiresAt: new Date(Date.now() + 3 * day) }),
    noFeedsApi: await key({ scopes: ["push", "update", "unlist"], apis: ["native"] }),
    legacy: (await createLegacyKey(db, TEST_SECRET, { ownerId: alice.id })).value,
    system: (await createApiKey(db, TEST_SECRET, { kind: "system", ownerId: null })).value,
    bob: (await createApiKey(db, TEST_SECRET, { ownerId: bob.id, scopes: ["push", "update", "unlist"] })).value,
    carol: (await createApiKey(db, TEST_SECRET, { ownerId: carol.id, scopes: ["push", "update", "unlist"] })).value,
    wrong: mistypedKeyValue(),
  };
  const server = await startNpmServer(db, dataDir, configOver);
  const registry = `${server.url}/npm/${FEED}/`;
  return {
    t,
    db,
    dataDir,
    users: { alice, bob, carol },
    feeds: { feed, other, open },
    keys,
    server,
    registry,
    /** Files in the package store for one package (scoped names use "_" for "/" and "@"). */
    storedFiles(pkg: string): string[] {
      const dir = path.join(dataDir, "packages", FEED, pkg.toLowerCase().replace(/[^a-z0-9._-]+/g, "_"));
      try {
        return readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isFile());
      } catch {
        return [];
      }
    },
    async close() {
      await server.close();
      await t.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Like test/server.ts's startServer, but holding the services, so that closing flushes the
 * batched last-used and access-log writes before the database is dropped.
 */
async function startNpmServer(db: TestDatabase["db"], dataDir: string, configOver: Partial<Config>) {
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);
  const config = testConfig({ dataDir, ...configOver });
  const services = createServices(db, config, log);
  const server = http.createServer(createApp({ db, config, log, services }));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logs,
    services,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await services.keys.flush();
      await services.accessLog.close();
    },
  };
}

export type NpmWorld = Awaited<ReturnType<typeof createNpmWorld>>;

export type Call = { key?: string | null; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> };

/** fetch() against the world's npm feed: Bearer key, JSON bodies, paths relative to the registry. */
export function npmHttp(w: NpmWorld) {
  const call = (method: string, p: string, c: Call = {}) => {
    const headers: Record<string, string> = { ...(c.key ? { authorization: `Bearer ${c.key}` } : {}), ...c.headers };
    let body: string | Uint8Array | undefined = c.raw;
    if (c.body !== undefined) {
      body = JSON.stringify(c.body);
      headers["content-type"] ??= "application/json";
    }
    return fetch(w.registry + p.replace(/^\//, ""), { method, headers, body });
  };
  return {
    call,
    get: (p: string, c: Call = {}) => call("GET", p, c),
    put: (p: string, body: unknown, c: Call = {}) => call("PUT", p, { ...c, body }),
    del: (p: string, c: Call = {}) => call("DELETE", p, c),
    publish: (spec: NpmPackageSpec, key: string | null) => {
      const fixture = buildNpmPublishBody({ registry: w.registry, ...spec });
      return call("PUT", fixture.urlName, { key, body: fixture.body });
    },
  };
}

export async function errorOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: string };
  return body.error ?? "";
}
