// `pnpm bench:logs` — the access-log grid bar of docs/quality-bars.md: any filter, first page or
// deep page, under 50 ms on the server with 1 000 000 entries. Seeds a temporary SQLite
// database (or PostgreSQL with KEYHOUSE_TEST_DB=postgres) with users, keys and, through
// scripts/seed-access-logs.ts, a million entries; then times listAccessLogs — the function
// behind the grid's tRPC query, called in-process — for each filter: the first page, page
// 20 reached by following nextCursor, and a deep page (a cursor 90% of the way back in
// time). Each figure is the median of several runs after a warm-up. A page may stop at its
// search budget before it is full (query.ts: a filter that matches little of the table):
// such figures are marked "~", and the filter is then also followed to its end, to show
// how many requests and how long in all it takes to search the whole log.
//
// Environment: BENCH_LOG_ENTRIES (1000000), BENCH_RUNS (7), BENCH_LOGS_DB: keep the seeded
// database and reuse it on the next run (new migrations are applied to it) — with SQLite
// the file BENCH_LOGS_DB, with PostgreSQL (KEYHOUSE_TEST_DB=postgres) the database of that
// name on the test server (KEYHOUSE_TEST_PG_URL).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { accessLogFilterSchema, type AccessLogFilterInput } from "@keyhouse/shared";
import { createDb, prepareDb, type Db } from "../src/db/client.ts";
import { listAccessLogs } from "../src/logs/query.ts";
import { readKeyUsage } from "../src/logs/usage-summary.ts";
import type { CallerOnLogs } from "../src/auth/caller.ts";
import type { AccessLogPage } from "../src/logs/rows.ts";
import { createTestDatabase, PG_ADMIN_URL, testProvider } from "../src/test/database.ts";
import { repoRoot } from "../src/config.ts";
import { fillKeys } from "./world.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, "..");
const ENTRIES = Number(process.env.BENCH_LOG_ENTRIES ?? 1_000_000);
/** The advisor's read of one key's usage summary (docs/advisor.md). */
const USAGE_LIMIT_MS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const KEEP = process.env.BENCH_LOGS_DB;
const LIMIT_MS = 50;
const USERS = 40;
const KEYS = 400;

const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Applies the migrations not yet applied (prisma migrate deploy), so a kept database gets new indexes. */
function migrate(url: string, shown: string): void {
  const r = spawnSync(process.execPath, ["scripts/db.mjs", "migrate"], { cwd: repoRoot(), encoding: "utf8", env: { ...process.env, DATABASE_URL: url } });
  if (r.status !== 0) throw new Error(`migrating ${shown} failed:\n${r.stderr}${r.stdout}`);
}

async function setUp(): Promise<{ db: Db; url: string; cleanup: () => Promise<void> }> {
  if (KEEP && testProvider === "sqlite") {
    const file = path.resolve(KEEP);
    const url = `file:${file}`;
    migrate(url, file);
    const db = createDb(url);
    await prepareDb(db, url);
    return { db, url, cleanup: () => db.$disconnect() };
  }
  if (KEEP && testProvider === "postgres") {
    // BENCH_LOGS_DB names a database on the test server, created the first time.
    const name = KEEP.toLowerCase().replace(/[^a-z0-9_]/g, "_");
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      if ((await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = PG_ADMIN_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
    migrate(url, `database ${name}`);
    const db = createDb(url);
    return { db, url, cleanup: () => db.$disconnect() };
  }
  const t = await createTestDatabase();
  return { db: t.db, url: t.url, cleanup: t.drop };
}

/** Users (one admin), keys spread over them (some acting as another user), then the entries. */
async function seed(db: Db, url: string): Promise<void> {
  const have = await db.accessLogEntry.count();
  if (have >= ENTRIES) {
    log(`reusing ${have.toLocaleString("en")} entries`);
    return;
  }
  if ((await db.user.count()) === 0) {
    // Nobody signs in here: a placeholder password hash is enough, and much faster than argon2.
    await db.user.createMany({
      data: Array.from({ length: USERS }, (_, i) => ({
        username: i === 0 ? "root" : `user${i}`,
        displayName: `User ${i}`,
        email: `user${i}@example.com`,
        passwordHash: "x",
        role: i === 0 ? "admin" : "user",
      })),
    });
    for (const name of ["npm", "nuget", "gems"]) await db.feed.create({ data: { name, type: name === "gems" ? "rubygems" : name } });
    const users = await db.user.findMany({ select: { id: true }, orderBy: { id: "asc" } });
    await db.$disconnect();
    await fillKeys(
      url,
      users.map((u) => u.id),
      KEYS,
    );
    // A tenth of the keys act as another user (impersonation).
    await db.$executeRawUnsafe(`UPDATE "ApiKey" SET "userId" = "ownerId" + 1 WHERE "id" % 10 = 0 AND "ownerId" < ${users.at(-1)!.id}`);
  }
  await db.$disconnect();
  log(`seeding ${(ENTRIES - have).toLocaleString("en")} entries with scripts/seed-access-logs.ts…`);
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/seed-access-logs.ts", String(ENTRIES - have)], {
    cwd: appDir,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DATABASE_URL: url },
  });
  if (r.status !== 0) throw new Error("seeding failed");
}

