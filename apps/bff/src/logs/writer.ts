// Access-log entries are queued and written in batches, off the request path: one
// transaction every FLUSH_MS or BATCH entries. The queue is bounded: past HIGH_WATER,
// new key-authenticated requests wait for the writer (back-pressure); past MAX, entries
// are dropped, but counted, logged and reported on /healthz — never silently.
// A batch is all or nothing, so one entry the database refuses would cost every entry
// written with it, other users' included: a refused batch is split in halves until only
// that entry is left, which alone is lost and counted ("poisoned" on /healthz). A database
// that does not answer is another matter: the batch is retried, then dropped and counted.
import type { Db, Prisma } from "../db/client.ts";
import type { SqliteSideWriter } from "../lib/sqlite-side-writer.ts";
import { ACCESS_LOG_COLUMNS, ACCESS_LOG_PG_TYPES as PG_TYPES } from "./columns.ts";
import type { PostgresLogInserter } from "./pg-batch-insert.ts";
import { contentAddress, PG_BODIES_PER_STATEMENT, pgBodySql, RecentBodies, SQLITE_BODY_SQL, type BodyRow } from "./bodies.ts";
import { prismaUsageStatements, usageRowsOf, type UsageRow } from "./usage-summary.ts";

export type AccessLogInput = Prisma.AccessLogEntryCreateManyInput;

export const FLUSH_MS = 250;
export const BATCH = 2_000;
export const HIGH_WATER = 5_000;
export const MAX = 20_000;

export class AccessLogWriter {
  private queue: AccessLogInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private readonly sqlite: SqliteSideWriter | null;
  private readonly postgres: PostgresLogInserter | null;
  dropped = 0;
  written = 0;
  failures = 0;
  /** Entries the database refused on their own (each one tried alone), lost. */
  poisoned = 0;
  private lastRefusal = "";
  /** Bodies written lately, not sent again (bodies.ts). */
  private readonly recentBodies = new RecentBodies();

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void,
    private readonly limits = { flushMs: FLUSH_MS, batch: BATCH, highWater: HIGH_WATER, max: MAX },
    private readonly options: { disabled: boolean; sqlite?: SqliteSideWriter; postgres?: PostgresLogInserter } = { disabled: false },
  ) {
    // SQLite: batches go to the worker thread services.ts shares with the key verifier
    // (lib/sqlite-side-writer.ts); PostgreSQL: to the writer's own pg pool
    // (pg-batch-insert.ts); without either, raw INSERTs through Prisma.
    this.sqlite = options.sqlite ?? null;
    this.postgres = options.postgres ?? null;
  }

  /** True only in benchmarks that measure the server without access logging (ServiceOptions.accessLogDisabled). */
  get disabled(): boolean {
    return this.options.disabled;
  }

  get pending(): number {
    return this.queue.length;
  }

  add(entry: AccessLogInput): void {
    if (this.options.disabled) return;
    if (this.queue.length >= this.limits.max) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.log(`Access log: the queue is full; ${this.dropped} entries dropped so far.`);
      return;
    }
    this.queue.push(entry);
    if (this.queue.length >= this.limits.batch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.limits.flushMs).unref();
  }

  /** Resolves when the queue is below the high-water mark (at once, usually). */
  ready(): Promise<void> | undefined {
    if (this.queue.length < this.limits.highWater) return undefined;
    void this.flush();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (this.queue.length === 0) return this.release();
    const batch = this.queue.splice(0, this.limits.batch);
    this.writing = this.writeBatch(batch);
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
    this.release();
    if (this.queue.length > 0) {
      if (this.queue.length >= this.limits.batch) return this.flush();
      this.timer ??= setTimeout(() => void this.flush(), this.limits.flushMs).unref();
    }
  }

  private insert(batch: AccessLogInput[]): Promise<unknown> {
    return (async () => {
      // The keys' usage summary goes in the same transaction as the entries (usage-summary.ts).
      const usage = usageRowsOf(batch);
      // Each distinct body once, named by its hash (bodies.ts), in the same transaction.
      const stored = contentAddress(batch, this.recentBodies, Date.now());
      if (this.sqlite && (await this.sqlite.available())) await this.sqlite.insertAccessLog(stored.rows as Record<string, unknown>[], usage, stored.bodies);
      else if (this.postgres) await this.postgres.insert(stored.rows as Record<string, unknown>[], undefined, usage, stored.bodies);
      else await insertEntries(this.db, batch, usage, stored);
      this.recentBodies.remember(stored.named, Date.now());
    })().then(
      () => null,
      (e: unknown) => e ?? new Error("The access-log write failed."),
    );
  }

  /** Whether the database answers at all: if it does, a failed write was refused for what it held. */
  private answers(): Promise<boolean> {
    // Asked through the connection the write went through: a pool that cannot connect is a
    // database that does not answer, not a refused batch.
    if (this.postgres) return this.postgres.answers();
    return this.db.$queryRawUnsafe("SELECT 1").then(
      () => true,
      () => false,
    );
  }

  /** Writes a batch; what the database refused is told in one line per batch, not one per entry. */
  private async writeBatch(batch: AccessLogInput[]): Promise<void> {
    const before = this.poisoned;
    this.lastRefusal = "";
    await this.write(batch);
    const refused = this.poisoned - before;
    if (refused > 0) {
      this.log(
        `Access log: the database refused ${refused} of ${batch.length} entries, each tried on its own (the last: ${this.lastRefusal}); the others were written; ${this.poisoned} refused so far.`,
      );
    }
  }

  private async write(batch: AccessLogInput[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const error = await this.insert(batch);
      if (!error) {
        this.written += batch.length;
        return;
      }
      this.failures++;
      if (await this.answers()) return this.split(batch, error);
      if (attempt >= 3) {
        this.dropped += batch.length;
        this.log(`Access log: could not write ${batch.length} entries (${reason(error)}); ${this.dropped} dropped so far.`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }

  /** A batch the database refused: each half written on its own, down to the one entry at fault. */
  private async split(batch: AccessLogInput[], error: unknown): Promise<void> {
    if (batch.length === 1) {
      this.poisoned++;
      // What identifies the entry, never its texts (they are what the database choked on).
      const e = batch[0]!;
      this.lastRefusal = `key ${e.keyId ?? "none"}, ${String(e.method).slice(0, 16)}, status ${e.status}, at ${e.at ? new Date(e.at).toISOString() : "now"}: ${reason(error)}`;
      return;
    }
    const half = Math.ceil(batch.length / 2);
    await this.write(batch.slice(0, half));
    await this.write(batch.slice(half));
  }

  private release(): void {
    if (this.queue.length >= this.limits.highWater) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Writes until the queue is empty; everything added before the call is then in the database. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.writing) await this.flush();
  }

  /** Drains, then stops the SQLite writer thread or ends the pg pool; for shutdown (a later add starts them again). */
  async close(): Promise<void> {
    await this.drain();
    await this.sqlite?.close();
    await this.postgres?.close();
  }

  stats() {
    return { pending: this.queue.length, written: this.written, dropped: this.dropped, poisoned: this.poisoned, writeFailures: this.failures };
  }
}

/** The database's own words, short: Prisma puts them on the last line of its message. */
function reason(error: unknown): string {
  const lines = String((error as Error)?.message ?? error)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines[lines.length - 1] ?? "unknown error").slice(0, 300);
}

