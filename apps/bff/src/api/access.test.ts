// The gate of the Native and management APIs over real HTTP: presenting a key in every
// accepted place (and in the wrong ones), and every refusal of docs/authorization.md.
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiWorld, type ApiWorld } from "./test-world.ts";
import { mistypedKeyValue } from "../test/keys.ts";

let w: ApiWorld;
beforeAll(async () => {
  w = await createApiWorld();
});
afterAll(() => w.close());

const native = (path: string, opts: Parameters<typeof call>[2] = {}) => call(w.server.url, `/api/json/${path}`, opts);
const NO_KEY =
  "This request needs an API key. Present it in the X-ApiKey header, the key query parameter, a key form field (application/x-www-form-urlencoded) or an API_Key property in a JSON body (application/json).";

describe("presenting a key", () => {
  it("accepts the X-ApiKey header", async () => {
    const r = await native("Feeds_GetFeeds", { key: w.keys.apiKeyUser.value });
    expect(r.status).toBe(200);
    expect(r.body.map((f: { Feed_Name: string }) => f.Feed_Name)).toEqual(["npm", "nuget", "vault"]);
  });

  it("accepts the key query parameter", async () => {
    const r = await native(`Feeds_GetFeeds?key=${encodeURIComponent(w.keys.apiKeyUser.value)}`);
    expect(r.status).toBe(200);
  });

  it("accepts a key form field with application/x-www-form-urlencoded", async () => {
    const r = await native("Feeds_GetFeeds", { form: { key: w.keys.apiKeyUser.value } });
    expect(r.status).toBe(200);
  });

  it("accepts an API_Key property of a JSON body with application/json", async () => {
    const r = await native("Feeds_GetFeeds", { json: { API_Key: w.keys.apiKeyUser.value } });
    expect(r.status).toBe(200);
  });

  it("accepts the same key given twice", async () => {
    const r = await native(`Feeds_GetFeeds?key=${w.keys.apiKeyUser.value}`, { key: w.keys.apiKeyUser.value, json: { API_Key: w.keys.apiKeyUser.value } });
    expect(r.status).toBe(200);
  });

  it.each<[string, (k: string) => Parameters<typeof call>[2]]>([
    ["a key form field sent as JSON", (k) => ({ json: { key: k } })],
    ["an API_Key property sent as a form", (k) => ({ form: { API_Key: k } })],
    ["an API_Key property sent as text/plain", (k) => ({ raw: { type: "text/plain", body: JSON.stringify({ API_Key: k }) } })],
    ["a key form field sent as text/plain", (k) => ({ raw: { type: "text/plain", body: `key=${k}` } })],
    [
      "a key form field sent as multipart/form-data",
      (k) => ({ raw: { type: "multipart/form-data; boundary=x", body: `--x\r\nContent-Disposition: form-data; name="key"\r\n\r\n${k}\r\n--x--\r\n` } }),
    ],
    ["an API_Key property nested below the root", (k) => ({ json: { args: { API_Key: k } } })],
    ["a Bearer token", (k) => ({ headers: { authorization: `Bearer ${k}` } })],
    ["an X-NuGet-ApiKey header", (k) => ({ headers: { "x-nuget-apikey": k } })],
    ["Basic authentication", (k) => ({ headers: { authorization: `Basic ${Buffer.from(`api:${k}`).toString("base64")}` } })],
  ])("ignores %s (401)", async (_, opts) => {
    const r = await native("Feeds_GetFeeds", opts(w.keys.apiKeyUser.value));
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: NO_KEY });
  });

  it("refuses two different keys with a 400 naming both places", async () => {
    const r = await native(`Feeds_GetFeeds?key=${w.keys.asAlice.value}`, { key: w.keys.apiKeyUser.value });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("The request presents two different API keys (in the X-ApiKey header and the key query parameter). Send exactly one key.");
    const both = await native("Feeds_GetFeeds", { key: w.keys.apiKeyUser.value, json: { API_Key: w.keys.asBob.value } });
    expect(both.status).toBe(400);
  });
});

