// Shared set-up for the NuGet feed tests: a migrated database, a server with its own
// package folder, users with and without privileges, and helpers to push and read.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Config } from "../../config.ts";
import { createApiKey, createFeed, createLegacyKey, createUser, grantFeed } from "../../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../../test/database.ts";
import { createApp } from "../../http/app.ts";
import { createServices } from "../../services.ts";
import { TEST_PASSWORD, TEST_SECRET, testConfig } from "../../test/server.ts";
import { buildNupkg, nugetPushBody, type NupkgSpec } from "../formats/nuget.fixtures.ts";

export type NuGetWorld = Awaited<ReturnType<typeof createNuGetWorld>>;
type KeyInput = Parameters<typeof createApiKey>[2];

export async function createNuGetWorld(over: Partial<Config> = {}) {
  const t: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-nuget-"));
  const db = t.db;
  const alice = await createUser(db, { username: "alice", password: TEST_PASSWORD });
  const bob = await createUser(db, { username: "bob", password: TEST_PASSWORD });
  const viewer = await createUser(db, { username: "viewer", password: TEST_PASSWORD });
  const feed = await createFeed(db, { name: "main", type: "nuget" });
  const other = await createFeed(db, { name: "other", type: "nuget" });
  const open = await createFeed(db, { name: "open", type: "nuget", anonymousReads: true });
  await createFeed(db, { name: "js", type: "npm" });
  for (const f of [feed, other, open]) {
    await grantFeed(db, alice.id, f.id);
    await grantFeed(db, bob.id, f.id);
    await grantFeed(db, viewer.id, f.id, { view: true, add: false, unlist: false });
  }
  const server = await serve(db, testConfig({ dataDir, ...over }));

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
    users: { alice, bob, viewer },
    feeds: { feed, other, open },
    key,
    legacyKey,
    push,
    get,
    send,
    close: async () => {
      await server.close();
      // Last-used times are written a few seconds later; write them now, before the
      // database goes away under the timer.
      await server.services.keys.flush();
      await t.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function errorOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: string };
  return body.error ?? "";
}

export const DAY = 86_400_000;

/** Like test/server.ts's startServer, but keeping the services so close() can flush them. */
export async function serve(db: TestDatabase["db"], config: Config) {
  const logs: string[] = [];
  const services = createServices(db, config, (l) => logs.push(l));
  const server = http.createServer(createApp({ db, config, services, log: (l) => logs.push(l) }));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logs,
    services,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
