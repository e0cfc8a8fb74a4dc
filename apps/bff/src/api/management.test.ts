// The API-keys management API (ProGet's /api/api-keys/*) over real HTTP.
import { checkKeyFormat, MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyInfoSchema } from "./management/api-key-info.ts";
import { call, createApiWorld, type ApiWorld } from "./test-world.ts";

let w: ApiWorld;
beforeAll(async () => {
  w = await createApiWorld();
});
afterAll(() => w.close());

const create = (key: string, info: unknown, headers: Record<string, string> = {}) => call(w.server.url, "/api/api-keys/create", { key, json: info, headers });
const list = (key: string) => call(w.server.url, "/api/api-keys/list", { key });

describe("POST /api/api-keys/create", () => {
  it("creates a system key from an ApiKeyInfo and shows its value once", async () => {
    const r = await create(w.keys.apiKeyUser.value, {
      type: "system",
      displayName: "Deployer",
      description: "CD pipeline",
      systemApis: ["feeds", "full-control"],
      expiration: "2099-01-01T00:00:00Z",
      logging: "both",
      id: null,
      feedGroup: null,
    });
    expect(r.status).toBe(200);
    const info = apiKeyInfoSchema.parse(r.body);
    expect(info).toMatchObject({
      type: "system",
      displayName: "Deployer",
      description: "CD pipeline",
      systemApis: ["feeds", "native"],
      feed: null,
      feeds: null,
      expiration: "2099-01-01T00:00:00.000Z",
      logging: "both",
      user: null,
      status: "Active",
    });
    expect(checkKeyFormat(info.key!)).toBe("generated");
    const listed = (await list(w.keys.keysOnly.value)).body.find((k: { id: number }) => k.id === info.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty("key");
    expect(JSON.stringify(listed)).not.toContain(info.key);
    // The new key works: it has the native API.
    expect((await call(w.server.url, "/api/json/Feeds_GetFeeds", { key: info.key })).status).toBe(200);
  });

  it("creates a feed key: a system key on that feed with the feeds API only", async () => {
    const r = await create(w.keys.apiKeyUser.value, { type: "feed", feed: "nuget", packagePermissions: ["view", "add"] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      type: "feed",
      feed: "nuget",
      feeds: ["nuget"],
      systemApis: ["feeds"],
      user: null,
      packagePermissions: ["view", "push", "update", "unlist"],
    });
    const row = await w.db.apiKey.findUniqueOrThrow({ where: { id: r.body.id } });
    expect(row).toMatchObject({ kind: "system", userId: null, feeds: '["nuget"]', apis: '["feeds"]' });
  });

  it("creates a personal key: a system key that acts as the user", async () => {
    const r = await create(w.keys.apiKeyUser.value, { type: "personal", user: "bob", key: "bobs-personal-custom-key-0001" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ type: "personal", user: "bob", systemApis: ["feeds"], key: "bobs-personal-custom-key-0001", hint: "…0001" });
    const row = await w.db.apiKey.findUniqueOrThrow({ where: { id: r.body.id } });
    expect(row).toMatchObject({ kind: "system", userId: w.users.bob.id, apis: '["feeds"]', feeds: null });
  });

  it("lets an admin acting through a keys key create keys, and a personal key defaults to the acting user", async () => {
    const made = await create(w.keys.asRoot.value, { type: "personal" });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ type: "personal", user: "root" });
  });

  it.each([
    [{ type: "system" }, '"systemApis" is required for a system key: choose from "feeds", "native" (full control) and "keys".'],
    [{ type: "feed" }, '"feed" is required for a feed key: name the feed it is for.'],
    [{ type: "feed", feed: "nuget", systemApis: ["native"] }, 'A feed key can only call the feeds API: leave "systemApis" out, or send ["feeds"].'],
    [{ type: "personal" }, '"user" is required for a personal key: name the user it acts as.'],
    [{ type: "admin" }, 'The type must be "system", "feed" or "personal".'],
    [{ type: "system", systemApis: ["everything"] }, 'Unknown API in systemApis: use "feeds", "native" (or "full-control") and "keys".'],
    [{ type: "system", systemApis: "feeds" }, "systemApis must be a list of API names."],
    [{ type: "system", systemApis: ["feeds"], key: "short" }, '"key": A custom key must be at least 20 characters.'],
    [{ type: "system", systemApis: ["feeds"], logging: "all" }, 'logging must be "none", "request", "response" or "both".'],
    [{ type: "system", systemApis: ["feeds"], expiration: "whenever" }, '"expiration": The expiry must be a date, e.g. 2027-12-31.'],
    [{ type: "system", systemApis: ["feeds"], user: "nobody" }, 'There is no user named "nobody" (user names match exactly).'],
    [{ type: "feed", feed: "nope" }, 'There is no feed named "nope".'],
    [{ type: "system", systemApis: ["feeds"], displayName: 42 }, "The display name must be text."],
    [
      { type: "system", systemApis: ["feeds"], description: "a\u0000b" },
      "The request body contains control characters (such as NUL) in its text. Remove them.",
    ],
  ])("answers 400 for %j", async (info, message) => {
    const r = await create(w.keys.apiKeyUser.value, info);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: message });
  });

  it("needs a JSON object body", async () => {
    const form = await call(w.server.url, "/api/api-keys/create", { key: w.keys.apiKeyUser.value, form: { type: "system" } });
    expect(form.status).toBe(400);
    expect(form.body.error).toBe("Send the ApiKeyInfo as a JSON object, with Content-Type: application/json.");
    const arr = await create(w.keys.apiKeyUser.value, [{ type: "system" }]);
    expect(arr.status).toBe(400);
  });

  it("refuses an impersonated non-admin, and keys without keys or native", async () => {
    const alice = await create(w.keys.aliceKeysApi.value, { type: "personal" });
    expect(alice.status).toBe(403);
    expect(alice.body.error).toMatch(/^User "alice" is not an administrator and cannot create API keys/);
    const feeds = await create(w.keys.feedsOnly.value, { type: "system", systemApis: ["feeds"] });
    expect(feeds.status).toBe(403);
    expect(feeds.body.error).toBe('This API key cannot call the API-keys management API: it needs the "keys" or "native" API.');
  });

  it("takes the key from the API_Key property of the JSON body", async () => {
    const r = await call(w.server.url, "/api/api-keys/create", { json: { API_Key: w.keys.apiKeyUser.value, type: "feed", feed: "npm" } });
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty("API_Key");
  });
});