describe("refusals", () => {
  it("answers 401 listing the accepted ways when no key is presented, on both APIs", async () => {
    for (const path of ["/api/json/ApiKeys_GetApiKeys", "/api/api-keys/list"]) {
      const r = await call(w.server.url, path);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: NO_KEY });
      expect(r.headers.get("www-authenticate")).toBeNull();
    }
  });

  it.each([
    ["an unknown custom value", "this-is-not-a-key-at-all-123"],
    ["a mistyped generated key", mistypedKeyValue()],
    ["a GUID nobody issued", "6f9619ff-8b86-d011-b42d-00cf4fc964ff"],
    ["an absurdly long value", "x".repeat(5000)],
  ])("answers 403 with the invalid-key message for %s", async (_, key) => {
    const r = await native("ApiKeys_GetApiKeys", { key });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: MESSAGES.invalidKey });
  });

  it("answers 403 with the invalid-key message for expired and revoked keys, on both APIs", async () => {
    for (const key of [w.keys.expired.value, w.keys.revoked.value]) {
      for (const path of ["/api/json/ApiKeys_GetApiKeys", "/api/api-keys/list"]) {
        const r = await call(w.server.url, path, { key });
        expect(r.status).toBe(403);
        expect(r.body).toEqual({ error: MESSAGES.invalidKey });
      }
    }
  });

  it("refuses keys without the native API on the Native API", async () => {
    for (const key of [w.keys.feedsOnly.value, w.keys.keysOnly.value, w.keys.aliceScoped.value, w.keys.aliceLegacy.value, w.keys.aliceKeysApi.value]) {
      const r = await native("Feeds_GetFeeds", { key });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: "This API key cannot call the Native API." });
    }
  });

  it("lets a keys-only key use the management API, and a native key too", async () => {
    for (const key of [w.keys.keysOnly.value, w.keys.apiKeyUser.value]) {
      const r = await call(w.server.url, "/api/api-keys/list", { key });
      expect(r.status).toBe(200);
    }
  });

  it("refuses keys with neither keys nor native on the management API", async () => {
    for (const key of [w.keys.feedsOnly.value, w.keys.aliceScoped.value]) {
      const r = await call(w.server.url, "/api/api-keys/list", { key });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: 'This API key cannot call the API-keys management API: it needs the "keys" or "native" API.' });
    }
  });

  it("refuses a key whose user is disabled", async () => {
    const r = await native("Feeds_GetFeeds", { key: w.keys.asCarol.value });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'User "carol" is disabled.' });
  });

  it("warns on every answer when the key expires within 10 days", async () => {
    const r = await native("Feeds_GetFeeds", { key: w.keys.expiring.value });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-keyhouse-warning")).toMatch(/^This API key expires in 3 days, on \d{4}-\d\d-\d\d\. Create a new key before then\.$/);
    const fine = await native("Feeds_GetFeeds", { key: w.keys.apiKeyUser.value });
    expect(fine.headers.get("x-keyhouse-warning")).toBeNull();
  });

  it("answers 404 for an unknown method, naming it and where the methods are", async () => {
    const r = await native("Nope_DoesNotExist", { key: w.keys.apiKeyUser.value });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'There is no Native API method "Nope_DoesNotExist". The methods are listed at /api/openapi.json.' });
  });

  it("matches method names case-insensitively", async () => {
    const r = await native("feeds_getfeeds", { key: w.keys.apiKeyUser.value });
    expect(r.status).toBe(200);
  });

  it("answers 405 for HTTP methods other than GET and POST", async () => {
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const r = await native("Feeds_GetFeeds", { method, key: w.keys.apiKeyUser.value });
      expect(r.status).toBe(405);
      expect(r.headers.get("allow")).toBe("GET, POST");
    }
    const list = await call(w.server.url, "/api/api-keys/list", { method: "POST", key: w.keys.apiKeyUser.value });
    expect(list.status).toBe(405);
    expect(list.headers.get("allow")).toBe("GET");
  });

  it("tells the access log which key and user acted, failed calls too, never the key", async () => {
    await native(`Feeds_GetFeeds?key=${w.keys.asAlice.value}`);
    await native("Feeds_GetFeeds", { key: w.keys.revoked.value });
    await call(w.server.url, "/api/api-keys/list", { key: w.keys.keysOnly.value });
    await w.server.services.accessLog.flush();
    const entries = await w.db.accessLogEntry.findMany({ where: { keyId: { in: [w.keys.asAlice.key.id, w.keys.revoked.key.id, w.keys.keysOnly.key.id] } } });
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ keyId: w.keys.asAlice.key.id, username: "alice", surface: "native", status: 200, keyStatus: "valid" }),
        expect.objectContaining({ keyId: w.keys.revoked.key.id, surface: "native", status: 403, keyStatus: "revoked" }),
        expect.objectContaining({ keyId: w.keys.keysOnly.key.id, surface: "keys", status: 200, username: null }),
      ]),
    );
    expect(JSON.stringify(entries)).not.toContain(w.keys.asAlice.value);
  });

  it("never lets answers be cached", async () => {
    const r = await native("Feeds_GetFeeds", { key: w.keys.apiKeyUser.value });
    expect(r.headers.get("cache-control")).toBe("no-store");
  });
});
