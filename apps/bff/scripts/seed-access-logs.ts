// `pnpm logs:seed-million [N]` — bulk-inserts N (default 1 000 000) realistic access-log
// entries into the database named by DATABASE_URL (default: the SQLite file
// ./data/keyhouse.db, relative to the repository root as the server reads it), for trying
// the access-log viewer and for bench/logs.ts. Entries spread over the last 90 days (ids
// rise with time, as real traffic writes them), over the keys and users already in the
// database plus deleted keys (entries outlive keys), with a few very busy CI keys and many
// quiet ones; feeds, Native and management API paths; mostly GETs and 2xx, some failures.
//
//   DATABASE_URL=file:/tmp/x.db tsx scripts/seed-access-logs.ts 1000000 [--days 90] [--seed 1]
//
// Raw multi-row INSERTs in large transactions: better-sqlite3 for SQLite, pg for PostgreSQL.
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { repoRoot } from "../src/config.ts";
import { isPostgresUrl, sqliteFileOf } from "../src/db/client.ts";
import { mulberry32 } from "../src/lib/mulberry32.ts";
import { ACCESS_LOG_METADATA_COLUMNS, ACCESS_LOG_PG_TYPES } from "../src/logs/columns.ts";
import { PG_USAGE_SQL, pgUsageParams, SQLITE_USAGE_SQL, sqliteUsageParams, usageRowsOf, type LoggedEntry } from "../src/logs/usage-summary.ts";

/** The row's facts the keys' usage summary reads (logs/usage-summary.ts): the seeded log fills it as the writer would. */
function usageEntryOf(v: unknown[]): LoggedEntry {
  return {
    at: v[0] as Date,
    keyId: v[1] as number | null,
    keyStatus: v[4] as string,
    surface: v[8] as string,
    feed: v[9] as string | null,
    method: v[10] as string,
    path: v[11] as string,
    status: v[12] as number,
    durationMs: 0,
    ip: v[14] as string,
  };
}

const COLUMNS = [...ACCESS_LOG_METADATA_COLUMNS, "requestBody", "responseBody"] as const;
const PG_TYPES: Partial<Record<string, string>> = ACCESS_LOG_PG_TYPES;
const ROWS_PER_STATEMENT = 500;
const ROWS_PER_TRANSACTION = 50_000;

type KeyRef = { id: number; name: string; hint: string; ownerId: number | null; userId: number | null };
type UserRef = { id: number; username: string };
export type SeedOptions = { count: number; days?: number; seed?: number; log?: (line: string) => void };

/** A small deterministic PRNG (mulberry32), so a seed gives the same table every time. */
function rng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  /** Heavily skewed towards the start of the list (a few busy keys, many quiet ones). */
  const skewed = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(xs.length * next() ** 3))]!;
  const weighted = <T>(pairs: readonly (readonly [T, number])[]): T => {
    let r = next() * pairs.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1]![0];
  };
  return { next, int, pick, skewed, weighted };
}

const NPM_PACKAGES = [
  "@contoso/core",
  "@contoso/web",
  "fabrikam-utils",
  "left-pad",
  "lodash",
  "@acme/ui-kit",
  "express",
  "react",
  "typescript",
  "@internal/build-tools",
  "semver",
  "chalk",
];
const NUGET_PACKAGES = [
  "Contoso.Core",
  "Contoso.Web",
  "Contoso.Data",
  "Fabrikam.Logging",
  "Newtonsoft.Json",
  "Serilog",
  "Acme.Payments",
  "Internal.Build.Tasks",
  "Dapper",
  "Polly",
];
const GEMS = ["contoso", "rails", "rake", "fabrikam-cli", "nokogiri", "acme-billing"];
const NATIVE = [
  "ApiKeys_GetApiKeys",
  "ApiKeys_CreateOrUpdateApiKey",
  "ApiKeys_DeleteApiKey",
  "ApiKeyAccessLogs_GetLogs",
  "Feeds_GetFeeds",
  "Users_GetUsers",
  "Packages_GetPackages",
];
const AGENTS = [
  "npm/10.9.3 node/v22.20.0 linux x64 workspaces/false ci/github-actions",
  "npm/10.8.2 node/v20.18.0 darwin arm64 workspaces/false",
  "NuGet Command Line/6.12.1 (Microsoft Windows NT 10.0.20348.0)",
  "NuGet .NET Core MSBuild Task/6.12.1 (Linux)",
  "Ruby, RubyGems/3.5.22 x86_64-linux Ruby/3.3.6",
  "curl/8.11.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "python-requests/2.32.3",
];

