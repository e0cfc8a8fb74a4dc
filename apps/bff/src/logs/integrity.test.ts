// Access-log integrity (docs/access-logs.md): whatever one request sends — a package
// uploaded as text/plain, bytes that are not UTF-8, a NUL, a declared length no integer
// column holds — the entries of everyone else written in the same batch are kept, and
// an entry the database still refuses is counted on /healthz.
import { createHash } from "node:crypto";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { buildGem } from "../feeds/formats/gem.fixtures.ts";
import { buildNpmPublishBody } from "../feeds/formats/npm.fixtures.ts";
import { buildNupkg } from "../feeds/formats/nuget.fixtures.ts";
import { createApp } from "../http/app.ts";
import { SqliteSideWriter } from "../lib/sqlite-side-writer.ts";
import { createServices } from "../services.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_SECRET, testConfig } from "../test/server.ts";
import { BODY_LOG_LIMIT } from "./capture.ts";
import { withBodyTexts } from "./bodies.ts";
import { createLogWorld } from "./testing.ts";
import { AccessLogWriter } from "./writer.ts";

let t: TestDatabase;
let world: Awaited<ReturnType<typeof createLogWorld>>;
let url: string;
let port: number;
let writer: AccessLogWriter;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  t = await createTestDatabase();
  world = await createLogWorld(t.db);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-integrity-"));
  const config = testConfig({ provider: testProvider, dataDir });
  const services = createServices(t.db, config, () => {});
  // The real writer, told never to write on its own: the test decides when the one batch
  // holding every request below is written.
  writer = new AccessLogWriter(
    t.db,
    () => {},
    { flushMs: 3_600_000, batch: 10_000, highWater: 10_000, max: 20_000 },
    { disabled: false, ...(testProvider === "sqlite" ? { sqlite: new SqliteSideWriter(t.db) } : {}) },
  );
  services.accessLog = writer;
  const server = http.createServer(createApp({ db: t.db, config, log: () => {}, services }));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  closeServer = async () => {
    await new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
    await services.keys.flush();
    await writer.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
});
afterAll(async () => {
  await closeServer?.();
  await t?.drop();
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** How the access log describes an upload: its type, size and sha256, never its content. */
const uploadDescription = (bytes: Uint8Array) => new RegExp(`^\\[[^\\]\\n]+, ${bytes.length} bytes, sha256 ${sha256(bytes)}\\]$`);

/** A request written byte by byte (headers Node's client would not send); resolves with the status line. */
function rawRequest(head: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(head));
    let got = "";
    socket.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes("\r\n")) socket.destroy();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(got.split("\r\n")[0]!));
  });
}

