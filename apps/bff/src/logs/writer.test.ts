import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../db/client.ts";
import { SqliteSideWriter } from "../lib/sqlite-side-writer.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { bodyHash } from "./bodies.ts";
import { PostgresLogInserter } from "./pg-batch-insert.ts";
import { AccessLogWriter, type AccessLogInput } from "./writer.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const entry = (i: number): AccessLogInput => ({ keyStatus: "valid", surface: "feeds", method: "GET", path: `/npm/npm/p${i}`, status: 200, durationMs: 1 });

describe("AccessLogWriter", () => {
  it("writes queued entries in batches and everything on close", async () => {
    const w = new AccessLogWriter(t.db, () => {}, { flushMs: 10_000, batch: 100, highWater: 1000, max: 2000 });
    const before = await t.db.accessLogEntry.count();
    for (let i = 0; i < 250; i++) w.add(entry(i));
    await w.close();
    expect((await t.db.accessLogEntry.count()) - before).toBe(250);
    expect(w.stats()).toMatchObject({ pending: 0, written: 250, dropped: 0 });
  });

  it("applies back-pressure past the high-water mark and counts what it must drop", async () => {
    const lines: string[] = [];
    const w = new AccessLogWriter(t.db, (l) => lines.push(l), { flushMs: 10_000, batch: 1000, highWater: 5, max: 10 });
    for (let i = 0; i < 5; i++) w.add(entry(i));
    const wait = w.ready();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(w.pending).toBeLessThan(5);
    for (let i = 0; i < 12; i++) w.add(entry(i));
    expect(w.stats().dropped).toBe(2);
    expect(lines.join("\n")).toMatch(/queue is full; 1 entries dropped/);
    await w.close();
  });
});

// One entry the database refuses must not cost the entries written with it (docs/threat-model.md,
// docs/access-logs.md): the batch is split until only that entry is left, and it is counted.
describe("AccessLogWriter with an entry the database refuses", () => {
  // Both databases refuse a row without its status (NOT NULL); PostgreSQL also refuses NUL in text.
  const refused: [string, AccessLogInput][] = [
    ["a row without a status", { ...entry(0), path: "/npm/npm/no-status", status: null as unknown as number }],
    ...(testProvider === "postgres"
      ? [["NUL in a text column (PostgreSQL)", { ...entry(0), path: "/npm/npm/nul\u0000byte" }] as [string, AccessLogInput]]
      : []),
    // Bodies go to their own table (bodies.ts): a body refused costs only its entry too.
    ...(testProvider === "postgres"
      ? [["NUL in a body (PostgreSQL)", { ...entry(0), path: "/npm/npm/nul-body", responseBody: "nul\u0000body" }] as [string, AccessLogInput]]
      : []),
  ];
  const paths = (): Promise<string[]> =>
    t.db.accessLogEntry.findMany({ where: { path: { startsWith: "/split/" } }, orderBy: { id: "asc" } }).then((rows) => rows.map((r) => r.path));
  type Way = () => { sqlite?: SqliteSideWriter; postgres?: PostgresLogInserter };
  const ways: [string, Way][] = [
    ["through Prisma", () => ({})],
    ...(testProvider === "sqlite" ? [["on the SQLite writer thread", () => ({ sqlite: new SqliteSideWriter(t.db) })] as [string, Way]] : []),
    ...(testProvider === "postgres" ? [["through the pg pool", () => ({ postgres: new PostgresLogInserter(t.url) })] as [string, Way]] : []),
  ];

  for (const [way, sideWriter] of ways) {
    it.each(refused)(`keeps every other entry of the batch ${way}: %s`, async (_what, poison) => {
      await t.db.accessLogEntry.deleteMany({ where: { path: { startsWith: "/split/" } } });
      const lines: string[] = [];
      const w = new AccessLogWriter(
        t.db,
        (l) => lines.push(l),
        { flushMs: 10_000, batch: 1000, highWater: 1000, max: 2000 },
        { disabled: false, ...sideWriter() },
      );
      const good = Array.from({ length: 37 }, (_, i) => ({ ...entry(i), path: `/split/${String(i).padStart(2, "0")}` }));
      for (const e of good.slice(0, 23)) w.add(e);
      w.add(poison);
      for (const e of good.slice(23)) w.add(e);
      await w.close();
      expect(await paths()).toEqual(good.map((e) => e.path));
      expect(w.stats()).toMatchObject({ pending: 0, written: 37, poisoned: 1, dropped: 0 });
      expect(lines).toEqual([
        expect.stringMatching(
          /^Access log: the database refused 1 of 38 entries, each tried on its own \(the last: key none, GET, status (null|200), at .+\); the others were written; 1 refused so far\.$/,
        ),
      ]);
    });
  }

  it("counts a database that does not answer as dropped, not as poisoned entries", async () => {
    const unreachable = createDb(testProvider === "postgres" ? "postgresql://postgres:postgres@127.0.0.1:1/none" : "file:/nonexistent-dir/none.db");
    const lines: string[] = [];
    const w = new AccessLogWriter(unreachable, (l) => lines.push(l), { flushMs: 10_000, batch: 1000, highWater: 1000, max: 2000 });
    for (let i = 0; i < 4; i++) w.add(entry(i));
    await w.drain();
    expect(w.stats()).toMatchObject({ pending: 0, written: 0, dropped: 4, poisoned: 0 });
    expect(lines.join("\n")).toMatch(/could not write 4 entries/);
    await unreachable.$disconnect().catch(() => {});
  });
});

