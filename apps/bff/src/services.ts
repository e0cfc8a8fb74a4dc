// The long-lived parts one server instance shares between its surfaces.
import type { Config } from "./config.ts";
import { isPostgresUrl, type Db } from "./db/client.ts";
import { FeedAccess } from "./feeds/access.ts";
import type { FeedWriteHooks } from "./feeds/decide-at-commit.ts";
import { openStorage, storageLocationOf } from "./feeds/storage/open.ts";
import type { PackageStorage } from "./feeds/storage/types.ts";
import { KeyVerifier } from "./keys/verify.ts";
import { SqliteSideWriter } from "./lib/sqlite-side-writer.ts";
import { PostgresLogInserter } from "./logs/pg-batch-insert.ts";
import { AccessLogWriter } from "./logs/writer.ts";

export type Services = {
  db: Db;
  config: Config;
  keys: KeyVerifier;
  feedAccess: FeedAccess;
  /** Where package files live (STORAGE_URL). */
  store: PackageStorage;
  accessLog: AccessLogWriter;
  log: (line: string) => void;
  /** Tests only: pause points that make races deterministic; empty in production. */
  hooks: FeedWriteHooks;
};

/** Internal switches, never read from the environment or offered to users. */
export type ServiceOptions = {
  /** Benchmarks only (apps/bff/bench/feeds.ts): no access-log capture or writes, to measure what logging costs. */
  accessLogDisabled?: boolean;
  /** Tests only: the key verifier's clock, to move past a replaced value's end without waiting. */
  clock?: () => number;
};

export function createServices(db: Db, config: Config, log: (line: string) => void = (l) => console.error(l), options: ServiceOptions = {}): Services {
  // SQLite: one worker thread writes access-log entries and keys' last uses off the main thread.
  const sqlite = config.provider === "sqlite" ? new SqliteSideWriter(db) : null;
  const keys = new KeyVerifier(db, config.secret, options.clock, sqlite);
  // PostgreSQL: access-log batches through a pg pool of their own (logs/pg-batch-insert.ts),
  // to the database the URL names; a configuration naming none (some tests') keeps Prisma's path.
  const postgres = isPostgresUrl(config.databaseUrl) ? new PostgresLogInserter(config.databaseUrl) : null;
  return {
    db,
    config,
    keys,
    feedAccess: new FeedAccess(db, keys),
    store: openStorage(storageLocationOf(config), db, config.databaseUrl),
    accessLog: new AccessLogWriter(db, log, undefined, {
      disabled: options.accessLogDisabled ?? false,
      ...(sqlite ? { sqlite } : {}),
      ...(postgres ? { postgres } : {}),
    }),
    log,
    hooks: {},
  };
}
