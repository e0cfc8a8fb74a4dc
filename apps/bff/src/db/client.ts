// The database, through Prisma driver adapters: SQLite (better-sqlite3) by default,
// PostgreSQL (pg) to scale out. Both clients are generated from the one schema, so the
// SQLite client's type describes either.
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PostgresClient } from "./generated/postgres/client.ts";

export type Db = SqliteClient;
export type { Prisma } from "./generated/sqlite/client.ts";
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function sqliteFileOf(url: string): string {
  return path.resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
}

export function createDb(url: string): Db {
  if (isPostgresUrl(url)) {
    const adapter = new PrismaPg({ connectionString: url, max: 10 });
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  // WAL lets readers work while a writer commits; busy_timeout makes concurrent writers wait
  // instead of failing with SQLITE_BUSY.
  const adapter = new ImmediateTransactions({ url: sqliteFileOf(url), timeout: 5000 });
  return new SqliteClient({ adapter });
}

type PreparingClient = { prepare: (sql: string) => unknown };

/**
 * Prisma's SQLite adapter begins transactions DEFERRED: one that reads first and writes
 * later fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) when
 * another connection — the access-log and last-used writer's (lib/sqlite-side-writer.ts) —
 * committed in between. BEGIN IMMEDIATE takes the write lock up front, so a transaction
 * waits its turn (busy_timeout) instead.
 */
class ImmediateTransactions extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    const client = (adapter as unknown as { client: PreparingClient }).client;
    const prepare = client.prepare.bind(client);
    client.prepare = (sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql);
    return adapter;
  }
}

/** Settings that must hold on every SQLite connection. */
export async function prepareDb(db: Db, url: string): Promise<void> {
  if (isPostgresUrl(url)) return;
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA synchronous = FULL");
  await db.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  // Reads through the page cache without copying: the access-log grid's range reads over a
  // million entries take about two thirds of the time (measured with bench:logs).
  await db.$queryRawUnsafe("PRAGMA mmap_size = 268435456");
}
