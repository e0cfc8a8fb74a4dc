// Requests the HTTP fuzz test (http.fuzz.test.ts) once answered with a 5xx, shrunk by
// fast-check and kept here as explicit cases, each with the answer it must get now.
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createFeed, createUser, grantFeed } from "../db/factories.ts";
import { buildGem } from "../feeds/formats/gem.fixtures.ts";
import { buildNpmPublishBody } from "../feeds/formats/npm.fixtures.ts";
import { buildNupkg, nugetPushBody } from "../feeds/formats/nuget.fixtures.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { startServer, TEST_PASSWORD, TEST_SECRET, testConfig } from "../test/server.ts";
import { internalErrors } from "./log-lines.ts";
import { send } from "./send.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let dataDir: string;
let key: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-fuzz-regressions-"));
  const alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  const rb = await createFeed(t.db, { name: "rb", type: "rubygems" });
  await grantFeed(t.db, alice.id, rb.id);
  const nu = await createFeed(t.db, { name: "nu", type: "nuget" });
  await grantFeed(t.db, alice.id, nu.id);
  const js = await createFeed(t.db, { name: "js", type: "npm" });
  await grantFeed(t.db, alice.id, js.id);
  key = (await createApiKey(t.db, TEST_SECRET, { ownerId: alice.id, scopes: ["push", "update", "unlist"] })).value;
  server = await startServer(t.db, testConfig({ provider: testProvider, dataDir }));
});

afterAll(async () => {
  await server?.close();
  await t?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("HTTP fuzz regressions", () => {
  it("a gem push whose Content-Encoding is br but whose body is not brotli gets a 400, not a 500 (seed 1)", async () => {
    const seen = server.logs.length;
    const answer = await send(new URL(server.url), {
      label: "rubygems push",
      method: "POST",
      path: "/rubygems/rb/api/v1/gems",
      headers: [
        ["Authorization", key],
        ["Content-Encoding", "br"],
        ["Content-Type", "application/octet-stream"],
      ],
      body: Buffer.from([80, 75, 3, 13, 10, 45, 45, 13, 10, 4]),
    });
    expect("status" in answer && { status: answer.status, body: answer.body.trim() }).toEqual({
      status: 400,
      body: "The upload's br data is damaged or incomplete and cannot be decoded.",
    });
    expect(internalErrors(server.logs.slice(seen))).toEqual([]);
  });

  // Seed 3 found a .nupkg download with Transfer-Encoding: identity that Node's parser
  // refused mid-send, and the server logged the store's file as missing: any error of the
  // send was taken for a missing file. A range past the end is the deterministic case.
  describe("package downloads whose sending fails for a reason other than a missing file", () => {
    const nupkgPath = "/nuget/nu/v3-flatcontainer/fuzz.core/1.0.0/fuzz.core.1.0.0.nupkg";
    const get = (p: string, headers: [string, string][]) => send(new URL(server.url), { label: "download", method: "GET", path: p, headers });

    it("a range past the end of a .nupkg gets a 416, not a 500 that blames the store", async () => {
      const { body, contentType } = nugetPushBody(buildNupkg({ id: "Fuzz.Core", version: "1.0.0" }));
      const pushed = await fetch(`${server.url}/nuget/nu/api/v2/package`, {
        method: "PUT",
        headers: { "x-nuget-apikey": key, "content-type": contentType },
        body,
      });
      expect(pushed.status).toBe(201);
      const seen = server.logs.length;
      const answer = await get(nupkgPath, [
        ["X-NuGet-ApiKey", key],
        ["Range", "bytes=999999-"],
      ]);
      expect("status" in answer && answer.status).toBe(416);
      expect(server.logs.slice(seen)).toEqual([]);
    });

    it("a range past the end of an npm tarball gets a 416, not a 404 that blames the store", async () => {
      const fixture = buildNpmPublishBody({ name: "range-pkg", version: "1.0.0", registry: `${server.url}/npm/js/` });
      const published = await fetch(`${server.url}/npm/js/range-pkg`, {
        method: "PUT",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(fixture.body),
      });
      expect(published.status).toBe(201);
      const seen = server.logs.length;
      const answer = await get("/npm/js/range-pkg/-/range-pkg-1.0.0.tgz", [
        ["Authorization", `Bearer ${key}`],
        ["Range", "bytes=999999-"],
      ]);
      expect("status" in answer && answer.status).toBe(416);
      expect(server.logs.slice(seen)).toEqual([]);
    });
  });

  it("a gem download whose client has gone before the file is sent logs no internal error (seed 1)", async () => {
    const pushed = await fetch(`${server.url}/rubygems/rb/api/v1/gems`, {
      method: "POST",
      headers: { authorization: key, "content-type": "application/octet-stream" },
      body: Buffer.from(buildGem({ name: "gone", version: "1.0.0" })),
    });
    expect(pushed.status).toBe(200);
    const seen = server.logs.length;
    const { port } = new URL(server.url);
    // Sends the request and hangs up at once, as a client that gave up does.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.end(`GET /rubygems/rb/gems/gone-1.0.0.gem HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${key}\r\n\r\n`, () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on("error", reject);
    });
    // The same download again, to the end: its steps queue behind the abandoned one's, so
    // when it is done the abandoned one has met the closed connection.
    const again = await fetch(`${server.url}/rubygems/rb/gems/gone-1.0.0.gem`, { headers: { authorization: key } });
    expect(again.status).toBe(200);
    await again.arrayBuffer();
    expect(server.logs.slice(seen)).toEqual([]);
  });

  // PostgreSQL refuses a NUL byte in a text parameter; these answered 500 there (seed 20261204 on PostgreSQL).
  describe("names and versions with a NUL byte", () => {
    it("a NuGet unlist of package id \\0 gets a 404", async () => {
      const res = await fetch(`${server.url}/nuget/nu/api/v2/package/%00/1.0.0`, { method: "DELETE", headers: { "x-nuget-apikey": key } });
      expect(res.status).toBe(404);
    });

    it("a gem yank with platform \\0 gets a 404", async () => {
      const pushed = await fetch(`${server.url}/rubygems/rb/api/v1/gems`, {
        method: "POST",
        headers: { authorization: key, "content-type": "application/octet-stream" },
        body: Buffer.from(buildGem({ name: "yanky", version: "1.0.0" })),
      });
      expect(pushed.status).toBe(200);
      const res = await fetch(`${server.url}/rubygems/rb/api/v1/gems/yank`, {
        method: "DELETE",
        headers: { authorization: key, "content-type": "application/x-www-form-urlencoded" },
        body: "gem_name=yanky&version=1.0.0&platform=%00",
      });
      expect(res.status).toBe(404);
    });
  });
});
