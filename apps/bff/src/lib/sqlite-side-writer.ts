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

type Job =
  | { kind: "accessLog"; rows: Record<string, unknown>[]; bodies: BodyRow[]; usage: { overflow: unknown[] | null; upsert: unknown[] }[] }
  | { kind: "lastUsed"; rows: LastUse[] };

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
const insertSql = (n) => 'INSERT INTO "AccessLogEntry" (' + COLUMNS.map((c) => '"' + c + '"').join(", ") + ") VALUES " + Array.from({ length: n }, () => "(" + COLUMNS.map(() => "?").join(", ") + ")").join(", ");
const many = conn.prepare(insertSql(ROWS));
const one = conn.prepare(insertSql(1));
const valuesOf = (e, out) => {
  for (const c of COLUMNS) {
    if (c === "at") { out.push(time(e.at)); continue; }
    const v = e[c];
    out.push(v === undefined ? (c === "bytesIn" || c === "bytesOut" ? 0 : null) : v);
  }
  return out;
};
// The keys' usage summary (logs/usage-summary.ts), in the entries' transaction.
const usageUpsert = conn.prepare(workerData.usageSql.upsert);
const usageOverflow = conn.prepare(workerData.usageSql.overflow);
// Each body once (logs/bodies.ts), before the entries that name it.
const bodyInsert = conn.prepare(workerData.bodySql);
const insertAll = conn.transaction((rows, usage, bodies) => {
  for (const b of bodies || []) bodyInsert.run(b);
  let i = 0;
  for (; i + ROWS <= rows.length; i += ROWS) {
    const values = [];
    for (let j = i; j < i + ROWS; j++) valuesOf(rows[j], values);
    many.run(values);
  }
  for (; i < rows.length; i++) one.run(valuesOf(rows[i], []));
  for (const u of usage || []) {
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
    if (m.kind === "accessLog") insertAll.immediate(m.rows, m.usage, m.bodies);
    else touchAll.immediate(m.rows);
    parentPort.postMessage({ id: m.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String((e && e.message) || e), code: e && e.code });
  }
});
parentPort.postMessage({ ready: true });
`;

type Pending = { resolve: () => void; reject: (e: Error) => void };

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
    return this.run({ kind: "accessLog", rows, bodies, usage: usage.map(sqliteUsageParams) });
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
