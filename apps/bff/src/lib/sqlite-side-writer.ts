// Background writes to the SQLite file (access-log entries, keys' last-used times) on a
// worker thread that owns its own better-sqlite3 connection. better-sqlite3 is
// synchronous: on the main thread, every commit — and every WAL checkpoint, with its
// fsync — would stop every request for as long as the disk takes (hundreds of ms on a
// busy machine). Here they stop only the worker. The main thread posts a batch and gets
// an acknowledgement once it is committed, so callers can still wait for "written"
// (graceful shutdown loses nothing). Nothing here ever holds a key's value: only the
// rows callers pass, which are access-log metadata and key ids.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Db } from "../db/client.ts";
import { ACCESS_LOG_COLUMNS } from "../logs/columns.ts";
import { SQLITE_BODY_SQL, type BodyRow } from "../logs/bodies.ts";
import { SQLITE_USAGE_SQL, sqliteUsageParams, type UsageRow } from "../logs/usage-summary.ts";

export type LastUse = { id: number; at: Date; ip: string | null };

type Job = { kind: "accessLog"; values: unknown[]; bodies: BodyRow[]; usage: ReturnType<typeof sqliteUsageParams>[] } | { kind: "lastUsed"; rows: LastUse[] };

// The worker's code: plain CommonJS, evaluated (new Worker(code, { eval: true })), so that
// it works the same from the TypeScript sources (tests, tsx) and from the esbuild bundle.
// Dates are stored as Prisma's SQLite adapter stores DateTime: ISO 8601 text with
// "+00:00", so raw rows compare and sort like Prisma's.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const COLUMNS = workerData.columns;
const conn = new Database(workerData.file, { fileMustExist: true });
// Waiting for the write lock blocks only this thread.
conn.pragma("busy_timeout = 10000");
// The file is in WAL mode. NORMAL: a commit does not wait for fsync; a killed process
// still loses nothing committed, only a power cut can lose the last batches. SQLite's
// automatic checkpoints (PASSIVE) stay on, and run here, off the main thread.
conn.pragma("synchronous = NORMAL");
const time = (d) => (d instanceof Date ? d : new Date(d === undefined ? Date.now() : d)).toISOString().replace("Z", "+00:00");
const ROWS = 50;
const C = COLUMNS.length;
const AT = COLUMNS.indexOf("at");
const insertSql = (n) => 'INSERT INTO "AccessLogEntry" (' + COLUMNS.map((c) => '"' + c + '"').join(", ") + ") VALUES " + Array.from({ length: n }, () => "(" + COLUMNS.map(() => "?").join(", ") + ")").join(", ");
const many = conn.prepare(insertSql(ROWS));
const one = conn.prepare(insertSql(1));
// The keys' usage summary (logs/usage-summary.ts), in the entries' transaction.
const usageUpdate = conn.prepare(workerData.usageSql.update);
const usageUpsert = conn.prepare(workerData.usageSql.upsert);
const usageOverflow = conn.prepare(workerData.usageSql.overflow);
// Each body once (logs/bodies.ts), before the entries that name it.
const bodyInsert = conn.prepare(workerData.bodySql);
// values: the entries' columns in COLUMNS order, one entry after the other ("at" in ms).
const insertAll = conn.transaction((values, usage, bodies) => {
  for (const b of bodies || []) bodyInsert.run(b);
  for (let j = AT; j < values.length; j += C) values[j] = time(values[j]);
  const count = values.length / C;
  let i = 0;
  for (; i + ROWS <= count; i += ROWS) many.run(values.slice(i * C, (i + ROWS) * C));
  for (; i < count; i++) one.run(values.slice(i * C, (i + 1) * C));
  for (const u of usage || []) {
    if (usageUpdate.run(u.update).changes > 0) continue;
    if (u.overflow) usageOverflow.run(u.overflow);
    usageUpsert.run(u.upsert);
  }
});
// Never moves lastUsedAt backwards when another instance wrote a later use; sets updatedAt
// as Prisma's @updatedAt would.
const touch = conn.prepare('UPDATE "ApiKey" SET "lastUsedAt" = ?, "lastUsedIp" = ?, "updatedAt" = ? WHERE "id" = ? AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ?)');
const touchAll = conn.transaction((rows) => {
  const now = time(new Date());
  for (const r of rows) {
    const at = time(r.at);
    touch.run(at, r.ip, now, r.id, at);
  }
});
parentPort.on("message", (m) => {
  if (m.kind === "close") {
    conn.close();
    parentPort.postMessage({ id: m.id, ok: true });
    return;
  }
  try {
    // BEGIN IMMEDIATE: take the write lock first (waiting for it here), never upgrade a read.
    if (m.kind === "accessLog") insertAll.immediate(m.values, m.usage, m.bodies);
    else touchAll.immediate(m.rows);
    parentPort.postMessage({ id: m.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String((e && e.message) || e), code: e && e.code });
  }
});
parentPort.postMessage({ ready: true });
`;

type Pending = { resolve: () => void; reject: (e: Error) => void };

/**
 * The entries' columns as one flat array of plain values ("at" as ms since the epoch), in
 * the order of ACCESS_LOG_COLUMNS: what the thread binds. Copying plain values to the
 * thread costs far less than copying the entry objects (each with its property names, and
 * fields no column takes), and the copy is made on the main thread.
 */
function columnValues(rows: readonly Record<string, unknown>[]): unknown[] {
  const values: unknown[] = [];
  for (const e of rows) {
    for (const c of ACCESS_LOG_COLUMNS) {
      const v = e[c];
      if (c === "at") values.push(v instanceof Date ? v.getTime() : v === undefined ? Date.now() : new Date(v as string | number).getTime());
      else values.push(v === undefined ? (c === "bytesIn" || c === "bytesOut" ? 0 : null) : v);
    }
  }
  return values;
}

export class SqliteSideWriter {
  /** undefined: not looked up yet; null: no file (PostgreSQL, an in-memory database). */
  private file: string | null | undefined;
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly db: Db) {}

  /** Whether there is a SQLite file to write to; the first call asks the database. */
  async available(): Promise<boolean> {
    if (this.file === undefined) this.file = await sqliteFileOf(this.db);
    return this.file !== null;
  }

  /** Inserts access-log entries (AccessLogEntryCreateManyInput objects) and the keys' usage-summary rows in one transaction. */
  insertAccessLog(rows: Record<string, unknown>[], usage: readonly UsageRow[] = [], bodies: BodyRow[] = []): Promise<void> {
    return this.run({ kind: "accessLog", values: columnValues(rows), bodies, usage: usage.map(sqliteUsageParams) });
  }

  /** Records keys' last uses in one transaction. */
  touchKeys(rows: LastUse[]): Promise<void> {
    return this.run({ kind: "lastUsed", rows });
  }

  private async run(job: Job): Promise<void> {
    if (!(await this.available())) throw new Error("There is no SQLite file to write to.");
    const worker = this.start();
    await this.ready;
    // Prisma's own transactions begin IMMEDIATE (db/client.ts), so this thread's commits
    // cannot invalidate one half-way; each side waits for the write lock in turn.
    return new Promise<void>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      // Only while it owes an answer does the worker keep the process alive.
      worker.ref();
      try {
        worker.postMessage({ id, ...job });
      } catch (e) {
        // A row that cannot be copied to the thread fails this job alone (the access-log
        // writer then splits the batch), and must not leave the worker holding the process.
        this.pending.delete(id);
        if (this.pending.size === 0) worker.unref();
        reject(e as Error);
      }
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: this.file,
        module: createRequire(import.meta.url).resolve("better-sqlite3"),
        columns: ACCESS_LOG_COLUMNS,
        usageSql: SQLITE_USAGE_SQL,
        bodySql: SQLITE_BODY_SQL,
      },
    });
    this.worker = worker;
    worker.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
    });
    // A failed start surfaces on the callers waiting for it.
    this.ready.catch(() => {});
    worker.on("message", (m: { id?: number; ok?: boolean; error?: string; code?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.ok) p.resolve();
      else p.reject(Object.assign(new Error(m.error ?? "SQLite write failed"), { code: m.code }));
    });
    worker.on("error", (e) => this.fail(worker, e));
    worker.on("exit", (code) => this.fail(worker, new Error(`The SQLite writer thread stopped (exit code ${code}).`)));
    return worker;
  }

  private fail(worker: Worker, e: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(e);
  }

  /** Waits for what was posted, then closes the connection and stops the thread; a later write starts it again. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    try {
      await this.ready;
      await new Promise<void>((resolve, reject) => {
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, kind: "close" });
      });
    } catch {
      // The thread is gone already; nothing more to wait for.
    }
    if (this.worker === worker) this.worker = undefined;
    await worker.terminate();
  }
}

async function sqliteFileOf(db: Db): Promise<string | null> {
  const active = (db as unknown as { _activeProvider?: unknown })._activeProvider;
  if (active !== "sqlite") return null;
  const files = await db.$queryRawUnsafe<{ name: string; file: string }[]>("PRAGMA database_list");
  return files.find((f) => f.name === "main")?.file || null;
}