type Case = { label: string; viewer: CallerOnLogs; filter: AccessLogFilterInput; matches?: number };

async function cases(db: Db, _url: string): Promise<Case[]> {
  const root = await db.user.findUniqueOrThrow({ where: { username: "root" } });
  const admin: CallerOnLogs = { id: root.id, isAdmin: true };
  // Pick filter values as a person would: a busy key and a quiet one, a user with some traffic, an owner.
  const byKey = (await db.$queryRawUnsafe(
    `SELECT "keyId" AS "id", COUNT(*) AS "n" FROM "AccessLogEntry" WHERE "keyId" IS NOT NULL GROUP BY "keyId" ORDER BY COUNT(*) DESC`,
  )) as { id: number; n: number | bigint }[];
  const busyKey = byKey[0]!;
  const quietKey = byKey[Math.floor(byKey.length * 0.8)]!;
  const byUser = (await db.$queryRawUnsafe(
    `SELECT "userId" AS "id", "username" AS "name", COUNT(*) AS "n" FROM "AccessLogEntry" WHERE "userId" IS NOT NULL GROUP BY "userId", "username" ORDER BY COUNT(*) DESC`,
  )) as { id: number; name: string; n: number | bigint }[];
  const midUser = byUser[Math.floor(byUser.length / 2)]!;
  const byOwner = (await db.$queryRawUnsafe(
    `SELECT "ownerId" AS "id", COUNT(*) AS "n" FROM "AccessLogEntry" WHERE "ownerId" IS NOT NULL GROUP BY "ownerId" ORDER BY COUNT(*) DESC`,
  )) as { id: number; n: number | bigint }[];
  const owner = byOwner.find((o) => o.id !== root.id && o.id < 10_000_000) ?? byOwner[0]!;
  const ownerViewer: CallerOnLogs = { id: Number(owner.id), isAdmin: false };
  const span = (await db.$queryRawUnsafe(`SELECT MIN("at") AS "a", MAX("at") AS "b" FROM "AccessLogEntry"`)) as { a: string | Date; b: string | Date }[];
  const first = new Date(span[0]!.a).getTime();
  const last = new Date(span[0]!.b).getTime();
  const day = 86_400_000;
  const mid = first + (last - first) / 2;
  const n = (x: number | bigint) => Number(x);

  return [
    { label: "none (admin, everything)", viewer: admin, filter: {} },
    { label: `key: busy (${n(busyKey.n)} entries)`, viewer: admin, filter: { key: Number(busyKey.id) } },
    { label: `key: quiet (${n(quietKey.n)} entries)`, viewer: admin, filter: { key: Number(quietKey.id) } },
    { label: `user: ${midUser.name} (${n(midUser.n)} entries)`, viewer: admin, filter: { user: midUser.name } },
    { label: "status class 2xx", viewer: admin, filter: { statusClass: "2xx" } },
    { label: "status class 4xx", viewer: admin, filter: { statusClass: "4xx" } },
    { label: "status class 5xx (rare)", viewer: admin, filter: { statusClass: "5xx" } },
    { label: "method GET", viewer: admin, filter: { method: "GET" } },
    { label: "method DELETE (rare)", viewer: admin, filter: { method: "DELETE" } },
    { label: "surface keys", viewer: admin, filter: { surface: "keys" } },
    { label: 'path contains "fabrikam"', viewer: admin, filter: { path: "fabrikam" } },
    { label: 'path contains "whoami"', viewer: admin, filter: { path: "whoami" } },
    { label: 'path contains "no-such-path" (none)', viewer: admin, filter: { path: "no-such-path" } },
    { label: "time range: one day, mid-history", viewer: admin, filter: { from: new Date(mid).toISOString(), to: new Date(mid + day).toISOString() } },
    { label: "time range: last 7 days", viewer: admin, filter: { from: new Date(last - 7 * day).toISOString() } },
    { label: "time range: first 30 days", viewer: admin, filter: { to: new Date(first + 30 * day).toISOString() } },
    { label: `owner-scoped viewer (user ${owner.id}, ${n(owner.n)} entries)`, viewer: ownerViewer, filter: {} },
    { label: "owner-scoped + status 5xx", viewer: ownerViewer, filter: { statusClass: "5xx" } },
    { label: 'owner-scoped + path "contoso"', viewer: ownerViewer, filter: { path: "contoso" } },
    { label: "owner-scoped + time range one day", viewer: ownerViewer, filter: { from: new Date(mid).toISOString(), to: new Date(mid + day).toISOString() } },
    { label: "admin scope mine", viewer: admin, filter: { scope: "mine" } },
    { label: "key + status 4xx + method GET", viewer: admin, filter: { key: Number(busyKey.id), statusClass: "4xx", method: "GET" } },
  ];
}

