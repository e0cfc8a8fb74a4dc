// Hostile requests against the running server (properties): any method name, query
// string, JSON or form body gets a 2xx or a clear 4xx with {"error": …}, never a 5xx,
// and nothing reaches a prototype.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiWorld, type ApiWorld } from "./test-world.ts";

let w: ApiWorld;
beforeAll(async () => {
  w = await createApiWorld();
});
afterAll(async () => {
  // Nothing reached the error handler's 500 branch.
  expect(w.server.logs.filter((l) => / failed: /.test(l))).toEqual([]);
  await w.close();
});

const NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "ApiKey_Id",
  "Feed_Name",
  "FeedType_Name",
  "Systems_Apis_Csv",
  "Key_Text",
  "Expiration_Date",
  "Package_Name",
  "Version_Text",
  "Listed_Indicator",
  "Count",
  "type",
  "systemApis",
  "feed",
  "user",
  "key",
  "API_Key",
  "id",
];
const name = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 }));
const scalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "1",
    "-5",
    "2147483648",
    "9".repeat(400),
    "true",
    "nuget",
    "feeds,native",
    "2099-01-01",
    "\u0000",
    "%E0%A4%A",
    "../../etc",
    "",
    null,
    0,
    1.5,
    true,
    [],
  ),
  fc.integer(),
  fc.double(),
  fc.string({ minLength: 5000, maxLength: 6000 }),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.array(fc.tuple(name, tie("v")), { maxLength: 4 }).map((e) => ({ entries: e })),
  ),
})).v;

function jsonText(v: unknown): string {
  if (v && typeof v === "object" && "entries" in (v as object) && Array.isArray((v as { entries: unknown }).entries)) {
    return `{${(v as { entries: [string, unknown][] }).entries.map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(",")}}`;
  }
  if (Array.isArray(v)) return `[${v.map(jsonText).join(",")}]`;
  return JSON.stringify(v) ?? "null";
}

const bodyObject = fc
  .array(fc.tuple(name, value), { maxLength: 6 })
  .map((entries) => `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(",")}}`);
const rawQuery = fc
  .array(fc.tuple(name, fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("%", "%zz", "%E0%A4%A", "a[b]=c", "%00"))), { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith("%") ? v : encodeURIComponent(v)}`).join("&"));
const METHODS = [
  "ApiKeys_GetApiKey",
  "ApiKeys_CreateOrUpdateApiKey",
  "Feeds_CreateFeed",
  "Packages_GetPackages",
  "Packages_SetListed",
  "ApiKeyAccessLogs_GetLogs",
  "Users_GetUsers",
];

async function send(path: string, init: RequestInit) {
  const res = await fetch(w.server.url + path, init);
  const text = await res.text();
  expect(res.status, `${init.method ?? "GET"} ${path} ${String(init.body).slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expect(JSON.parse(text)).toEqual({ error: expect.any(String) });
  else expect(Array.isArray(JSON.parse(text)) || typeof JSON.parse(text) === "object").toBe(true);
}

describe("the Native API under hostile input", () => {
  it("refuses deeply nested and __proto__ bodies with a 400, and prototypes stay clean", async () => {
    let deep = '"x"';
    for (let i = 0; i < 5000; i++) deep = `[${deep}]`;
    for (const body of [
      `{"ApiKey_Id": ${deep}}`,
      `{"__proto__": {"polluted": true}, "ApiKey_Id": 1}`,
      `{"constructor": {"prototype": {"polluted": true}}, "ApiKey_Id": 1}`,
      `{"ApiKey_Id": {"__proto__": {"polluted": true}}}`,
    ]) {
      const res = await fetch(`${w.server.url}/api/json/ApiKeys_GetApiKey`, {
        method: "POST",
        headers: { "X-ApiKey": w.keys.apiKeyUser.value, "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never answers 5xx to random query strings and JSON bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), rawQuery, bodyObject, async (method, q, body) => {
        await send(`/api/json/${method}?${q}`, { method: "POST", headers: { "X-ApiKey": w.keys.apiKeyUser.value, "content-type": "application/json" }, body });
      }),
      { numRuns: 150 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never answers 5xx to random form bodies, as an impersonated user", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), fc.array(fc.tuple(name, fc.string({ maxLength: 30 })), { maxLength: 6 }), async (method, pairs) => {
        const form = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
        await send(`/api/json/${method}`, {
          method: "POST",
          headers: { "X-ApiKey": w.keys.asAlice.value, "content-type": "application/x-www-form-urlencoded" },
          body: form,
        });
      }),
      { numRuns: 100 },
    );
  });

  it("never answers 5xx to random method names and paths", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), async (m) => {
        await send(`/api/json/${encodeURIComponent(m)}`, { headers: { "X-ApiKey": w.keys.apiKeyUser.value } });
      }),
      { numRuns: 100 },
    );
    for (const raw of ["%", "%E0%A4%A", "..%2F..%2Fetc", "__proto__", "constructor", "x".repeat(5000)])
      await send(`/api/json/${raw}`, { headers: { "X-ApiKey": w.keys.apiKeyUser.value } });
  });
});

describe("the management API under hostile input", () => {
  it("never answers 5xx to random ApiKeyInfo bodies", async () => {
    const info = fc
      .record(
        {
          type: fc.oneof(fc.constantFrom("system", "feed", "personal", "other"), scalar),
          key: fc.oneof(fc.string({ minLength: 18, maxLength: 40 }), scalar),
          displayName: scalar,
          description: scalar,
          systemApis: fc.oneof(fc.array(fc.constantFrom("feeds", "native", "keys", "full-control", "x"), { maxLength: 4 }), scalar),
          feed: fc.oneof(fc.constantFrom("nuget", "npm", "nope"), scalar),
          expiration: fc.oneof(fc.constantFrom("2099-01-01", "2001-01-01", "275760-09-13", "0000-00-00"), scalar),
          logging: fc.oneof(fc.constantFrom("none", "both"), scalar),
          user: fc.oneof(fc.constantFrom("alice", "bob", "nobody", "__proto__"), scalar),
          packagePermissions: fc.oneof(fc.array(fc.constantFrom("view", "add", "bogus"), { maxLength: 3 }), scalar),
        },
        { requiredKeys: [] },
      )
      .map((r) => JSON.stringify(r));
    await fc.assert(
      fc.asyncProperty(info, async (body) => {
        await send("/api/api-keys/create", { method: "POST", headers: { "X-ApiKey": w.keys.apiKeyUser.value, "content-type": "application/json" }, body });
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(rawQuery, async (q) => {
        await send(`/api/api-keys/delete?${q}`, { method: "POST", headers: { "X-ApiKey": w.keys.keysOnly.value } });
      }),
      { numRuns: 60 },
    );
  });
});
