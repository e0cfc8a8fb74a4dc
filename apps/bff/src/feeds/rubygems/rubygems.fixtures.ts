// A running server with a RubyGems feed for the tests in this folder: alice owns gems,
// bob may push to the feed but owns nothing, and key() makes keys of any shape.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "../../config.ts";
import { createApiKey, createFeed, createLegacyKey, createUser, grantFeed } from "../../db/factories.ts";
import { createTestDatabase } from "../../test/database.ts";
import { createApp } from "../../http/app.ts";
import { createServices } from "../../services.ts";
import { TEST_PASSWORD, TEST_SECRET, testConfig } from "../../test/server.ts";

export type KeyInput = Parameters<typeof createApiKey>[2];

export async function startGemFeed(over: Partial<Config> = {}) {
  const t = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-gems-"));
  const alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  const bob = await createUser(t.db, { username: "bob", password: TEST_PASSWORD });
  const feed = await createFeed(t.db, { name: "gems", type: "rubygems" });
  const other = await createFeed(t.db, { name: "other-gems", type: "rubygems" });
  const open = await createFeed(t.db, { name: "open-gems", type: "rubygems", anonymousReads: true });
  for (const user of [alice, bob]) for (const f of [feed, other, open]) await grantFeed(t.db, user.id, f.id);
  const logs: string[] = [];
  const config = testConfig({ dataDir, ...over });
  // Our own services, so close() can flush the keys' last-used times before the database
  // goes away (the flush would otherwise fire later, against a dropped database).
  const services = createServices(t.db, config, (l) => logs.push(l));
  const httpServer = http.createServer(createApp({ db: t.db, config, services }));
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
  const server = { url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, logs, services };

  return {
    db: t.db,
    server,
    dataDir,
    alice,
    bob,
    feed,
    /** The feed's URL, without a trailing slash (as `gem push --host` takes it). */
    url: `${server.url}/rubygems/gems`,
    feedUrl: (name: string) => `${server.url}/rubygems/${name}`,
    /** A key's value; alice's push-everything scoped key unless told otherwise. */
    key: async (input: KeyInput = {}) => (await createApiKey(t.db, TEST_SECRET, { ownerId: alice.id, ...input })).value,
    legacyKey: async (ownerId = alice.id) => (await createLegacyKey(t.db, TEST_SECRET, { ownerId })).value,
    /** The .gem files stored for one gem. */
    storedFiles: (gem: string) => {
      try {
        return readdirSync(path.join(dataDir, "packages", "gems", gem.toLowerCase())).filter((f) => f.endsWith(".gem"));
      } catch {
        return [];
      }
    },
    close: async () => {
      httpServer.closeAllConnections();
      await new Promise<void>((r) => httpServer.close(() => r()));
      await services.keys.flush();
      await t.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type GemFeed = Awaited<ReturnType<typeof startGemFeed>>;

export const DAY = 86_400_000;
