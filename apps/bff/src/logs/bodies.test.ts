// Bodies stored once per content (bodies.ts, docs/access-logs.md): through every way the
// writer inserts, a body repeated across entries and batches is one row, and each entry
// reads back its own texts; retention deletes the bodies no entry names and keeps the rest.
import { DAY_MS } from "@keyhouse/shared";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteSideWriter } from "../lib/sqlite-side-writer.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { bodyHash, pgBodySql, purgeOrphanBodies } from "./bodies.ts";
import { PostgresLogInserter } from "./pg-batch-insert.ts";
import { getAccessLogEntry } from "./query.ts";
import { purgeOldEntries } from "./retention.ts";
import { AccessLogWriter, type AccessLogInput } from "./writer.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const admin = { id: 0, isAdmin: true };
const limits = { flushMs: 10_000, batch: 1000, highWater: 1000, max: 2000 };
const entry = (path: string, bodies: Partial<AccessLogInput> = {}): AccessLogInput => ({
  keyStatus: "valid",
  surface: "feeds",
  method: "GET",
  path,
  status: 200,
  durationMs: 1,
  ...bodies,
});

type Way = () => { sqlite?: SqliteSideWriter; postgres?: PostgresLogInserter };
const ways: [string, Way][] = [
  ["through Prisma", () => ({})],
  ...(testProvider === "sqlite" ? [["on the SQLite writer thread", () => ({ sqlite: new SqliteSideWriter(t.db) })] as [string, Way]] : []),
  ...(testProvider === "postgres" ? [["through the pg pool", () => ({ postgres: new PostgresLogInserter(t.url) })] as [string, Way]] : []),
];

describe("access-log bodies", () => {
  it.each(ways)("are stored once per content and read back as written %s", async (way, sideWriter) => {
    // A packument of some size, as a feed read answers it again and again; texts differ per way.
    const packument = JSON.stringify({
      name: `left-pad-${way}`,
      versions: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`1.0.${i}`, { dist: { tarball: `https://x/${i}.tgz` } }])),
    });
    const other = `{"ok":true,"way":"${way}","é":"ü"}`;
    const put = `{"name":"pushed ${way}"}`;
    const prefix = `/once/${way}/`;
    const written = [
      ...Array.from({ length: 10 }, (_, i) => entry(`${prefix}a${i}`, { responseBody: packument })),
      ...Array.from({ length: 5 }, (_, i) => entry(`${prefix}b${i}`, { requestBody: put, responseBody: other })),
      ...Array.from({ length: 5 }, (_, i) => entry(`${prefix}c${i}`)),
    ];
    const w = new AccessLogWriter(t.db, () => {}, limits, { disabled: false, ...sideWriter() });
    for (const e of written.slice(0, 12)) w.add(e);
    await w.flush();
    // The second batch repeats bodies this writer wrote already, and a second writer (another instance) too.
    for (const e of written.slice(12)) w.add(e);
    await w.close();
    const second = new AccessLogWriter(t.db, () => {}, limits, { disabled: false, ...sideWriter() });
    second.add(entry(`${prefix}d0`, { responseBody: packument }));
    await second.close();

    const hashes = [packument, other, put].map(bodyHash);
    const bodies = await t.db.accessLogBody.findMany({ where: { hash: { in: hashes } }, orderBy: { size: "desc" } });
    expect(bodies).toEqual([
      { hash: hashes[0], text: packument, size: Buffer.byteLength(packument) },
      { hash: hashes[1], text: other, size: Buffer.byteLength(other) },
      { hash: hashes[2], text: put, size: Buffer.byteLength(put) },
    ]);
    const rows = await t.db.accessLogEntry.findMany({ where: { path: { startsWith: prefix } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.path, r.requestBody, r.responseBody])).toEqual([...written, entry(`${prefix}d0`)].map((e) => [e.path, null, null]));
    for (const [i, e] of [...written, entry(`${prefix}d0`, { responseBody: packument })].entries()) {
      expect(await getAccessLogEntry(t.db, admin, rows[i]!.id)).toMatchObject({
        path: e.path,
        requestBody: e.requestBody ?? null,
        responseBody: e.responseBody ?? null,
      });
    }
  });

  it("are deleted by retention once no entry names them; a body a newer entry shares stays", async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 40 * DAY_MS);
    const w = new AccessLogWriter(t.db, () => {}, limits);
    w.add(entry("/purge/old-only", { at: old, responseBody: "only the old entry's" }));
    w.add(entry("/purge/old-shared", { at: old, requestBody: "shared", responseBody: "shared" }));
    w.add(entry("/purge/new-shared", { at: now, responseBody: "shared" }));
    await w.close();

    await purgeOldEntries(t.db, 30, now);
    expect(await purgeOrphanBodies(t.db, 1)).toBeGreaterThanOrEqual(1);
    expect(await t.db.accessLogBody.findUnique({ where: { hash: bodyHash("only the old entry's") } })).toBeNull();
    const kept = await t.db.accessLogEntry.findMany({ where: { path: { startsWith: "/purge/" } } });
    expect(kept.map((r) => r.path)).toEqual(["/purge/new-shared"]);
    expect(await getAccessLogEntry(t.db, admin, kept[0]!.id)).toMatchObject({ requestBody: null, responseBody: "shared" });
    // Nothing left to delete: every body is named.
    expect(await purgeOrphanBodies(t.db)).toBe(0);
  });
});

// PostgreSQL: a batch naming a body that no committed entry names yet must not lose it to a
// purge running meanwhile (bodies.ts): the batch's insert locks the body, the purge skips it.
describe.runIf(testProvider === "postgres")("access-log bodies being named by a batch in flight", () => {
  it("are not deleted by a purge that runs before the batch commits", async () => {
    const text = "named by a batch still in flight";
    const hash = bodyHash(text);
    await t.db.accessLogBody.create({ data: { hash, text, size: text.length } });
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query(pgBodySql(1), [hash, text, text.length]);
      await purgeOrphanBodies(t.db);
      await client.query(
        `INSERT INTO "AccessLogEntry" ("keyStatus", "surface", "method", "path", "status", "durationMs", "responseBodyHash") VALUES ('valid', 'feeds', 'GET', '/in-flight', 200, 1, $1)`,
        [hash],
      );
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
    await purgeOrphanBodies(t.db);
    const entry = await t.db.accessLogEntry.findFirstOrThrow({ where: { path: "/in-flight" } });
    expect(await getAccessLogEntry(t.db, admin, entry.id)).toMatchObject({ responseBody: text });
  });
});