describe("access-log integrity", () => {
  it("keeps everyone's entries when one key logs uploads sent as text/plain and bytes that are not text, and counts what the database refuses", async () => {
    const loud = await createApiKey(t.db, TEST_SECRET, {
      ownerId: world.alice.id,
      name: "alice logs bodies",
      scopes: ["push", "update", "unlist"],
      logRequestBody: true,
      logResponseBody: true,
    });
    const bob = await createApiKey(t.db, TEST_SECRET, { ownerId: world.bob.id, name: "bob reads" });
    const root = await createApiKey(t.db, TEST_SECRET, { ownerId: world.root.id, name: "root reads" });
    // Each client's way of presenting the key: npm a bearer token, gem the bare key, NuGet its own header.
    const asText = (method: string, at: string, body: Uint8Array) =>
      fetch(url + at, {
        method,
        headers: {
          Authorization: at.startsWith("/rubygems/") ? loud.value : `Bearer ${loud.value}`,
          "X-NuGet-ApiKey": loud.value,
          "Content-Type": "text/plain; charset=utf-8",
        },
        body,
      });

    // Uploads sent as text/plain by a key that logs request bodies: zip and tar bytes (NULs, invalid UTF-8).
    const nupkg = buildNupkg({ id: "Logged.Text", version: "1.0.0" });
    const gem = buildGem({ name: "logged-text", version: "1.0.0" });
    const publish = Buffer.from(JSON.stringify(buildNpmPublishBody({ name: "logged-text", version: "1.0.0" }).body));
    expect(nupkg.includes(0)).toBe(true);
    expect(gem.includes(0)).toBe(true);
    expect((await asText("PUT", "/nuget/nuget/api/v2/package", nupkg)).status).toBe(201);
    expect((await asText("POST", "/rubygems/gems/api/v1/gems", gem)).status).toBe(200);
    expect((await asText("PUT", "/npm/npm/logged-text", publish)).status).toBe(201);
    // A text body that is not text: a NUL and a byte that is never UTF-8.
    const notText = Buffer.concat([Buffer.from('"1.0.0'), Buffer.from([0x00, 0xff]), Buffer.from('"')]);
    expect((await asText("PUT", "/npm/npm/-/package/logged-text/dist-tags/beta", notText)).status).toBe(400);
    // A query with a percent-encoded NUL and invalid UTF-8, and a secret.
    expect((await fetch(`${url}/npm/npm/logged-text?q=%00%FF&token=hunter2`, { headers: { Authorization: `Bearer ${loud.value}` } })).status).toBe(200);

    // Other users' requests in the same batch; one with a user agent of Latin-1 bytes and a
    // declared length (3 GB, never sent): logged as the 0 bytes that came in.
    expect((await fetch(`${url}/nuget/nuget/v3/index.json`, { headers: { "X-NuGet-ApiKey": bob.value } })).status).toBe(200);
    expect((await fetch(`${url}/npm/npm/left-pad`, { headers: { Authorization: `Bearer ${bob.value}` } })).status).toBe(404);
    const head = Buffer.concat([
      Buffer.from(
        `GET /npm/npm/logged-text HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${bob.value}\r\nContent-Length: 3000000000\r\nUser-Agent: odd/`,
        "latin1",
      ),
      Buffer.from([0xff, 0xc3, 0x28]),
      Buffer.from("\r\n\r\n", "latin1"),
    ]);
    expect(await rawRequest(head)).toBe("HTTP/1.1 200 OK");
    expect((await fetch(`${url}/rubygems/gems/versions`, { headers: { Authorization: root.value } })).status).toBe(200);
    // And one entry the database refuses whatever its content: it must cost only itself.
    writer.add({ keyStatus: "valid", surface: "feeds", method: "GET", path: "/poison", status: null as unknown as number, durationMs: 1 });

    await writer.drain();
    // With their bodies' texts (stored once per content, bodies.ts).
    const rows = await Promise.all((await t.db.accessLogEntry.findMany({ orderBy: { id: "asc" } })).map((r) => withBodyTexts(t.db, r)));
    const byKey = (id: number) => rows.filter((r) => r.keyId === id);

    expect(byKey(bob.key.id).map((r) => [r.path, r.status])).toEqual([
      ["/nuget/nuget/v3/index.json", 200],
      ["/npm/npm/left-pad", 404],
      ["/npm/npm/logged-text", 200],
    ]);
    const odd = byKey(bob.key.id)[2]!;
    expect(odd.userAgent).toBe("odd/\u00ff\u00c3(");
    expect(odd.bytesIn).toBe(0);
    expect(byKey(root.key.id).map((r) => [r.path, r.status])).toEqual([["/rubygems/gems/versions", 200]]);

    const [nugetPush, gemPush, npmPublish, distTag, query, ...more] = byKey(loud.key.id);
    expect(more).toEqual([]);
    expect(nugetPush).toMatchObject({ method: "PUT", path: "/nuget/nuget/api/v2/package", status: 201 });
    expect(nugetPush!.requestBody).toMatch(uploadDescription(nupkg));
    expect(gemPush).toMatchObject({ method: "POST", path: "/rubygems/gems/api/v1/gems", status: 200 });
    expect(gemPush!.requestBody).toMatch(uploadDescription(gem));
    expect(npmPublish).toMatchObject({ method: "PUT", path: "/npm/npm/logged-text", status: 201 });
    expect(npmPublish!.requestBody).toMatch(/^\[[^\]\n]+, \d+ bytes, sha256 [0-9a-f]{64}\]$/);
    // Bytes that are not text are shown escaped, with a note saying so.
    expect(distTag).toMatchObject({ status: 400, requestBody: `"1.0.0\\x00\\xFF" [bytes that are not UTF-8 text are shown as \\xNN]` });
    expect(query!.path).toBe("/npm/npm/logged-text?q=%00%EF%BF%BD&token=%5Bredacted%5D");

    expect(rows.filter((r) => r.path === "/poison")).toEqual([]);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { accessLog: Record<string, number> };
    expect(health.accessLog).toMatchObject({ poisoned: 1, dropped: 0, pending: 0 });
  });

  it("keeps the first 64 KiB of a long body as it was sent, cut before it is parsed, secrets removed", async () => {
    const loud = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, scopes: ["push", "update", "unlist"], logRequestBody: true });
    const put = (at: string, body: string) =>
      fetch(url + at, { method: "PUT", headers: { Authorization: `Bearer ${loud.value}`, "Content-Type": "application/json" }, body });
    expect((await put("/npm/npm/capped-body", JSON.stringify(buildNpmPublishBody({ name: "capped-body", version: "1.0.0" }).body))).status).toBe(201);
    // Valid JSON, indented as a person wrote it, far over the limit: what is kept is its front, as sent.
    const long = JSON.stringify({ version: "1.0.0", password: "hunter2", notes: "é".repeat(100_000) }, null, 2);
    expect((await put("/npm/npm/-/package/capped-body/dist-tags/beta", long)).status).toBe(400);
    await writer.drain();
    const entry = await withBodyTexts(t.db, await t.db.accessLogEntry.findFirstOrThrow({ where: { keyId: loud.key.id, path: { contains: "dist-tags" } } }));
    expect(entry.requestBody!.startsWith('{\n  "version": "1.0.0",\n  "password": "[redacted]",\n  "notes": "ééé')).toBe(true);
    // Cut between characters, never inside one.
    expect(entry.requestBody).toMatch(/é… \[truncated\]$/);
    expect(Buffer.byteLength(entry.requestBody!)).toBeLessThanOrEqual(BODY_LOG_LIMIT);
    expect(Buffer.byteLength(entry.requestBody!)).toBeGreaterThan(BODY_LOG_LIMIT - 100);
  });

  it("logs an upload refused before its body was read as [body not read], never reading it to log it", async () => {
    // A revoked key is refused before any byte of the body is read; it still asks for its bodies to be logged.
    const revoked = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, revokedAt: new Date(Date.now() - 60_000), logRequestBody: true });
    const nupkg = buildNupkg({ id: "Refused.First", version: "1.0.0" });
    const uploads: [string, string, Record<string, string>][] = [
      ["PUT", "/nuget/nuget/api/v2/package", { "X-NuGet-ApiKey": revoked.value }],
      ["POST", "/rubygems/gems/api/v1/gems", { Authorization: revoked.value }],
      ["PUT", "/npm/npm/refused-first", { Authorization: `Bearer ${revoked.value}` }],
    ];
    for (const [method, at, headers] of uploads) {
      const res = await fetch(url + at, { method, headers: { ...headers, "Content-Type": "text/plain" }, body: nupkg });
      expect(res.status).toBe(403);
    }
    await writer.drain();
    const rows = await Promise.all(
      (await t.db.accessLogEntry.findMany({ where: { keyId: revoked.key.id }, orderBy: { id: "asc" } })).map((r) => withBodyTexts(t.db, r)),
    );
    expect(rows.map((r) => [r.method, r.path, r.keyStatus, r.requestBody])).toEqual(uploads.map(([method, at]) => [method, at, "revoked", "[body not read]"]));
  });
});