function version(r: ReturnType<typeof rng>): string {
  return `${r.int(5)}.${r.int(20)}.${r.int(10)}`;
}

/** One request: surface, feed, method, path, status, sizes and bodies. */
function request(r: ReturnType<typeof rng>, feeds: { npm: string; nuget: string; gems: string }) {
  const kind = r.weighted([
    ["npm", 45],
    ["nuget", 35],
    ["gems", 8],
    ["native", 9],
    ["keys", 3],
  ] as const);
  let method = "GET";
  let p: string;
  let surface: "feeds" | "native" | "keys" = "feeds";
  let feed: string | null = null;
  let bytesIn = 0;
  let requestBody: string | null = null;
  if (kind === "npm") {
    feed = feeds.npm;
    const name = r.skewed(NPM_PACKAGES);
    const enc = name.replace("/", "%2f");
    const what = r.weighted([
      ["packument", 60],
      ["tarball", 28],
      ["publish", 5],
      ["dist-tag", 2],
      ["unpublish", 1],
      ["whoami", 4],
    ] as const);
    if (what === "packument") p = `/npm/${feed}/${enc}`;
    else if (what === "tarball") p = `/npm/${feed}/${name}/-/${name.split("/").pop()}-${version(r)}.tgz`;
    else if (what === "publish") {
      method = "PUT";
      p = `/npm/${feed}/${enc}`;
      bytesIn = 2000 + r.int(400_000);
    } else if (what === "dist-tag") {
      method = r.pick(["PUT", "DELETE"]);
      p = `/npm/${feed}/-/package/${enc}/dist-tags/${r.pick(["beta", "next", "canary"])}`;
    } else if (what === "unpublish") {
      method = "DELETE";
      p = `/npm/${feed}/${enc}/-rev/${1 + r.int(30)}-${r.int(1e9).toString(16)}`;
    } else p = `/npm/${feed}/-/whoami`;
  } else if (kind === "nuget") {
    feed = feeds.nuget;
    const id = r.skewed(NUGET_PACKAGES);
    const lower = id.toLowerCase();
    const what = r.weighted([
      ["index", 15],
      ["versions", 30],
      ["nupkg", 25],
      ["registration", 20],
      ["search", 5],
      ["push", 4],
      ["unlist", 1],
    ] as const);
    if (what === "index") p = `/nuget/${feed}/v3/index.json`;
    else if (what === "versions") p = `/nuget/${feed}/v3-flatcontainer/${lower}/index.json`;
    else if (what === "nupkg") {
      const v = version(r);
      p = `/nuget/${feed}/v3-flatcontainer/${lower}/${v}/${lower}.${v}.nupkg`;
    } else if (what === "registration") p = `/nuget/${feed}/v3/registration/${lower}/index.json`;
    else if (what === "search")
      p = `/nuget/${feed}/v3/search?q=${encodeURIComponent(r.pick(["contoso", "logging", "json", "acme"]))}&skip=0&take=20&prerelease=true&semVerLevel=2.0.0`;
    else if (what === "push") {
      method = "PUT";
      p = `/nuget/${feed}/api/v2/package`;
      bytesIn = 5000 + r.int(2_000_000);
    } else {
      method = "DELETE";
      p = `/nuget/${feed}/api/v2/package/${id}/${version(r)}`;
    }
  } else if (kind === "gems") {
    feed = feeds.gems;
    const gem = r.skewed(GEMS);
    const what = r.weighted([
      ["info", 50],
      ["versions", 20],
      ["gem", 20],
      ["push", 8],
      ["yank", 2],
    ] as const);
    if (what === "info") p = `/rubygems/${feed}/info/${gem}`;
    else if (what === "versions") p = `/rubygems/${feed}/versions`;
    else if (what === "gem") p = `/rubygems/${feed}/gems/${gem}-${version(r)}.gem`;
    else if (what === "push") {
      method = "POST";
      p = `/rubygems/${feed}/api/v1/gems`;
      bytesIn = 3000 + r.int(500_000);
    } else {
      method = "DELETE";
      p = `/rubygems/${feed}/api/v1/gems/yank?gem_name=${gem}&version=${version(r)}`;
    }
  } else if (kind === "native") {
    surface = "native";
    const m = r.pick(NATIVE);
    method = r.weighted([
      ["GET", 60],
      ["POST", 40],
    ] as const);
    p = method === "GET" ? `/api/json/${m}?key=[REDACTED]` : `/api/json/${m}`;
    if (method === "POST") {
      requestBody = JSON.stringify({ API_Key: "[REDACTED]", Feed_Name: feeds.npm });
      bytesIn = requestBody.length;
    }
  } else {
    surface = "keys";
    const what = r.weighted([
      ["list", 70],
      ["create", 20],
      ["delete", 10],
    ] as const);
    method = what === "list" ? "GET" : what === "create" ? "POST" : "DELETE";
    p = what === "delete" ? `/api/api-keys/delete?id=${1 + r.int(5000)}` : `/api/api-keys/${what}`;
    if (what === "create") {
      requestBody = JSON.stringify({ Description: "deploy key", Apis: ["feeds"] });
      bytesIn = requestBody.length;
    }
  }
  return { surface, feed, method, path: p, bytesIn, requestBody };
}

