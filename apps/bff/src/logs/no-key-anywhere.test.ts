// "No plaintext key in the database or logs" (docs/quality-bars.md): requests carry keys in every
// place a client may put one — and the key-creating API calls answer with new values —
// with request and response bodies logged; afterwards not one of those values, nor the
// random part of a generated one, occurs anywhere in the database (on SQLite: anywhere in
// the database file and its WAL, as bytes) or in the server's log lines.
import { existsSync, readFileSync } from "node:fs";
import { generateKeyValue } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createLegacyKey } from "../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { createLogWorld, startLoggedServer } from "./testing.ts";
import { mistypedKeyValue } from "../test/keys.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startLoggedServer>>;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startLoggedServer(t.db);
});
afterAll(async () => {
  await server?.close();
  await t?.drop();
});

/** Every row of every table, as text (PostgreSQL; on SQLite the file itself is read). */
async function everyRowAsText(): Promise<string> {
  if (testProvider === "postgres") {
    const tables = await t.db.$queryRawUnsafe<{ table_name: string }[]>(
      "SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    let out = "";
    for (const { table_name } of tables) {
      const rows = await t.db.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${table_name.replace(/"/g, '""')}" t`);
      out += rows.map((r) => r.row).join("\n");
    }
    return out;
  }
  const rows = await t.db.accessLogEntry.findMany();
  // Bodies are stored once per content, in their own table (bodies.ts).
  return JSON.stringify(rows) + JSON.stringify(await t.db.accessLogBody.findMany());
}

describe("no key anywhere", () => {
  it("keeps no key value in the database or the logs, whatever the place it was presented in", async () => {
    const world = await createLogWorld(t.db);
    const logBoth = { logRequestBody: true, logResponseBody: true };
    const scoped = async () => (await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, scopes: ["push", "update", "unlist"], ...logBoth })).value;
    const values: string[] = [];
    const keep = (v: string) => (values.push(v), v);

    const nugetHeader = keep(await scoped());
    const legacy = keep((await createLegacyKey(t.db, TEST_SECRET, { ownerId: world.alice.id })).value);
    await t.db.apiKey.updateMany({ data: logBoth });
    const npmBearer = keep(await scoped());
    const npmBasic = keep(await scoped());
    const gemsAuthorization = keep(await scoped());
    const gemsBasic = keep(await scoped());
    const system = keep(
      (
        await createApiKey(t.db, TEST_SECRET, {
          kind: "system",
          ownerId: null,
          apis: ["feeds", "native", "keys"],
          value: "Custom-System-Key-Value-0123456789",
          ...logBoth,
        })
      ).value,
    );
    const unknown = keep(generateKeyValue());
    const malformed = keep(mistypedKeyValue());
    const newCustom = keep("Brand-New-Custom-Key-Made-Over-The-API-42");
    const newNative = keep("Native-Key-Text-Value-Made-Over-The-API-77");
    const password = keep("Pa55word-that-must-never-be-logged");

    const basic = (user: string, v: string) => `Basic ${Buffer.from(`${user}:${v}`).toString("base64")}`;
    const requests: [string, RequestInit][] = [
      ["/nuget/nuget/v3/index.json", { headers: { "X-NuGet-ApiKey": nugetHeader } }],
      ["/nuget/nuget/v3/index.json", { headers: { Authorization: basic("api", legacy) } }],
      ["/npm/npm/left-pad", { headers: { Authorization: `Bearer ${npmBearer}` } }],
      ["/npm/npm/left-pad", { headers: { Authorization: basic("alice", npmBasic) } }],
      [`/npm/npm/left-pad?_authToken=${npmBearer}`, { headers: { Authorization: `Bearer ${npmBearer}` } }],
      ["/npm/npm/left-pad", { headers: { Authorization: `Bearer ${unknown}` } }],
      ["/npm/npm/left-pad", { headers: { Authorization: `Bearer ${malformed}` } }],
      ["/rubygems/gems/info/rails", { headers: { Authorization: gemsAuthorization } }],
      ["/rubygems/gems/versions", { headers: { Authorization: basic("api", gemsBasic) } }],
      ["/api/json/Feeds_GetFeeds", { method: "POST", headers: { "X-ApiKey": system } }],
      [`/api/json/Feeds_GetFeeds?key=${encodeURIComponent(system)}`, {}],
      [
        "/api/json/Feeds_GetFeeds",
        { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `key=${encodeURIComponent(system)}` },
      ],
      ["/api/json/Feeds_GetFeeds", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ API_Key: system }) }],
      // Two different keys: refused (and logged as ambiguous) without keeping either.
      [`/api/json/Feeds_GetFeeds?key=${encodeURIComponent(system)}`, { headers: { "X-ApiKey": unknown } }],
      ["/api/api-keys/list", { headers: { "X-ApiKey": system } }],
      [
        "/api/api-keys/create",
        {
          method: "POST",
          headers: { "X-ApiKey": system, "Content-Type": "application/json" },
          body: JSON.stringify({ type: "system", key: newCustom, systemApis: ["feeds"], logging: "both" }),
        },
      ],
      [
        "/api/json/ApiKeys_CreateOrUpdateApiKey",
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ API_Key: system, Key_Text: newNative, Systems_Apis_Csv: "feeds" }),
        },
      ],
      [
        "/api/json/Users_CreateOrUpdateUser",
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ API_Key: system, User_Name: "dave", Email_Address: "dave@example.com", Password_Text: password }),
        },
      ],
    ];
    const statuses: number[] = [];
    for (const [path, init] of requests) {
      const res = await fetch(server.url + path, init);
      statuses.push(res.status);
      expect(res.status, path).toBeLessThan(500);
      await res.arrayBuffer();
    }
    // Keys the API generated: the answer is the only place they are ever shown.
    const generated = await fetch(`${server.url}/api/api-keys/create`, {
      method: "POST",
      headers: { "X-ApiKey": system, "Content-Type": "application/json" },
      body: JSON.stringify({ type: "system", systemApis: ["feeds"], logging: "both" }),
    });
    if (generated.ok) {
      const answer = (await generated.json()) as { key?: string };
      if (answer.key) keep(answer.key);
    } else await generated.arrayBuffer();
    const nativeGenerated = await fetch(`${server.url}/api/json/ApiKeys_CreateOrUpdateApiKey`, {
      method: "POST",
      headers: { "X-ApiKey": system, "Content-Type": "application/json" },
      body: JSON.stringify({ Systems_Apis_Csv: "feeds", LogRequestBody_Indicator: true, LogResponseBody_Indicator: true }),
    });
    if (nativeGenerated.ok) {
      const answer = (await nativeGenerated.json()) as { Key_Text?: string }[] | { Key_Text?: string };
      const row = Array.isArray(answer) ? answer[0] : answer;
      if (row?.Key_Text) keep(row.Key_Text);
    } else await nativeGenerated.arrayBuffer();

    await server.flush();
    // The gate ran on the feeds at least (the APIs may still be in progress): entries exist.
    expect(await t.db.accessLogEntry.count()).toBeGreaterThanOrEqual(8);

    const needles = values.flatMap((v) => (v.startsWith("khk_") ? [v, v.slice(4, 34)] : [v, v.slice(2, -2)]));
    const rows = await everyRowAsText();
    // What was scanned holds the log entries, with their redactions.
    expect(rows).toContain("/npm/npm/left-pad?_authToken=%5Bredacted%5D");
    const haystacks: [string, Buffer][] = [
      ["rows", Buffer.from(rows)],
      ["server log", Buffer.from(server.logs.join("\n"))],
    ];
    if (t.file) {
      for (const suffix of ["", "-wal", "-journal"]) if (existsSync(t.file + suffix)) haystacks.push([`database file${suffix}`, readFileSync(t.file + suffix)]);
      expect(haystacks.some(([name]) => name === "database file")).toBe(true);
    }
    for (const [name, bytes] of haystacks) {
      for (const needle of needles) {
        for (const encoded of [needle, encodeURIComponent(needle), Buffer.from(needle).toString("base64")]) {
          expect(bytes.includes(Buffer.from(encoded)), `${name} holds ${needle.slice(0, 8)}… (${encoded === needle ? "as is" : "encoded"})`).toBe(false);
        }
      }
    }
    // The Basic credentials, encoded as sent, are not there either.
    for (const [name, bytes] of haystacks) expect(bytes.includes(Buffer.from(Buffer.from(`api:${legacy}`).toString("base64"))), name).toBe(false);
  });
});
