// The CSV and NDJSON exports over real HTTP: signed in by the session cookie, scoped like
// the grid, filtered, streamed in batches, and CSV escaped correctly (quotes, commas,
// newlines; formulas defused).
import http from "node:http";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { writeChunk } from "../http/exports.ts";
import { CSV_COLUMNS, csvCell, EXPORT_BATCH } from "./export.ts";
import { createLogWorld, sessionCookie, startLoggedServer } from "./testing.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startLoggedServer>>;
let world: Awaited<ReturnType<typeof createLogWorld>>;
let cookies: { alice: string; bob: string; root: string };
let aliceKey: number;

const TRICKY = [
  { path: '/npm/npm/a,b?q="quoted"', userAgent: '=HYPERLINK("http://evil")', keyName: 'my "best", key' },
  { path: "/npm/npm/line\nbreak\r\nthere", userAgent: "+1+2", keyName: "-5" },
  { path: "/npm/npm/@scope/pkg", userAgent: "@SUM(A1)", keyName: "\tTabbed" },
  { path: "/npm/npm/plain", userAgent: "curl/8.5.0", keyName: "ünïcödé ✓" },
];

beforeAll(async () => {
  t = await createTestDatabase();
  world = await createLogWorld(t.db);
  server = await startLoggedServer(t.db);
  cookies = { alice: await sessionCookie(t.db, world.alice.id), bob: await sessionCookie(t.db, world.bob.id), root: await sessionCookie(t.db, world.root.id) };
  aliceKey = (await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id })).key.id;
  const bobKey = (await createApiKey(t.db, TEST_SECRET, { ownerId: world.bob.id })).key.id;
  const base = { keyStatus: "valid", surface: "feeds", method: "GET", durationMs: 2.25, ip: "10.1.2.3", bytesIn: 0, bytesOut: 1234 };
  // Bulk first (oldest): enough of bob's for several export batches.
  const bulk = Array.from({ length: 2 * EXPORT_BATCH + 345 }, (_, i) => ({
    ...base,
    at: new Date(Date.UTC(2026, 0, 1) + i * 1000),
    keyId: bobKey,
    keyName: "bob ci",
    ownerId: world.bob.id,
    userId: world.bob.id,
    username: "bob",
    path: `/npm/npm/bulk-${i}?pad=${"x".repeat(500)}`,
    status: i % 7 === 0 ? 404 : 200,
    requestBody: "never exported",
  }));
  for (let i = 0; i < bulk.length; i += 500) await t.db.accessLogEntry.createMany({ data: bulk.slice(i, i + 500) });
  await t.db.accessLogEntry.createMany({
    data: TRICKY.map((x, i) => ({
      ...base,
      ...x,
      at: new Date(Date.UTC(2026, 1, 1) + i * 1000),
      keyId: aliceKey,
      ownerId: world.alice.id,
      userId: world.alice.id,
      username: "alice",
      status: 400 + i,
      responseBody: "never exported",
    })),
  });
});
afterAll(async () => {
  await server?.close();
  await t?.drop();
});

const get = (path: string, cookie?: string) => fetch(server.url + path, { headers: cookie ? { Cookie: cookie } : {} });