function statusFor(r: ReturnType<typeof rng>, method: string, keyStatus: string): number {
  if (keyStatus !== "valid") return 403;
  if (method === "GET")
    return r.weighted([
      [200, 86],
      [304, 5],
      [404, 6],
      [403, 2],
      [500, 0.6],
      [503, 0.4],
    ] as const);
  return r.weighted([
    [201, 70],
    [200, 12],
    [409, 8],
    [403, 6],
    [400, 3],
    [500, 1],
  ] as const);
}

async function existing(url: string): Promise<{ keys: KeyRef[]; users: UserRef[]; feeds: { name: string; type: string }[]; maxId: number }> {
  const keySql = 'SELECT "id", "name", "hint", "ownerId", "userId" FROM "ApiKey" ORDER BY "id" LIMIT 5000';
  const userSql = 'SELECT "id", "username" FROM "User" ORDER BY "id" LIMIT 5000';
  const feedSql = 'SELECT "name", "type" FROM "Feed" ORDER BY "id"';
  const maxSql = 'SELECT COALESCE(MAX("id"), 0) AS "m" FROM "AccessLogEntry"';
  if (isPostgresUrl(url)) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return {
        keys: (await c.query(keySql)).rows,
        users: (await c.query(userSql)).rows,
        feeds: (await c.query(feedSql)).rows,
        maxId: Number((await c.query(maxSql)).rows[0].m),
      };
    } finally {
      await c.end();
    }
  }
  const d = new Database(sqliteFileOf(url), { readonly: true, fileMustExist: true });
  try {
    return {
      keys: d.prepare(keySql).all() as KeyRef[],
      users: d.prepare(userSql).all() as UserRef[],
      feeds: d.prepare(feedSql).all() as { name: string; type: string }[],
      maxId: (d.prepare(maxSql).get() as { m: number }).m,
    };
  } finally {
    d.close();
  }
}