// PostgreSQL takes at most 65 535 parameters in a statement: a batch is cut into several
// INSERTs, and still written all or nothing (the split above relies on it).
describe.runIf(testProvider === "postgres")("PostgresLogInserter", () => {
  const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ ...entry(i), path: `${prefix}${i}` }));
  const count = (prefix: string) => t.db.accessLogEntry.count({ where: { path: { startsWith: prefix } } });

  it("writes a batch cut into several statements, every row with its columns", async () => {
    const p = new PostgresLogInserter(t.url);
    const at = new Date("2026-11-30T12:34:56.789Z");
    const body = bodyHash("{}");
    await p.insert(
      rows("/chunks/", 7).map((r) => ({ ...r, at, keyId: 4, bytesOut: 9, responseBodyHash: body })),
      3,
      [],
      [[body, "{}", 2]],
    );
    await p.close();
    const written = await t.db.accessLogEntry.findMany({ where: { path: { startsWith: "/chunks/" } }, orderBy: { id: "asc" } });
    expect(written.map((r) => r.path)).toEqual(rows("/chunks/", 7).map((r) => r.path));
    expect(written[6]).toMatchObject({ at, keyId: 4, bytesIn: 0, bytesOut: 9, responseBodyHash: body, requestBodyHash: null, status: 200, durationMs: 1 });
    expect(await t.db.accessLogBody.findUnique({ where: { hash: body } })).toEqual({ hash: body, text: "{}", size: 2 });
  });

  it("keeps every text as it was, whatever it holds (the columns go as array literals)", async () => {
    const texts = ['a"b', "c\\d", "NULL", "", "x,y", "{z}", " lead", "trail ", "ünï☃😀", '"\\"', "tab\there", "new\nline"];
    const p = new PostgresLogInserter(t.url);
    await p.insert(texts.map((text, i) => ({ ...entry(i), path: `/texts/${i}`, userAgent: text, keyName: i % 2 ? null : text })));
    await p.close();
    const written = await t.db.accessLogEntry.findMany({ where: { path: { startsWith: "/texts/" } }, orderBy: { id: "asc" } });
    expect(written.map((r) => [r.userAgent, r.keyName])).toEqual(texts.map((text, i) => [text, i % 2 ? null : text]));
  });

  it("writes nothing of a batch one statement of which is refused", async () => {
    const p = new PostgresLogInserter(t.url);
    const batch = [...rows("/atomic/", 7), { ...entry(0), path: "/atomic/nul\u0000" }];
    await expect(p.insert(batch, 3)).rejects.toThrow();
    await p.close();
    expect(await count("/atomic/")).toBe(0);
  });
});

describe.runIf(testProvider === "postgres")("AccessLogWriter through a pg pool that cannot connect", () => {
  it("counts its entries as dropped, not as poisoned, though Prisma's connection answers", async () => {
    const lines: string[] = [];
    const postgres = new PostgresLogInserter("postgresql://postgres:postgres@127.0.0.1:1/none");
    const w = new AccessLogWriter(t.db, (l) => lines.push(l), { flushMs: 10_000, batch: 1000, highWater: 1000, max: 2000 }, { disabled: false, postgres });
    for (let i = 0; i < 4; i++) w.add(entry(i));
    await w.close();
    expect(w.stats()).toMatchObject({ pending: 0, written: 0, dropped: 4, poisoned: 0 });
    expect(lines.join("\n")).toMatch(/could not write 4 entries/);
  });
});
