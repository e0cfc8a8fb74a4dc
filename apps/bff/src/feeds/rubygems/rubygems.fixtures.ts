// A running server with a RubyGems feed for the tests in this folder: alice owns gems,
// bob may push to the feed but owns nothing, and key() makes keys of any shape.
import { readdirSync } from "node:fs";
import path from "node:path";
import type { Config } from "../../config.ts";
import { createApiKey, createLegacyKey } from "../../db/factories.ts";
import { TEST_SECRET } from "../../test/server.ts";
import { grantAll, seedFeeds, seedUsers, startTestServer } from "../../test/world.ts";

export type KeyInput = Parameters<typeof createApiKey>[2];

export async function startGemFeed(over: Partial<Config> = {}) {
  const world = await startTestServer({
    config: over,
    dataDirPrefix: "gems",
    seed: async (db) => {
      const users = await seedUsers(db, { alice: {}, bob: {} });
      const feeds = await seedFeeds(db, {
        feed: { name: "gems", type: "rubygems" },
        other: { name: "other-gems", type: "rubygems" },
        open: { name: "open-gems", type: "rubygems", anonymousReads: true },
      });
      await grantAll(db, [users.alice, users.bob], Object.values(feeds));
      return { ...users, feed: feeds.feed };
    },
  });
  const { t, server, dataDir } = world;
  const { alice, bob, feed } = world.seeded;

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
    close: world.close,
  };
}

export type GemFeed = Awaited<ReturnType<typeof startGemFeed>>;

export const DAY = 86_400_000;
