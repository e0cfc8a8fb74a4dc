// Access-log entries are queued and written in batches, off the request path: one
// transaction every FLUSH_MS or BATCH entries. The queue is bounded: past HIGH_WATER,
// new key-authenticated requests wait for the writer (back-pressure); past MAX, entries
// are dropped, but counted, logged and reported on /healthz — never silently.
import Database from "better-sqlite3";
import type { Db, Prisma } from "../db/client.ts";

export type AccessLogInput = Prisma.AccessLogEntryCreateManyInput;

export const FLUSH_MS = 250;
export const BATCH = 500;
export const HIGH_WATER = 5_000;
export const MAX = 20_000;

export class AccessLogWriter {
  private queue: AccessLogInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private sqlite: SqliteSink | null | undefined;
  dropped = 0;
  written = 0;
  failures = 0;

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void,
    private readonly limits = { flushMs: FLUSH_MS, batch: BATCH, highWater: HIGH_WATER, max: MAX },
    private readonly options: { disabled: boolean } = { disabled: false },
  ) {}

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
    this.writing = this.write(batch);
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

  private async write(batch: AccessLogInput[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.sqlite ??= providerOf(this.db) === "sqlite" ? new SqliteSink(this.db) : null;
        if (!(await this.sqlite?.write(batch))) await insertEntries(this.db, batch);
        this.written += batch.length;
        return;
      } catch (e) {
        this.failures++;
        if (attempt >= 3) {
          this.dropped += batch.length;
          this.log(`Access log: could not write ${batch.length} entries (${(e as Error).message.split("\n")[0]}); ${this.dropped} dropped so far.`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private release(): void {
    if (this.queue.length >= this.limits.highWater) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Flushes until empty; for shutdown. */
  async close(): Promise<void> {
    while (this.queue.length > 0 || this.writing) await this.flush();
    this.sqlite?.close();
    this.sqlite = undefined;
  }

  stats() {
    return { pending: this.queue.length, written: this.written, dropped: this.dropped, writeFailures: this.failures };
  }
}

type Provider = "sqlite" | "postgres";

/** Which database the client talks to; null when it cannot tell (then Prisma's own createMany is used). */
function providerOf(db: Db): Provider | null {
  const active = (db as unknown as { _activeProvider?: unknown })._activeProvider;
  return active === "sqlite" ? "sqlite" : active === "postgresql" ? "postgres" : null;
}

/** How Prisma's SQLite adapter stores a DateTime (ISO 8601 text, "+00:00"): raw rows must compare and sort like Prisma's. */
function sqliteDateTime(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

// Prisma's createMany costs about 1 ms of CPU per row here (its query compiler), more than
// the request being logged; one raw multi-row INSERT through Prisma costs a fifth of that
// (PostgreSQL), and on SQLite a prepared statement on the writer's own connection a tenth
// of that again (SqliteSink). Columns in the
// order of the table; every entry gets every column (defaults as Prisma would apply them).
const COLUMNS = [
  "at", "keyId", "keyName", "keyHint", "keyStatus", "ownerId", "userId", "username", "surface", "feed",
  "method", "path", "status", "durationMs", "ip", "userAgent", "bytesIn", "bytesOut", "requestBody", "responseBody",
] as const satisfies readonly (keyof AccessLogInput)[];
/** PostgreSQL casts, so that text parameters land in typed columns. */
const PG_TYPES: Partial<Record<(typeof COLUMNS)[number], string>> = {
  at: "timestamp(3)", keyId: "integer", ownerId: "integer", userId: "integer", status: "integer",
  durationMs: "double precision", bytesIn: "integer", bytesOut: "integer",
};
/** Rows per statement: under SQLite's 32 766 and PostgreSQL's 65 535 parameters. */
const ROWS_PER_STATEMENT = 1000;

function valuesOf(e: AccessLogInput, provider: Provider): unknown[] {
  const at = e.at === undefined ? new Date() : new Date(e.at);
  return COLUMNS.map((c) => {
    if (c === "at") return provider === "sqlite" ? sqliteDateTime(at) : at.toISOString().replace("T", " ").replace("Z", "");
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

async function insertEntries(db: Db, batch: AccessLogInput[]): Promise<void> {
  const provider = providerOf(db);
  if (!provider) {
    await db.accessLogEntry.createMany({ data: batch });
    return;
  }
  const statements = [];
  for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
    const rows = batch.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(db.$executeRawUnsafe(insertSql(rows.length, provider), ...rows.flatMap((e) => valuesOf(e, provider))));
  }
  // One batch is all or nothing, as createMany's single statement was.
  await (statements.length === 1 ? statements[0] : db.$transaction(statements));
}

const SQLITE_ROWS = 50;

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code ?? ""));

/**
 * SQLite: the writer's own better-sqlite3 connection to the same database file, with one
 * prepared INSERT run per entry inside one transaction. It never waits for the file's
 * write lock (busy_timeout 0: a wait would block the event loop, and the lock may be held
 * by a Prisma transaction on this very thread); it retries a little later instead.
 */
class SqliteSink {
  private conn: Database.Database | null | undefined;
  private insertAll: ((rows: unknown[][]) => void) | undefined;

  constructor(private readonly db: Db) {}

  /** false when there is no file to open (e.g. an in-memory database): the caller writes through Prisma. */
  async write(batch: AccessLogInput[]): Promise<boolean> {
    if (this.conn === undefined) await this.open();
    if (!this.conn) return false;
    const rows = batch.map((e) => valuesOf(e, "sqlite"));
    for (let attempt = 1; ; attempt++) {
      try {
        this.insertAll!(rows);
        return true;
      } catch (e) {
        // About ten seconds of waiting for another writer before the batch counts as failed.
        if (!isBusy(e) || attempt >= 200) throw e;
        await new Promise((r) => setTimeout(r, 10 + Math.min(attempt, 40)));
      }
    }
  }

  private async open(): Promise<void> {
    const files = await this.db.$queryRawUnsafe<{ name: string; file: string }[]>("PRAGMA database_list");
    const file = files.find((f) => f.name === "main")?.file;
    if (!file) {
      this.conn = null;
      return;
    }
    const conn = new Database(file, { fileMustExist: true });
    conn.pragma("busy_timeout = 0");
    // The file is in WAL mode (prepareDb). NORMAL: a commit does not wait for fsync, which
    // would stall every request on this thread; a killed process still loses nothing
    // committed, only a power cut can lose the last batches — entries that, queued for up
    // to FLUSH_MS after their responses, were never acknowledged writes anyway.
    conn.pragma("synchronous = NORMAL");
    // Rows go in SQLITE_ROWS at a time (fewer statement runs), the rest one by one.
    const insert = (n: number) => conn.prepare(`INSERT INTO "AccessLogEntry" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${Array.from({ length: n }, () => `(${COLUMNS.map(() => "?").join(", ")})`).join(", ")}`);
    const many = insert(SQLITE_ROWS);
    const one = insert(1);
    this.insertAll = conn.transaction((rows: unknown[][]) => {
      let i = 0;
      for (; i + SQLITE_ROWS <= rows.length; i += SQLITE_ROWS) many.run(rows.slice(i, i + SQLITE_ROWS).flat());
      for (; i < rows.length; i++) one.run(rows[i]!);
    });
    this.conn = conn;
  }

  close(): void {
    this.conn?.close();
    this.conn = undefined;
  }
}
