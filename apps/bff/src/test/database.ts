// A real, empty, migrated database per test file: a temporary SQLite file, or a fresh
// PostgreSQL database when KEYHOUSE_TEST_DB=postgres. Migrations are the committed SQL
// files, applied as `prisma migrate deploy` would.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { repoRoot } from "../config.ts";
import { createDb, prepareDb, type Db } from "../db/client.ts";

export const testProvider = (process.env.KEYHOUSE_TEST_DB ?? "sqlite") as "sqlite" | "postgres";
export const PG_ADMIN_URL = process.env.KEYHOUSE_TEST_PG_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

function migrationSql(dir: string): string[] {
  const root = path.join(repoRoot(), dir);
  return readdirSync(root)
    .filter((d) => /^\d+_/.test(d))
    .sort()
    .map((d) => readFileSync(path.join(root, d, "migration.sql"), "utf8"));
}

export type TestDatabase = { db: Db; url: string; file?: string; drop: () => Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  if (testProvider === "postgres") {
    const name = `keyhouse_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = PG_ADMIN_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const sql of migrationSql("prisma/postgres/migrations")) await client.query(sql);
    await client.end();
    const db = createDb(url);
    return {
      db,
      url,
      drop: async () => {
        await db.$disconnect();
        const a = new pg.Client({ connectionString: PG_ADMIN_URL });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-test-"));
  const file = path.join(dir, "test.db");
  const raw = new Database(file);
  for (const sql of migrationSql("prisma/migrations")) raw.exec(sql);
  raw.close();
  const url = `file:${file}`;
  const db = createDb(url);
  await prepareDb(db, url);
  return {
    db,
    url,
    file,
    drop: async () => {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
