#!/usr/bin/env node
// Database chores for both providers, from the one schema in prisma/schema.prisma.
//   sync            write prisma/postgres/schema.prisma from prisma/schema.prisma
//   generate        sync, then generate the SQLite and PostgreSQL clients
//   migrate         apply migrations to DATABASE_URL (default: the SQLite file under ./data)
//   new-migration N write migration N for SQLite and PostgreSQL from the schema change
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const prismaBin = path.join(root, "node_modules/.bin/prisma");
const DEFAULT_URL = "file:./data/keyhouse.db";
const isPostgres = (url) => /^postgres(ql)?:\/\//i.test(url);

function run(args, env = {}) {
  const r = spawnSync(prismaBin, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1", ...env },
    encoding: "utf8",
  });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? "");
    throw new Error(`prisma ${args[0]} ${args[1] ?? ""} failed`);
  }
  return r.stdout;
}

export function syncPostgresSchema() {
  const source = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
  const pg = source
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "../apps/bff/src/db/generated/sqlite"', 'output       = "../../apps/bff/src/db/generated/postgres"')
    .replace(/^\/\/ The one source[\s\S]*?\n\n/m, "// GENERATED from prisma/schema.prisma by `node scripts/db.mjs sync`. Do not edit.\n\n");
  if (pg === source || !pg.includes("postgresql") || !pg.includes("generated/postgres")) throw new Error("could not derive the PostgreSQL schema");
  mkdirSync(path.join(root, "prisma/postgres"), { recursive: true });
  const target = path.join(root, "prisma/postgres/schema.prisma");
  if (!existsSync(target) || readFileSync(target, "utf8") !== pg) writeFileSync(target, pg);
}

export function generate() {
  syncPostgresSchema();
  const env = { DATABASE_URL: DEFAULT_URL };
  run(["generate", "--schema", "prisma/schema.prisma"], env);
  run(["generate", "--schema", "prisma/postgres/schema.prisma"], { DATABASE_URL: "postgresql://localhost/unused" });
}

/** Generates the clients only when the schema changed since they were last generated. */
export function generateIfStale() {
  const schema = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
  const stamp = path.join(root, "apps/bff/src/db/generated/.schema-hash");
  const hash = createHash("sha256").update(schema).digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  generate();
  writeFileSync(stamp, hash);
}

export function migrate(url = process.env.DATABASE_URL ?? DEFAULT_URL) {
  if (!isPostgres(url)) mkdirSync(path.resolve(root, path.dirname(url.replace(/^file:/, ""))), { recursive: true });
  run(["migrate", "deploy"], { DATABASE_URL: url });
}

function newMigration(name) {
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: db.mjs new-migration name_in_snake_case");
  syncPostgresSchema();
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const [dir, schema, url] of [
    ["prisma/migrations", "prisma/schema.prisma", null],
    ["prisma/postgres/migrations", "prisma/postgres/schema.prisma", process.env.PG_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres"],
  ]) {
    const migrationsDir = path.join(root, dir);
    const existing = existsSync(migrationsDir) ? readdirSync(migrationsDir).filter((d) => /^\d/.test(d)) : [];
    let from = ["--from-empty"];
    // The SQLite adapter opens a database even for a diff of two schema files: a scratch one.
    const tmp = mkdtempSync(path.join(os.tmpdir(), "keyhouse-migration-"));
    if (existing.length) {
      // Diff against the schema as last committed (MIGRATION_FROM_REF, default HEAD), which
      // the committed migrations produce: Prisma 6.19 refuses --from-migrations' shadow
      // database when prisma.config.ts names a driver adapter.
      const ref = process.env.MIGRATION_FROM_REF ?? "HEAD";
      const old = spawnSync("git", ["show", `${ref}:${schema}`], { cwd: root, encoding: "utf8" });
      if (old.status !== 0) throw new Error(`could not read ${schema} at ${ref}: ${old.stderr}`);
      const oldFile = path.join(tmp, "schema.prisma");
      writeFileSync(oldFile, old.stdout);
      from = ["--from-schema-datamodel", oldFile];
    }
    let sql;
    try {
      sql = run(["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], { DATABASE_URL: url ?? `file:${path.join(tmp, "scratch.db")}` });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    if (!/CREATE|ALTER|DROP/i.test(sql)) {
      console.log(`${dir}: no change`);
      continue;
    }
    const out = path.join(migrationsDir, `${stamp}_${name}`);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "migration.sql"), sql);
    if (!existsSync(path.join(migrationsDir, "migration_lock.toml")))
      writeFileSync(path.join(migrationsDir, "migration_lock.toml"), `provider = "${schema.includes("postgres") ? "postgresql" : "sqlite"}"\n`);
    console.log(`wrote ${path.relative(root, out)}/migration.sql`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, arg] = process.argv.slice(2);
  try {
    if (cmd === "sync") syncPostgresSchema();
    else if (cmd === "generate") generate();
    else if (cmd === "generate-if-stale") generateIfStale();
    else if (cmd === "migrate") migrate();
    else if (cmd === "new-migration") newMigration(arg);
    else throw new Error("usage: db.mjs sync|generate|migrate|new-migration NAME");
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
