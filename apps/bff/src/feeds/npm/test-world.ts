// The npm feed tests' world: a database, users, feeds, one key of every kind the refusal
// matrix needs, and a running server over a temporary package store.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createApiKey, createLegacyKey } from "../../db/factories.ts";
import { buildNpmPublishBody, type NpmPackageSpec } from "../formats/npm.fixtures.ts";
import type { Config } from "../../config.ts";
import { TEST_SECRET } from "../../test/server.ts";
import { grantAll, seedFeeds, seedUsers, startTestServer } from "../../test/world.ts";
import { mistypedKeyValue } from "../../test/keys.ts";

export const FEED = "npm";
export const OTHER_FEED = "npm-other";

export async function createNpmWorld(configOver: Partial<Config> = {}) {
  const world = await startTestServer({
    config: configOver,
    dataDirPrefix: "npm",
    seed: async (db) => {
      const users = await seedUsers(db, { alice: {}, bob: {}, carol: {} });
      const feeds = await seedFeeds(db, {
        feed: { name: FEED, type: "npm" },
        other: { name: OTHER_FEED, type: "npm" },
        open: { name: "npm-open", type: "npm", anonymousReads: true },
      });
      for (const f of Object.values(feeds)) await grantAll(db, [users.alice, users.bob], [f]);
      // carol may read the feed but not publish to it.
      await grantAll(db, [users.carol], [feeds.feed], { view: true, add: false, unlist: false });
      return { users, feeds };
    },
  });
  const { t, db, dataDir, server } = world;
  const { alice, bob, carol } = world.seeded.users;

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
  const registry = `${server.url}/npm/${FEED}/`;
  return {
    t,
    db,
    dataDir,
    users: world.seeded.users,
    feeds: world.seeded.feeds,
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
    close: world.close,
  };
}

export type NpmWorld = Awaited<ReturnType<typeof createNpmWorld>>;

/** Registers a test file's beforeAll/afterAll: an npm world and its HTTP helper, closed after the file. */
export function useNpmWorld(ready: (w: NpmWorld, api: ReturnType<typeof npmHttp>) => void): void {
  let w: NpmWorld | undefined;
  beforeAll(async () => {
    w = await createNpmWorld();
    ready(w, npmHttp(w));
  });
  afterAll(async () => {
    await w?.close();
  });
}

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