/** RFC 4180, strictly: what a spreadsheet or csv library would read. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (cell += c), i++;
    } else if (c === '"' && cell === "") (quoted = true), i++;
    else if (c === ",") row.push(cell), (cell = ""), i++;
    else if (c === "\r" && text[i + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), (i += 2);
    else {
      if (c === '"' || c === "\r" || c === "\n") throw new Error(`a bare ${JSON.stringify(c)} outside quotes at ${i}`);
      cell += c;
      i++;
    }
  }
  if (cell !== "" || row.length > 0) throw new Error("the last line does not end with CRLF");
  return rows;
}

describe("access-log exports", () => {
  it("answer 401 with a JSON error when signed out", async () => {
    for (const format of ["csv", "ndjson"]) {
      for (const cookie of [undefined, "keyhouse_session=not-a-session"]) {
        const res = await get(`/exports/access-logs.${format}`, cookie);
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        expect(await res.json()).toEqual({ error: "Sign in to export the access log." });
      }
    }
  });

  it("exports CSV as an attachment, escaped so every value reads back exactly and no cell is a formula", async () => {
    const res = await get("/exports/access-logs.csv", cookies.alice);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="keyhouse-access-log-[0-9TZ-]+\.csv"$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const body = rows.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])));
    // Alice's entries only, newest first.
    expect(body.map((r) => r.path)).toEqual(TRICKY.map((x) => x.path).reverse());
    const tricky = new Map(TRICKY.map((x) => [x.path, x]));
    for (const r of body) {
      const x = tricky.get(r.path!)!;
      expect(r).toMatchObject({
        username: "alice",
        ownerId: String(world.alice.id),
        keyId: String(aliceKey),
        ip: "10.1.2.3",
        durationMs: "2.25",
        bytesOut: "1234",
        feed: "",
      });
      const defuse = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
      expect(r.userAgent).toBe(defuse(x.userAgent));
      expect(r.keyName).toBe(defuse(x.keyName));
      expect(new Date(r.at!).toISOString()).toBe(r.at);
      for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+\-@\t]/);
    }
    expect(body.find((r) => r.path!.includes("@scope"))!.userAgent).toBe("'@SUM(A1)");
  });

  it("exports NDJSON: one JSON object per line, without bodies", async () => {
    const res = await get("/exports/access-logs.ndjson?statusClass=4xx", cookies.alice);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="keyhouse-access-log-.+\.ndjson"$/);
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const db = await t.db.accessLogEntry.findMany({ where: { ownerId: world.alice.id }, orderBy: { id: "desc" } });
    expect(lines).toEqual(
      db.map(({ requestBody: _q, responseBody: _r, requestBodyHash: _qh, responseBodyHash: _rh, ...row }) => ({ ...row, at: row.at.toISOString() })),
    );
    expect(text).not.toContain("never exported");
  });

  it("streams a large set in batches, each row exactly once, newest first", async () => {
    const res = await get("/exports/access-logs.ndjson", cookies.bob);
    const ids = (await res.text())
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { id: number; username: string }).id);
    expect(ids).toHaveLength(2 * EXPORT_BATCH + 345);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("applies the grid's filters and scoping", async () => {
    const csv = await (await get("/exports/access-logs.csv?statusClass=4xx&path=BULK-1&user=bob", cookies.root)).text();
    const rows = parseCsv(csv).slice(1);
    const expected = await t.db.accessLogEntry.findMany({ where: { status: 404, path: { contains: "bulk-1" } }, orderBy: { id: "desc" } });
    expect(rows.map((r) => Number(r[0]))).toEqual(expected.map((e) => e.id));
    expect(rows.length).toBeGreaterThan(10);
    // bob asking for alice's key gets nothing of hers; an unknown user, just the header.
    expect((await (await get(`/exports/access-logs.csv?key=${aliceKey}`, cookies.bob)).text()).split("\r\n")).toEqual([CSV_COLUMNS.join(","), ""]);
    expect(await (await get("/exports/access-logs.ndjson?user=nobody", cookies.root)).text()).toBe("");
    // Nonsense parameters mean no filter.
    const all = await (await get("/exports/access-logs.ndjson?statusClass=9xx&from=garbage&limit=-1", cookies.root)).text();
    expect(all.trimEnd().split("\n")).toHaveLength(2 * EXPORT_BATCH + 345 + TRICKY.length);
  });

  it("keeps up with a slow reader (back-pressure) and stops when the client goes", async () => {
    const { port } = new URL(server.url);
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: "127.0.0.1", port, path: "/exports/access-logs.csv", headers: { Cookie: cookies.root } }, (res) => {
        res.setEncoding("utf8");
        let text = "";
        res.pause();
        setTimeout(() => {
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve(text));
          res.resume();
        }, 300);
      });
      req.on("error", reject);
    });
    expect(parseCsv(received)).toHaveLength(1 + 2 * EXPORT_BATCH + 345 + TRICKY.length);

    // A client that hangs up mid-download: the server carries on serving others.
    await new Promise<void>((resolve) => {
      const req = http.get({ host: "127.0.0.1", port, path: "/exports/access-logs.csv", headers: { Cookie: cookies.root } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => resolve());
    });
    expect((await get("/exports/access-logs.ndjson?user=alice", cookies.root)).status).toBe(200);
    expect(server.logs.filter((l) => /export failed/.test(l))).toEqual([]);
  });
});

describe("writeChunk", () => {
  it("waits for 'drain' when the stream's buffer is full", async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _enc, cb) {
        written.push(chunk.toString());
        release = cb;
      },
    });
    let done = false;
    const p = writeChunk(slow, "more than eight bytes").then((ok) => ((done = true), ok));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release!();
    expect(await p).toBe(true);
    expect(written).toEqual(["more than eight bytes"]);
  });

  it("answers false when the stream closes instead of draining", async () => {
    const stuck = new Writable({ highWaterMark: 1, write: () => {} });
    const p = writeChunk(stuck, "xx");
    stuck.destroy();
    expect(await p).toBe(false);
    expect(await writeChunk(stuck, "yy")).toBe(false);
  });
});

describe("csvCell", () => {
  it("quotes and doubles quotes only when needed", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell("a\nb")).toBe('"a\nb"');
    expect(csvCell("a\rb")).toBe('"a\rb"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(12.5)).toBe("12.5");
    expect(csvCell(new Date("2026-01-02T03:04:05.006Z"))).toBe("2026-01-02T03:04:05.006Z");
  });

  it("defuses cells a spreadsheet would evaluate", () => {
    expect(csvCell("=1+2")).toBe("'=1+2");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@A1")).toBe("'@A1");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell("\r=1")).toBe('"\'\r=1"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-1)).toBe("-1");
  });
});
