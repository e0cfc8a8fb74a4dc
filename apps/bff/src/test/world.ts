// The one way a test world starts: a fresh test database (test/database.ts), a temporary
// data folder for package files, and the real server over both (test/server.ts's
// startServer: the services, and so the feed-write hooks, in reach; Expect: 100-continue
// answered as in production). Users and feeds are seeded with the factories of
// db/factories.ts. Closing stops the server, writes what it still holds, drops the
// database and removes the folder.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { createFeed, createUser, grantFeed } from "../db/factories.ts";
import { createTestDatabase } from "./database.ts";
import { startServer, TEST_PASSWORD, testConfig } from "./server.ts";

type UserSpec = Omit<Parameters<typeof createUser>[1], "username" | "password">;
type FeedSpec = Parameters<typeof createFeed>[1];
type User = Awaited<ReturnType<typeof createUser>>;
type Feed = Awaited<ReturnType<typeof createFeed>>;

/** Users named by the keys, in their order, each with TEST_PASSWORD. */
export async function seedUsers<N extends string>(db: Db, specs: Record<N, UserSpec>): Promise<Record<N, User>> {
  const users = {} as Record<N, User>;
  for (const [username, spec] of Object.entries(specs) as [N, UserSpec][])
    users[username] = await createUser(db, { username, password: TEST_PASSWORD, ...spec });
  return users;
}

/** Feeds, in the keys' order. */
export async function seedFeeds<N extends string>(db: Db, specs: Record<N, FeedSpec>): Promise<Record<N, Feed>> {
  const feeds = {} as Record<N, Feed>;
  for (const [key, spec] of Object.entries(specs) as [N, FeedSpec][]) feeds[key] = await createFeed(db, spec);
  return feeds;
}

/** Every user gets the same privileges (all of them unless said) on every feed. */
export async function grantAll(db: Db, users: { id: number }[], feeds: { id: number }[], privileges?: Parameters<typeof grantFeed>[3]) {
  for (const u of users) for (const f of feeds) await grantFeed(db, u.id, f.id, privileges);
}

/** The real server over `db` with its own temporary data folder, removed again by close(). */
export async function startServerWithDataDir(db: Db, over: Partial<Config> = {}, dataDirPrefix = "test") {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `keyhouse-${dataDirPrefix}-`));
  try {
    const config = testConfig({ dataDir, ...over });
    const server = await startServer(db, config);
    return {
      ...server,
      dataDir,
      config,
      close: async () => {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

export type TestWorldServer = Awaited<ReturnType<typeof startTestServer>>;

/**
 * A fresh database and data folder; `seed` fills the database before the server starts,
 * and its answer is handed back beside the server.
 */
export async function startTestServer<S = undefined>(options: { config?: Partial<Config>; dataDirPrefix?: string; seed?: (db: Db) => Promise<S> } = {}) {
  const t = await createTestDatabase();
  try {
    const seeded = (await options.seed?.(t.db)) as S;
    // The configuration names the database the world made, as a real one would: the
    // database package store and PostgreSQL's log writer connect to it by its URL.
    const server = await startServerWithDataDir(t.db, { databaseUrl: t.url, ...options.config }, options.dataDirPrefix);
    return {
      t,
      db: t.db,
      dataDir: server.dataDir,
      config: server.config,
      server,
      seeded,
      close: async () => {
        await server.close();
        await t.drop();
      },
    };
  } catch (e) {
    await t.drop();
    throw e;
  }
}