type Timing = { ms: number; rows: number; more: boolean; partial: boolean };

async function timed(db: Db, c: Case, extra: AccessLogFilterInput, provider: "sqlite" | "postgres"): Promise<Timing> {
  const filter = accessLogFilterSchema.parse({ ...c.filter, ...extra });
  await listAccessLogs(db, c.viewer, filter, provider); // warm-up
  const times: number[] = [];
  let last: AccessLogPage = { rows: [], nextCursor: null, scannedTo: null };
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    last = await listAccessLogs(db, c.viewer, filter, provider);
    times.push(performance.now() - t0);
  }
  return { ms: median(times), rows: last.rows.length, more: last.nextCursor !== null, partial: last.scannedTo !== null };
}

/** The cursor that page `n` starts from, following nextCursor from the first page. */
async function cursorOfPage(db: Db, c: Case, n: number, provider: "sqlite" | "postgres"): Promise<number | undefined | null> {
  let cursor: number | undefined;
  for (let page = 1; page < n; page++) {
    const r = await listAccessLogs(db, c.viewer, accessLogFilterSchema.parse({ ...c.filter, ...(cursor ? { cursor } : {}) }), provider);
    if (r.nextCursor === null) return null;
    cursor = r.nextCursor;
  }
  return cursor;
}

/** Follows the cursor from the first page to the last: requests, time in all, the slowest. */
async function toTheEnd(db: Db, c: Case, provider: "sqlite" | "postgres"): Promise<{ requests: number; totalMs: number; maxMs: number; rows: number }> {
  let cursor: number | undefined;
  let requests = 0;
  let totalMs = 0;
  let maxMs = 0;
  let rows = 0;
  for (;;) {
    const t0 = performance.now();
    const r = await listAccessLogs(db, c.viewer, accessLogFilterSchema.parse({ ...c.filter, ...(cursor ? { cursor } : {}) }), provider);
    const ms = performance.now() - t0;
    requests++;
    totalMs += ms;
    maxMs = Math.max(maxMs, ms);
    rows += r.rows.length;
    if (r.nextCursor === null || requests >= 1000) return { requests, totalMs, maxMs, rows };
    cursor = r.nextCursor;
  }
}

