// The feed benchmark's world: owners with every privilege on four feeds (an npm and a
// NuGet feed open to anonymous reads, and one of each that is not), one package published
// to both npm feeds through the real publish path, keys that read (one per connection,
// metadata-only, and as many with body logging) and filler keys up to any count.
import { copyFileSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import { generateKeyValue, keyHint } from "@keyhouse/shared";
import { isPostgresUrl, sqliteFileOf, type Db } from "../src/db/client.ts";
import { createApiKey, createFeed, createUser, grantFeed } from "../src/db/factories.ts";
import { buildNpmPublishBody } from "../src/feeds/formats/npm.fixtures.ts";
import { hashKeyValue } from "../src/keys/secrets.ts";
import { PG_ADMIN_URL, testProvider } from "../src/test/database.ts";
import { startServer, TEST_PASSWORD, TEST_SECRET, testConfig } from "../src/test/server.ts";

export const OWNERS = 10;
export const PACKAGE = "bench-pkg";
export const VERSIONS = 15;
export const FEEDS = { npmOpen: "open", npmPrivate: "priv", nugetOpen: "nu-open", nugetPrivate: "nu-priv" } as const;

export type World = { owners: number[]; readers: string[]; bodyReaders: string[]; networkReaders: string[] };

/** 50 allowed networks (the most a key may have), the loopback last: every request checks them all. */
export const FIFTY_NETWORKS = [
  ...Array.from({ length: 25 }, (_, i) => `10.${i}.0.0/16`),
  ...Array.from({ length: 24 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
  "127.0.0.0/8",
];

export async function seedWorld(db: Db, dataDir: string, readersCount: number): Promise<World> {
  const owners = [];
  for (let i = 0; i < OWNERS; i++) owners.push(await createUser(db, { username: `owner${i}`, password: TEST_PASSWORD }));
  const feeds = {
    npmOpen: await createFeed(db, { name: FEEDS.npmOpen, type: "npm", anonymousReads: true }),
    npmPrivate: await createFeed(db, { name: FEEDS.npmPrivate, type: "npm", anonymousReads: false }),
    nugetOpen: await createFeed(db, { name: FEEDS.nugetOpen, type: "nuget", anonymousReads: true }),
    nugetPrivate: await createFeed(db, { name: FEEDS.nugetPrivate, type: "nuget", anonymousReads: false }),
  };
  for (const o of owners) for (const f of Object.values(feeds)) await grantFeed(db, o.id, f.id);

  // The same versions in both npm feeds, so both answer the same packument (but for the feed name in tarball URLs).
  const publisher = await createApiKey(db, TEST_SECRET, { ownerId: owners[0]!.id, name: "publisher", scopes: ["push", "update"] });
  const server = await startServer(db, testConfig({ provider: testProvider, dataDir }));
  const readme = `# ${PACKAGE}\n\n${"A package the benchmark reads. It has a readme of a realistic length, with usage notes and examples. ".repeat(30)}\n`;
  try {
    for (const feed of [FEEDS.npmOpen, FEEDS.npmPrivate]) {
      const registry = `${server.url}/npm/${feed}/`;
      for (let v = 0; v < VERSIONS; v++) {
        const fixture = buildNpmPublishBody({
          name: PACKAGE,
          version: `1.${v}.0`,
          description: "A package for the feed benchmark.",
          readme,
          registry,
          packageJson: {
            keywords: ["bench", "keyhouse", "fixture"],
            repository: { type: "git", url: "https://example.com/bench-pkg.git" },
            dependencies: { "left-pad": "^1.3.0", lodash: "^4.17.21", semver: `^7.${v}.0` },
            engines: { node: ">=18" },
          },
        });
        const res = await fetch(registry + fixture.urlName, {
          method: "PUT",
          headers: { authorization: `Bearer ${publisher.value}`, "content-type": "application/json" },
          body: JSON.stringify(fixture.body),
        });
        if (res.status !== 200 && res.status !== 201) throw new Error(`publish ${feed} 1.${v}.0: ${res.status} ${await res.text()}`);
      }
    }
  } finally {
    await server.close();
  }

  const readers: string[] = [];
  const bodyReaders: string[] = [];
  const networkReaders: string[] = [];
  for (let i = 0; i < readersCount; i++) {
    const ownerId = owners[i % OWNERS]!.id;
    readers.push((await createApiKey(db, TEST_SECRET, { ownerId, name: `reader ${i}` })).value);
    bodyReaders.push((await createApiKey(db, TEST_SECRET, { ownerId, name: `body reader ${i}`, logRequestBody: true, logResponseBody: true })).value);
    const restricted = await createApiKey(db, TEST_SECRET, { ownerId, name: `network reader ${i}` });
    await db.apiKey.update({ where: { id: restricted.key.id }, data: { allowedNetworks: JSON.stringify(FIFTY_NETWORKS) } });
    networkReaders.push(restricted.value);
  }
  return { owners: owners.map((o) => o.id), readers, bodyReaders, networkReaders };
}

const KEY_COLUMNS = [
  "kind",
  "name",
  "ownerId",
  "apis",
  "scopes",
  "packages",
  "globs",
  "expiresAt",
  "expiryDays",
  "secretHash",
  "hint",
  "createdAt",
  "createdById",
  "updatedAt",
];
const ROWS_PER_INSERT = 500;

/** The way Prisma's SQLite adapter stores a DateTime: ISO 8601 text with "+00:00". */
export const sqliteTime = (d: Date) => d.toISOString().replace("Z", "+00:00");

/**
 * Adds scoped keys (distinct random values, hashed as the server hashes them, spread over
 * the owners) until the ApiKey table holds `total` rows: raw multi-row INSERTs in one
 * transaction, through better-sqlite3 or pg.
 */
export async function fillKeys(url: string, owners: number[], total: number): Promise<{ count: number; seconds: number }> {
  const started = performance.now();
  const now = new Date();
  const expires = new Date(now.getTime() + 365 * 86_400_000);
  const rowsFrom = (from: number, n: number) => {
    const values: unknown[] = [];
    for (let i = from; i < from + n; i++) {
      const value = generateKeyValue();
      const ownerId = owners[i % owners.length]!;
      values.push(
        "scoped",
        `filler ${i}`,
        ownerId,
        '["feeds"]',
        '["push"]',
        "[]",
        '["*"]',
        expires,
        365,
        hashKeyValue(value, TEST_SECRET),
        keyHint(value),
        now,
        ownerId,
        now,
      );
    }
    return values;
  };
  const cols = KEY_COLUMNS.map((c) => `"${c}"`).join(", ");

  if (isPostgresUrl(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      let have = Number((await client.query('SELECT count(*) AS n FROM "ApiKey"')).rows[0].n);
      await client.query("BEGIN");
      while (have < total) {
        const n = Math.min(ROWS_PER_INSERT, total - have);
        const placeholders = Array.from({ length: n }, (_, r) => `(${KEY_COLUMNS.map((_, c) => `$${r * KEY_COLUMNS.length + c + 1}`).join(", ")})`).join(", ");
        await client.query(`INSERT INTO "ApiKey" (${cols}) VALUES ${placeholders}`, rowsFrom(have, n));
        have += n;
      }
      await client.query("COMMIT");
      return { count: have, seconds: (performance.now() - started) / 1000 };
    } finally {
      await client.end();
    }
  }

  const db = new Database(sqliteFileOf(url));
  try {
    db.pragma("busy_timeout = 5000");
    let have = (db.prepare('SELECT count(*) AS n FROM "ApiKey"').get() as { n: number }).n;
    const statements = new Map<number, Database.Statement>();
    const insert = (n: number) => {
      let s = statements.get(n);
      if (!s) {
        const row = `(${KEY_COLUMNS.map(() => "?").join(", ")})`;
        s = db.prepare(`INSERT INTO "ApiKey" (${cols}) VALUES ${Array.from({ length: n }, () => row).join(", ")}`);
        statements.set(n, s);
      }
      return s;
    };
    db.transaction(() => {
      while (have < total) {
        const n = Math.min(ROWS_PER_INSERT, total - have);
        insert(n).run(rowsFrom(have, n).map((v) => (v instanceof Date ? sqliteTime(v) : v)));
        have += n;
      }
    })();
    return { count: have, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

/**
 * A copy of a seeded database, so that each benchmark server has one to itself, as a
 * Keyhouse instance on SQLite does (servers sharing a file would wait on each other's
 * write locks). Nothing may be connected to the original. Answers its URL and a dropper.
 */
export async function cloneDatabase(url: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (isPostgresUrl(url)) {
    const source = new URL(url).pathname.slice(1);
    const target = `${source}_${name.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${target} TEMPLATE ${source}`);
    await admin.end();
    return {
      url: url.replace(/\/[^/?]*(\?|$)/, `/${target}$1`),
      drop: async () => {
        const a = new pg.Client({ connectionString: PG_ADMIN_URL });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const file = sqliteFileOf(url);
  const d = new Database(file);
  d.pragma("wal_checkpoint(TRUNCATE)");
  d.close();
  const copy = `${file.replace(/\.db$/, "")}-${name}.db`;
  copyFileSync(file, copy);
  return { url: `file:${copy}`, drop: async () => rmSync(copy, { force: true }) };
}