type Provider = "sqlite" | "postgres";

/** Which database the client talks to; null when it cannot tell (then Prisma's own createMany is used). */
function providerOf(db: Db): Provider | null {
  const active = (db as unknown as { _activeProvider?: unknown })._activeProvider;
  return active === "sqlite" ? "sqlite" : active === "postgresql" ? "postgres" : null;
}

// Prisma's createMany costs about 1 ms of CPU per row here (its query compiler), more than
// the request being logged; one raw multi-row INSERT through Prisma costs a fifth of that
// (PostgreSQL), and on SQLite prepared statements on the writer thread's own connection
// cost the main thread nothing but the hand-over (lib/sqlite-side-writer.ts). Columns in
// the order of the table; every entry gets every column (defaults as Prisma would apply them).
const COLUMNS = ACCESS_LOG_COLUMNS satisfies readonly (keyof AccessLogInput)[];
/** Rows per statement: under SQLite's 32 766 and PostgreSQL's 65 535 parameters. */
const ROWS_PER_STATEMENT = 1000;

function valuesOf(e: AccessLogInput, provider: Provider): unknown[] {
  const at = e.at === undefined ? new Date() : new Date(e.at);
  return COLUMNS.map((c) => {
    // SQLite: as Prisma's adapter stores a DateTime (ISO 8601 text, "+00:00"), so raw rows compare and sort like Prisma's.
    if (c === "at") return provider === "sqlite" ? at.toISOString().replace("Z", "+00:00") : at.toISOString().replace("T", " ").replace("Z", "");
    const v = e[c];
    if (v === undefined) return c === "bytesIn" || c === "bytesOut" ? 0 : null;
    return v;
  });
}

function insertSql(rows: number, provider: Provider): string {
  let n = 0;
  const row = () => `(${COLUMNS.map((c) => (provider === "sqlite" ? "?" : `$${++n}${PG_TYPES[c] ? `::${PG_TYPES[c]}` : ""}`)).join(", ")})`;
  return `INSERT INTO "AccessLogEntry" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${Array.from({ length: rows }, row).join(", ")}`;
}

/** `stored`: the batch with its bodies named by hash, and those bodies (bodies.ts); Prisma's createMany keeps the bodies in the entries. */
async function insertEntries(db: Db, batch: AccessLogInput[], usage: UsageRow[], stored: { rows: AccessLogInput[]; bodies: BodyRow[] }): Promise<void> {
  const provider = providerOf(db);
  if (!provider) {
    await db.accessLogEntry.createMany({ data: batch.map(({ usage: _, ...e }: AccessLogInput & { usage?: unknown }) => e) });
    return;
  }
  batch = stored.rows;
  const statements = [];
  for (let i = 0; i < stored.bodies.length; i += PG_BODIES_PER_STATEMENT) {
    const chunk = stored.bodies.slice(i, i + PG_BODIES_PER_STATEMENT);
    const sql = provider === "postgres" ? pgBodySql(chunk.length) : `${SQLITE_BODY_SQL}${", (?, ?, ?)".repeat(chunk.length - 1)}`;
    statements.push(db.$executeRawUnsafe(sql, ...chunk.flat()));
  }
  for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
    const rows = batch.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(db.$executeRawUnsafe(insertSql(rows.length, provider), ...rows.flatMap((e) => valuesOf(e, provider))));
  }
  statements.push(...prismaUsageStatements(db, provider, usage));
  // One batch is all or nothing, as createMany's single statement was.
  await (statements.length === 1 ? statements[0] : db.$transaction(statements));
}
