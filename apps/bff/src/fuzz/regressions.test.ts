// Requests the HTTP fuzz test (http.fuzz.test.ts) once answered with a 5xx, shrunk by
// fast-check and kept here as explicit cases, each with the answer it must get now.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createFeed, createUser, grantFeed } from "../db/factories.ts";
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
    expect("status" in answer && { status: answer.status, body: answer.body.trim() }).toEqual({ status: 400, body: "The upload's br data is damaged or incomplete and cannot be decoded." });
    expect(internalErrors(server.logs.slice(seen))).toEqual([]);
  });
});