/** Inserts `count` entries; answers the rows written and the seconds taken. */
export async function seedAccessLogs(url: string, opts: SeedOptions): Promise<{ rows: number; seconds: number }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const days = opts.days ?? 90;
  const r = rng(opts.seed ?? 1);
  const world = await existing(url);
  const users: UserRef[] = world.users.length ? world.users : Array.from({ length: 20 }, (_, i) => ({ id: 100_000 + i, username: `user${i}` }));
  const userById = new Map(users.map((u) => [u.id, u]));
  // The keys in the table, and as many again that have since been deleted (their entries stay).
  const deleted: KeyRef[] = Array.from({ length: Math.max(50, world.keys.length) }, (_, i) => {
    const owner = r.pick(users);
    return {
      id: 10_000_000 + i,
      name: `old key ${i}`,
      hint: `khk_…${Math.floor(r.next() * 1e4)
        .toString()
        .padStart(4, "0")}`,
      ownerId: owner.id,
      userId: null,
    };
  });
  // Busy keys first: the skewed pick then makes a few of them carry most of the traffic.
  const keys = [...world.keys, ...deleted];
  for (let i = keys.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const feedOf = (type: string, fallback: string) => world.feeds.find((f) => f.type === type)?.name ?? fallback;
  const feeds = { npm: feedOf("npm", "npm"), nuget: feedOf("nuget", "nuget"), gems: feedOf("rubygems", "gems") };
  const ips = Array.from({ length: 300 }, () => `10.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`);

  const end = Date.now();
  const start = end - days * 86_400_000;
  const step = (end - start) / opts.count;

  const row = (i: number): unknown[] => {
    // Rising times, evenly spread with jitter.
    const at = new Date(Math.min(end, start + i * step + r.next() * step));
    const keyStatus = r.weighted([
      ["valid", 96],
      ["unknown", 2],
      ["revoked", 0.8],
      ["expired", 0.8],
      ["malformed", 0.4],
    ] as const);
    const key = keyStatus === "unknown" || keyStatus === "malformed" ? null : r.skewed(keys);
    const actingId = key ? (key.userId ?? key.ownerId) : null;
    const user = actingId !== null && keyStatus === "valid" ? (userById.get(actingId) ?? null) : null;
    const req = request(r, feeds);
    const status = statusFor(r, req.method, keyStatus);
    const bytesOut =
      status === 304
        ? 0
        : status >= 400
          ? 150 + r.int(200)
          : req.path.endsWith(".tgz") || req.path.endsWith(".nupkg") || req.path.endsWith(".gem")
            ? 5_000 + r.int(3_000_000)
            : 300 + r.int(60_000);
    // A few keys log bodies: small JSON answers are kept, package files only described.
    const bodies = key !== null && key.id % 17 === 0;
    const responseBody = bodies
      ? status >= 400
        ? JSON.stringify({ error: "The specified API key does not have permission to access the specified package." })
        : req.path.endsWith("index.json")
          ? JSON.stringify({ versions: ["1.0.0", "1.1.0", "2.0.0"] })
          : null
      : null;
    return [
      at,
      key?.id ?? null,
      key?.name ?? null,
      key?.hint ?? null,
      keyStatus,
      key?.ownerId ?? null,
      user?.id ?? null,
      user?.username ?? null,
      req.surface,
      req.feed,
      req.method,
      req.path,
      status,
      Math.round((0.3 + r.next() ** 4 * 800) * 100) / 100,
      r.skewed(ips),
      r.skewed(AGENTS),
      req.bytesIn,
      bytesOut,
      bodies ? req.requestBody : null,
      responseBody,
    ];
  };

  const started = performance.now();
  let done = 0;
  let lastReport = started;
  const progress = () => {
    const now = performance.now();
    if (now - lastReport < 5000) return;
    lastReport = now;
    log(`  ${done.toLocaleString("en")} rows, ${Math.round(done / ((now - started) / 1000)).toLocaleString("en")} rows/s`);
  };
  const cols = COLUMNS.map((c) => `"${c}"`).join(", ");

  if (isPostgresUrl(url)) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const toPg = (v: unknown) => (v instanceof Date ? v.toISOString().replace("T", " ").replace("Z", "") : v);
      const sqlFor = (n: number) => {
        let k = 0;
        const one = () => `(${COLUMNS.map((col) => `$${++k}${PG_TYPES[col] ? `::${PG_TYPES[col]}` : ""}`).join(", ")})`;
        return `INSERT INTO "AccessLogEntry" (${cols}) VALUES ${Array.from({ length: n }, one).join(", ")}`;
      };
      const full = sqlFor(ROWS_PER_STATEMENT);
      const usage: LoggedEntry[] = [];
      while (done < opts.count) {
        await c.query("BEGIN");
        const until = Math.min(opts.count, done + ROWS_PER_TRANSACTION);
        while (done < until) {
          const n = Math.min(ROWS_PER_STATEMENT, until - done);
          const values: unknown[] = [];
          for (let i = 0; i < n; i++) {
            const v = row(done + i);
            usage.push(usageEntryOf(v));
            for (const x of v) values.push(toPg(x));
          }
          await c.query(n === ROWS_PER_STATEMENT ? full : sqlFor(n), values);
          done += n;
        }
        const params = pgUsageParams(usageRowsOf(usage.splice(0)));
        await c.query(PG_USAGE_SQL.overflow, params);
        await c.query(PG_USAGE_SQL.upsert, params);
        await c.query("COMMIT");
        progress();
      }
      // PostgreSQL's autovacuum would soon do the same on a server.
      await c.query('ANALYZE "AccessLogEntry"');
      await c.query('ANALYZE "KeyUsage"');
    } finally {
      await c.end();
    }
  } else {
    const d = new Database(sqliteFileOf(url), { fileMustExist: true });
    try {
      d.pragma("busy_timeout = 10000");
      d.pragma("journal_mode = WAL");
      const one = `(${COLUMNS.map(() => "?").join(", ")})`;
      const insert = (n: number) => d.prepare(`INSERT INTO "AccessLogEntry" (${cols}) VALUES ${Array.from({ length: n }, () => one).join(", ")}`);
      const full = insert(ROWS_PER_STATEMENT);
      const toSqlite = (v: unknown) => (v instanceof Date ? v.toISOString().replace("Z", "+00:00") : v);
      const usageUpsert = d.prepare(SQLITE_USAGE_SQL.upsert);
      const usageOverflow = d.prepare(SQLITE_USAGE_SQL.overflow);
      const chunk = d.transaction((from: number, until: number) => {
        const usage: LoggedEntry[] = [];
        for (let at = from; at < until; ) {
          const n = Math.min(ROWS_PER_STATEMENT, until - at);
          const values: unknown[] = [];
          for (let i = 0; i < n; i++) {
            const v = row(at + i);
            usage.push(usageEntryOf(v));
            for (const x of v) values.push(toSqlite(x));
          }
          (n === ROWS_PER_STATEMENT ? full : insert(n)).run(values);
          at += n;
        }
        for (const u of usageRowsOf(usage).map(sqliteUsageParams)) {
          if (u.overflow) usageOverflow.run(u.overflow);
          usageUpsert.run(u.upsert);
        }
      });
      while (done < opts.count) {
        const until = Math.min(opts.count, done + ROWS_PER_TRANSACTION);
        chunk(done, until);
        done = until;
        progress();
      }
      // No ANALYZE: a server's database has no planner statistics unless someone runs it,
      // and the grid must be fast without them.
      d.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      d.close();
    }
  }
  return { rows: done, seconds: (performance.now() - started) / 1000 };
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL?.trim() || "file:./data/keyhouse.db";
  // Relative SQLite paths are taken from the repository root, as the server takes them.
  return url.startsWith("file:") ? `file:${path.resolve(repoRoot(), url.slice(5))}` : url;
}

async function main() {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const days = Number(flag("--days") ?? 90);
  const seed = Number(flag("--seed") ?? 1);
  const count = Number((args[0] ?? "1000000").replace(/[_,]/g, ""));
  if (!Number.isInteger(count) || count < 1 || !(days > 0)) {
    console.error("usage: seed-access-logs.ts [COUNT] [--days 90] [--seed 1]   (DATABASE_URL names the database)");
    process.exit(2);
  }
  const url = databaseUrl();
  const shown = url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  console.log(`Seeding ${count.toLocaleString("en")} access-log entries over ${days} days into ${shown}…`);
  const { rows, seconds } = await seedAccessLogs(url, { count, days, seed });
  console.log(`Inserted ${rows.toLocaleString("en")} entries in ${seconds.toFixed(1)} s: ${Math.round(rows / seconds).toLocaleString("en")} rows/s.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`Seeding failed: ${(e as Error).message} (is the database migrated? \`npm run db:migrate\`)`);
    process.exit(1);
  });
}
