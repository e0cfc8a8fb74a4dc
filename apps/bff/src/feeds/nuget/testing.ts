// Shared set-up for the NuGet feed tests: a migrated database, a server with its own
// package folder, users with and without privileges, and helpers to push and read.
import type { Config } from "../../config.ts";
import { createApiKey, createLegacyKey } from "../../db/factories.ts";
import { TEST_SECRET } from "../../test/server.ts";
import { grantAll, seedFeeds, seedUsers, startTestServer } from "../../test/world.ts";
import { buildNupkg, nugetPushBody, type NupkgSpec } from "../formats/nuget.fixtures.ts";

export type NuGetWorld = Awaited<ReturnType<typeof createNuGetWorld>>;
type KeyInput = Parameters<typeof createApiKey>[2];

export async function createNuGetWorld(over: Partial<Config> = {}) {
  const world = await startTestServer({
    config: over,
    dataDirPrefix: "nuget",
    seed: async (db) => {
      const users = await seedUsers(db, { alice: {}, bob: {}, viewer: {} });
      const feeds = await seedFeeds(db, {
        feed: { name: "main", type: "nuget" },
        other: { name: "other", type: "nuget" },
        open: { name: "open", type: "nuget", anonymousReads: true },
        js: { name: "js", type: "npm" },
      });
      const { js: _js, ...nuget } = feeds;
      for (const f of Object.values(nuget)) {
        await grantAll(db, [users.alice, users.bob], [f]);
        await grantAll(db, [users.viewer], [f], { view: true, add: false, unlist: false });
      }
      return { users, feeds: nuget };
    },
  });
  const { db, server, dataDir } = world;
  const { alice } = world.seeded.users;

  /** A scoped key owned by alice unless said otherwise; answers its value. */
  const key = async (input: KeyInput = {}) => (await createApiKey(db, TEST_SECRET, { ownerId: alice.id, ...input })).value;
  let legacyKeys = 0;
  const legacyKey = async (ownerId = alice.id) => (await createLegacyKey(db, TEST_SECRET, { ownerId, name: `Legacy key ${++legacyKeys}` })).value;

  const push = async (apiKey: string | null, spec: NupkgSpec | Uint8Array, at = "/nuget/main/api/v2/package", headers: Record<string, string> = {}) => {
    const nupkg = spec instanceof Uint8Array ? spec : buildNupkg(spec);
    const { body, contentType } = nugetPushBody(nupkg);
    return fetch(server.url + at, {
      method: "PUT",
      headers: { "content-type": contentType, ...(apiKey ? { "x-nuget-apikey": apiKey } : {}), ...headers },
      body,
    });
  };
  const get = (at: string, apiKey: string | null, headers: Record<string, string> = {}) =>
    fetch(server.url + at, { headers: { ...(apiKey ? { "x-nuget-apikey": apiKey } : {}), ...headers } });
  const send = (method: string, at: string, apiKey: string | null) => fetch(server.url + at, { method, headers: apiKey ? { "x-nuget-apikey": apiKey } : {} });

  return {
    db,
    server,
    dataDir,
    users: world.seeded.users,
    feeds: world.seeded.feeds,
    key,
    legacyKey,
    push,
    get,
    send,
    close: world.close,
  };
}

export async function errorOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: string };
  return body.error ?? "";
}

export const DAY = 86_400_000;