async function main() {
  const t0 = performance.now();
  const loadBefore = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  log(`bench:logs — ${ENTRIES.toLocaleString("en")} entries, ${testProvider}, median of ${RUNS} runs; load average ${loadBefore}`);
  const { db, url, cleanup } = await setUp();
  const provider = testProvider;
  const rowsOut: string[] = [];
  let failures = 0;
  let total = 0;
  try {
    await seed(db, url);
    const count = await db.accessLogEntry.count();
    const maxId = (await db.accessLogEntry.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))!.id;
    const deepCursor = Math.max(1, Math.floor(maxId * 0.1));
    log(`${count.toLocaleString("en")} entries; deep cursor ${deepCursor} (older than 90% of the table)`);

    rowsOut.push(`| ${"filter".padEnd(46)} | first page | page 20 (followed) | deep page (cursor ${deepCursor}) | result |`);
    rowsOut.push(`| ${"-".repeat(46)} | ----------:| ------------------:| ${"-".repeat(`deep page (cursor ${deepCursor})`.length - 1)}:| ------ |`);
    const fmt = (t: Timing | null) => (t ? `${t.ms.toFixed(1)} ms (${t.rows}${t.partial ? "~" : t.more ? "+" : ""})` : "— (fewer pages)");
    const notes: string[] = [];
    for (const c of await cases(db, url)) {
      const firstPage = await timed(db, c, {}, provider);
      const page20Cursor = await cursorOfPage(db, c, 20, provider);
      const page20 = page20Cursor === null ? null : await timed(db, c, { cursor: page20Cursor }, provider);
      const deep = await timed(db, c, { cursor: deepCursor }, provider);
      const worst = Math.max(firstPage.ms, page20?.ms ?? 0, deep.ms);
      const pass = worst < LIMIT_MS;
      total++;
      if (!pass) failures++;
      const line = `| ${c.label.padEnd(46)} | ${fmt(firstPage).padStart(10)} | ${fmt(page20).padStart(18)} | ${fmt(deep).padStart(`deep page (cursor ${deepCursor})`.length)} | ${pass ? "PASS" : "FAIL"}   |`;
      rowsOut.push(line);
      log(line);
      if (firstPage.partial) {
        const end = await toTheEnd(db, c, provider);
        notes.push(
          `- ${c.label}: the whole log searched in ${end.requests} requests, ${end.totalMs.toFixed(0)} ms in all (slowest ${end.maxMs.toFixed(1)} ms), ${end.rows} rows found.`,
        );
        log(notes.at(-1)!);
      }
    }
    if (notes.length) rowsOut.push("", "Pages marked ~ stopped at the search budget before they were full (scannedTo set); following them:", ...notes);

    // The advisor's read (docs/advisor.md): a key's 90 days from the usage summary, never the log.
    const keys = (await db.$queryRawUnsafe(
      `SELECT "keyId" AS "id", SUM("count") AS "n" FROM "KeyUsage" WHERE "kind" = 'request' AND "value" = 'all' GROUP BY "keyId" ORDER BY SUM("count") DESC`,
    )) as { id: number; n: number | bigint }[];
    const sample = [...keys.slice(0, 10), ...keys.filter((_, i) => i % Math.max(1, Math.floor(keys.length / 20)) === 0)];
    const perKey: number[] = [];
    for (const k of sample) {
      await readKeyUsage(db, Number(k.id), 90);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await readKeyUsage(db, Number(k.id), 90);
        times.push(performance.now() - t);
      }
      perKey.push(median(times));
    }
    perKey.sort((a, b) => a - b);
    const worstUsage = perKey.at(-1) ?? 0;
    total++;
    if (!(worstUsage < USAGE_LIMIT_MS)) failures++;
    const usageLine = `Usage summary per key (readKeyUsage, 90 days, ${sample.length} keys incl. the 10 busiest of ${keys.length}; busiest ${Number(keys[0]?.n ?? 0).toLocaleString("en")} requests): median ${median(perKey).toFixed(2)} ms, worst ${worstUsage.toFixed(2)} ms — ${worstUsage < USAGE_LIMIT_MS ? "PASS" : "FAIL"} (under ${USAGE_LIMIT_MS} ms)`;
    rowsOut.push("", usageLine);
    log(usageLine);
  } finally {
    await cleanup();
    if (!KEEP && provider === "sqlite" && url.startsWith("file:")) rmSync(path.dirname(url.slice(5)), { recursive: true, force: true });
  }
  const loadAfter = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  console.log("");
  console.log(
    `Access-log grid (listAccessLogs, in-process, 100 rows a page; "(100+)" = rows on the page and more after; "(0~)" = rows on a page that stopped at its search budget) — ${ENTRIES.toLocaleString("en")} entries, ${provider}, median of ${RUNS} runs; load average ${loadBefore} before, ${loadAfter} after; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
  );
  console.log("");
  console.log(rowsOut.join("\n"));
  console.log("");
  console.log(`${total - failures} of ${total} filters under ${LIMIT_MS} ms on every page.`);
  if (failures) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
