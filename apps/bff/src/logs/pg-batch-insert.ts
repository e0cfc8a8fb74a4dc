// PostgreSQL: access-log batches go to the database through a small pg pool of their own,
// as INSERTs of unnested column arrays, not through Prisma. A raw statement through Prisma
// still converts and checks every parameter in its query layer on the main thread (about
// 10 000 values for a batch of 500 entries); pg sends them as they are. The pool is the writer's alone,
// so log writes never wait behind requests for one of Prisma's connections, and requests
// never wait behind them. See docs/access-logs.md ("How entries are written").
import type pg from "pg";
import { SidePool } from "../db/side-pool.ts";
import { ACCESS_LOG_COLUMNS, ACCESS_LOG_PG_TYPES as PG_TYPES } from "./columns.ts";
import { PG_BODIES_PER_STATEMENT, pgBodySql, type BodyRow } from "./bodies.ts";
import { PG_USAGE_SQL, pgUsageParams, type UsageRow } from "./usage-summary.ts";

type Row = Record<string, unknown>;

/** Rows per statement (one array a column, so any number fits; a bound keeps statements of a sane size). */
export const PG_ROWS_PER_STATEMENT = 5_000;

/**
 * The entries as one array per column, unnested into rows. A multi-row VALUES with one
 * parameter per value (20 per entry) made PostgreSQL parse and plan a statement of
 * 10 000 parameters per 500 entries: 31 µs an entry in all, against 21 this way (pg-bench).
 */
const INSERT_SQL = `INSERT INTO "AccessLogEntry" (${ACCESS_LOG_COLUMNS.map((c) => `"${c}"`).join(", ")}) SELECT * FROM unnest(${ACCESS_LOG_COLUMNS.map((c, i) => `$${i + 1}::${PG_TYPES[c] ?? "text"}[]`).join(", ")})`;

const QUOTED = /["\\]/g;

/**
 * One column as a PostgreSQL array literal, written here: pg would quote every element and
 * run two replacements on each, numbers included; here every text is quoted (so "NULL", ""
 * and commas stay texts) and only a quote or backslash is escaped.
 */
function arrayLiteral(rows: readonly Row[], c: (typeof ACCESS_LOG_COLUMNS)[number]): string {
  let out = "{";
  for (let i = 0; i < rows.length; i++) {
    const e = rows[i]!;
    if (i > 0) out += ",";
    let v = e[c];
    if (c === "at") {
      // timestamp(3) without time zone holds UTC, as Prisma stores a DateTime.
      const at = v === undefined ? new Date() : new Date(v as string | number | Date);
      v = at.toISOString().replace("T", " ").replace("Z", "");
    } else if (v === undefined) v = c === "bytesIn" || c === "bytesOut" ? 0 : null;
    if (v === null) out += "NULL";
    else if (typeof v === "number") out += String(v);
    else {
      const text = String(v);
      out += `"${text.replace(QUOTED, "\\$&")}"`;
    }
  }
  return `${out}}`;
}

function columnArrays(rows: readonly Row[]): string[] {
  return ACCESS_LOG_COLUMNS.map((c) => arrayLiteral(rows, c));
}

export class PostgresLogInserter {
  // Two connections: one batch is written at a time (logs/writer.ts), the other is spare.
  private readonly pool: SidePool;

  constructor(url: string) {
    this.pool = new SidePool(url, 2);
  }

  private connect(): pg.Pool {
    return this.pool.get();
  }

  /** Whether the database answers through this pool: if it does, a failed write was refused for what it held. */
  answers(): Promise<boolean> {
    return this.connect()
      .query("SELECT 1")
      .then(
        () => true,
        () => false,
      );
  }

  /** Inserts the rows (AccessLogEntryCreateManyInput objects) all or nothing. */
  /** `usage`: the keys' usage-summary rows of the batch (usage-summary.ts), written in the same transaction. */
  /** `bodies`: the bodies the rows name by hash (bodies.ts), inserted first if absent. */
  async insert(rows: Row[], rowsPerStatement = PG_ROWS_PER_STATEMENT, usage: readonly UsageRow[] = [], bodies: readonly BodyRow[] = []): Promise<void> {
    const pool = this.connect();
    const statements: [string, unknown[]][] = [];
    for (let i = 0; i < bodies.length; i += PG_BODIES_PER_STATEMENT) {
      const chunk = bodies.slice(i, i + PG_BODIES_PER_STATEMENT);
      statements.push([pgBodySql(chunk.length), chunk.flat()]);
    }
    for (let i = 0; i < rows.length; i += rowsPerStatement) statements.push([INSERT_SQL, columnArrays(rows.slice(i, i + rowsPerStatement))]);
    if (statements.length === 1 && usage.length === 0) {
      await pool.query(statements[0]![0], statements[0]![1]);
      return;
    }
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      for (const [sql, values] of statements) await client.query(sql, values);
      if (usage.length > 0) {
        const found = await client.query<{ i: string }>(PG_USAGE_SQL.update, pgUsageParams(usage));
        const counted = new Set(found.rows.map((r) => Number(r.i) - 1));
        const fresh = counted.size === 0 ? usage : usage.filter((_, i) => !counted.has(i));
        if (fresh.length > 0) {
          const params = pgUsageParams(fresh);
          await client.query(PG_USAGE_SQL.overflow, params);
          await client.query(PG_USAGE_SQL.upsert, params);
        }
      }
      await client.query("COMMIT");
      client.release();
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      client.release(true);
      throw e;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