describe("GET /api/api-keys/list", () => {
  it("lists every key as ApiKeyInfo for full control, without values", async () => {
    const r = await list(w.keys.keysOnly.value);
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(await w.db.apiKey.count());
    for (const info of r.body) {
      expect(apiKeyInfoSchema.parse(info)).toEqual(info);
      expect(info).not.toHaveProperty("key");
    }
    for (const k of Object.values(w.keys)) expect(r.text).not.toContain(k.value);
    const byId = (id: number) => r.body.find((k: { id: number }) => k.id === id);
    expect(byId(w.keys.aliceLegacy.key.id)).toMatchObject({ type: "other", user: "alice", status: "Full access (legacy)" });
    expect(byId(w.keys.aliceScoped.key.id)).toMatchObject({ type: "personal", user: "alice", packagePermissions: ["view", "push"] });
    expect(byId(w.keys.asBob.key.id)).toMatchObject({ type: "personal", user: "bob", systemApis: ["native"] });
    expect(byId(w.keys.apiKeyUser.key.id)).toMatchObject({ type: "system", user: null, logging: "none" });
  });

  it("lists only the impersonated user's own keys", async () => {
    const r = await list(w.keys.aliceKeysApi.value);
    expect(r.status).toBe(200);
    expect(r.body.map((k: { id: number }) => k.id).sort()).toEqual([w.keys.aliceScoped.key.id, w.keys.aliceLegacy.key.id].sort());
  });
});

describe("/api/api-keys/delete", () => {
  it("deletes with POST and with DELETE, id in the query or the body", async () => {
    const a = await create(w.keys.apiKeyUser.value, { type: "system", systemApis: ["native"], displayName: "gone soon" });
    const b = await create(w.keys.apiKeyUser.value, { type: "system", systemApis: ["native"], displayName: "gone too" });
    const c = await create(w.keys.apiKeyUser.value, { type: "system", systemApis: ["native"], displayName: "gone as well" });
    const byPost = await call(w.server.url, `/api/api-keys/delete?id=${a.body.id}`, { method: "POST", key: w.keys.keysOnly.value });
    expect(byPost.status).toBe(200);
    expect(byPost.body).toEqual({ id: a.body.id, deleted: true });
    const byDelete = await call(w.server.url, `/api/api-keys/delete?id=${b.body.id}`, { method: "DELETE", key: w.keys.keysOnly.value });
    expect(byDelete.status).toBe(200);
    const byBody = await call(w.server.url, "/api/api-keys/delete", { json: { id: c.body.id }, key: w.keys.keysOnly.value });
    expect(byBody.status).toBe(200);
    expect(await w.db.apiKey.count({ where: { id: { in: [a.body.id, b.body.id, c.body.id] } } })).toBe(0);
    const used = await call(w.server.url, "/api/json/Feeds_GetFeeds", { key: a.body.key });
    expect(used.status).toBe(403);
    expect(used.body.error).toBe(MESSAGES.invalidKey);
  });

  it("answers 400 without a whole-number id and 404 for a missing or another user's key", async () => {
    const none = await call(w.server.url, "/api/api-keys/delete", { method: "POST", key: w.keys.keysOnly.value });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('Argument "id" is required.');
    const bad = await call(w.server.url, "/api/api-keys/delete?id=abc", { method: "POST", key: w.keys.keysOnly.value });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('Argument "id" must be a whole number.');
    const missing = await call(w.server.url, "/api/api-keys/delete?id=987654", { method: "POST", key: w.keys.keysOnly.value });
    expect(missing.status).toBe(404);
    const others = await call(w.server.url, `/api/api-keys/delete?id=${w.keys.bobScoped.key.id}`, { method: "POST", key: w.keys.aliceKeysApi.value });
    expect(others.status).toBe(404);
    expect(await w.db.apiKey.findUnique({ where: { id: w.keys.bobScoped.key.id } })).not.toBeNull();
  });

  it("answers 405 for GET", async () => {
    const r = await call(w.server.url, "/api/api-keys/delete?id=1", { key: w.keys.keysOnly.value });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("POST, DELETE");
  });
});
