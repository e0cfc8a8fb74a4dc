// A key never grants more than it has (docs/authorization.md): the Native API honours a
// key's feed restriction, and a key creates or changes keys with at most its own APIs,
// feeds and user. Real database and server; the keys are made in the database directly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { TEST_SECRET } from "../test/server.ts";
import { call, createApiWorld, type ApiWorld } from "./test-world.ts";

let w: ApiWorld;
type Made = Awaited<ReturnType<typeof createApiKey>>;
let nugetOnly: Made; // the API key user, native, restricted to the nuget feed
let nugetOnlyAsRoot: Made; // acting as the administrator root, restricted to the nuget feed
let keysAndFeeds: Made; // the API key user with keys and feeds, no native
let rootKeys: Made; // acting as root with the keys API only

beforeAll(async () => {
  w = await createApiWorld();
  const system = (name: string, apis: string[], over: Parameters<typeof createApiKey>[2] = {}) =>
    createApiKey(w.db, TEST_SECRET, { kind: "system", name, apis, ...over });
  nugetOnly = await system("nuget only", ["native"], { feeds: ["nuget"] });
  nugetOnlyAsRoot = await system("nuget only as root", ["native"], { feeds: ["nuget"], userId: w.users.root.id });
  keysAndFeeds = await system("keys and feeds", ["keys", "feeds"]);
  rootKeys = await system("root keys", ["keys"], { userId: w.users.root.id });
  // An access-log entry on each of two feeds, made by the restricted key's own kind of caller.
  await call(w.server.url, "/nuget/nuget/v3/index.json", { headers: { "X-NuGet-ApiKey": w.keys.feedsOnly.value } });
  await call(w.server.url, "/npm/npm/@contoso%2fweb", { headers: { Authorization: `Bearer ${w.keys.feedsOnly.value}` } });
  await w.server.services.accessLog.flush();
});
afterAll(() => w.close());

const native = (method: string, key: string, args?: Record<string, unknown>) =>
  call(w.server.url, `/api/json/${method}`, { key, ...(args ? { json: args } : {}) });
const create = (key: string, info: unknown) => call(w.server.url, "/api/api-keys/create", { key, json: info });

describe("the Native API honours the key's feed restriction", () => {
  it("lists only the key's feeds", async () => {
    for (const key of [nugetOnly, nugetOnlyAsRoot]) {
      const r = await native("Feeds_GetFeeds", key.value);
      expect(r.status).toBe(200);
      expect(r.body.map((f: { Feed_Name: string }) => f.Feed_Name)).toEqual(["nuget"]);
    }
  });

  it("lists only the packages of the key's feeds, and refuses another feed by name", async () => {
    const all = await native("Packages_GetPackages", nugetOnly.value);
    expect(all.status).toBe(200);
    expect(new Set(all.body.map((p: { Feed_Name: string }) => p.Feed_Name))).toEqual(new Set(["nuget"]));
    const other = await native("Packages_GetPackages", nugetOnly.value, { Feed_Name: "vault" });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('This API key is restricted to other feeds and cannot be used on feed "vault".');
  });

  it("cannot unlist a package on another feed", async () => {
    const r = await native("Packages_SetListed", nugetOnlyAsRoot.value, {
      Feed_Name: "npm",
      Package_Name: "@contoso/web",
      Version_Text: "3.1.0",
      Listed_Indicator: false,
    });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('This API key is restricted to other feeds and cannot be used on feed "npm".');
    const version = await w.db.packageVersion.findFirstOrThrow({ where: { version: "3.1.0", package: { name: "@contoso/web" } } });
    expect(version.listed).toBe(true);
  });

  it("cannot create feeds or users, which would reach beyond its feeds", async () => {
    const feed = await native("Feeds_CreateFeed", nugetOnly.value, { Feed_Name: "elsewhere", FeedType_Name: "npm" });
    expect(feed.status).toBe(403);
    expect(feed.body.error).toBe('This API key is restricted to feed "nuget" and cannot create feeds.');
    const user = await native("Users_CreateOrUpdateUser", nugetOnly.value, {
      User_Name: "mallory",
      Email_Address: "m@example.com",
      Password_Text: "hunter2hunter2",
      Admin_Indicator: true,
    });
    expect(user.status).toBe(403);
    expect(user.body.error).toBe('This API key is restricted to feed "nuget" and cannot create or change users.');
    expect(await w.db.user.findUnique({ where: { username: "mallory" } })).toBeNull();
    expect(await w.db.feed.findUnique({ where: { name: "elsewhere" } })).toBeNull();
  });

  it("reads only the access-log entries of the key's feeds", async () => {
    const r = await native("ApiKeyAccessLogs_GetLogs", nugetOnly.value);
    expect(r.status).toBe(200);
    const entries = await w.db.accessLogEntry.findMany({ where: { id: { in: r.body.map((e: { Log_Id: number }) => e.Log_Id) } } });
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.feed))).toEqual(new Set(["nuget"]));
  });
});

describe("a key creates keys with at most its own APIs, feeds and user", () => {
  it("a keys-only key cannot mint a native or feeds key (management API)", async () => {
    const before = await w.db.apiKey.count();
    const r = await create(w.keys.keysOnly.value, { type: "system", systemApis: ["native"] });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('This API key cannot create a key with the "native" API: a key can only give the APIs it has itself (keys).');
    const feed = await create(w.keys.keysOnly.value, { type: "feed", feed: "npm" });
    expect(feed.status).toBe(403);
    expect(feed.body.error).toBe('This API key cannot create a key with the "feeds" API: a key can only give the APIs it has itself (keys).');
    expect(await w.db.apiKey.count()).toBe(before);
  });

  it("a key without native gives only its own APIs, and a keys-only key still makes keys-only keys", async () => {
    const full = await create(keysAndFeeds.value, { type: "system", systemApis: ["feeds", "full-control"] });
    expect(full.status).toBe(403);
    expect(full.body.error).toBe('This API key cannot create a key with the "native" API: a key can only give the APIs it has itself (keys, feeds).');
    const ok = await create(keysAndFeeds.value, { type: "feed", feed: "npm" });
    expect(ok.status).toBe(200);
    const keysOnly = await create(w.keys.keysOnly.value, { type: "system", systemApis: ["keys"] });
    expect(keysOnly.status).toBe(200);
  });

  it("a feed-restricted key cannot mint an unrestricted key or one on other feeds", async () => {
    const unrestricted = await native("ApiKeys_CreateOrUpdateApiKey", nugetOnly.value, { Systems_Apis_Csv: "native" });
    expect(unrestricted.status).toBe(403);
    expect(unrestricted.body.error).toBe('This API key is restricted to feed "nuget": the key it creates must be restricted to that feed too (Feeds_Csv).');
    const other = await native("ApiKeys_CreateOrUpdateApiKey", nugetOnly.value, { Systems_Apis_Csv: "feeds", Feeds_Csv: "nuget,npm" });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('This API key is restricted to feed "nuget" and cannot create a key for feed "npm".');
    const mgmt = await create(nugetOnly.value, { type: "feed", feed: "vault" });
    expect(mgmt.status).toBe(403);
    expect(mgmt.body.error).toBe('This API key is restricted to feed "nuget" and cannot create a key for feed "vault".');
    const ok = await native("ApiKeys_CreateOrUpdateApiKey", nugetOnly.value, { Systems_Apis_Csv: "feeds", Feeds_Csv: "nuget" });
    expect(ok.status).toBe(200);
    expect(ok.body[0]).toMatchObject({ Feeds_Csv: "nuget", Systems_Apis_Csv: "feeds", User_Name: null });
  });

  it("a key acting as a user cannot create a key acting as another user or as the API key user", async () => {
    const other = await native("ApiKeys_CreateOrUpdateApiKey", w.keys.asRoot.value, { Systems_Apis_Csv: "feeds", User_Name: "alice" });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('This API key acts as user "root" and cannot create a key that acts as user "alice".');
    const none = await native("ApiKeys_CreateOrUpdateApiKey", w.keys.asRoot.value, { Systems_Apis_Csv: "feeds" });
    expect(none.status).toBe(403);
    expect(none.body.error).toBe('This API key acts as user "root" and cannot create a key that acts as the API key user (no user): set User_Name to "root".');
    const mgmt = await create(rootKeys.value, { type: "system", systemApis: ["keys"] });
    expect(mgmt.status).toBe(403);
    expect(mgmt.body.error).toBe('This API key acts as user "root" and cannot create a key that acts as the API key user (no user): set "user" to "root".');
    const own = await create(rootKeys.value, { type: "system", systemApis: ["keys"], user: "root" });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ user: "root", systemApis: ["keys"] });
  });

  it("the API key user with native can still give anything", async () => {
    const r = await native("ApiKeys_CreateOrUpdateApiKey", w.keys.apiKeyUser.value, {
      Systems_Apis_Csv: "feeds,native,keys",
      User_Name: "bob",
      Feeds_Csv: "npm",
    });
    expect(r.status).toBe(200);
    const m = await create(w.keys.apiKeyUser.value, { type: "system", systemApis: ["native", "keys"] });
    expect(m.status).toBe(200);
  });

  it("cannot widen or take over an existing key it could not have created", async () => {
    const wide = await native("ApiKeys_CreateOrUpdateApiKey", w.keys.apiKeyUser.value, { Key_Name: "wide", Systems_Apis_Csv: "native" });
    const wideId = wide.body[0].ApiKey_Id;
    // Regenerating an unrestricted key would hand its new value to a restricted one.
    const regen = await native("ApiKeys_CreateOrUpdateApiKey", nugetOnly.value, { ApiKey_Id: wideId, Regenerate_Indicator: true, Feeds_Csv: "nuget" });
    expect(regen.status).toBe(403);
    expect(regen.body.error).toBe('This API key is restricted to feed "nuget" and cannot change key "wide", which is not restricted to it.');
    const rootRegen = await native("ApiKeys_CreateOrUpdateApiKey", w.keys.asRoot.value, { ApiKey_Id: wideId, Regenerate_Indicator: true });
    expect(rootRegen.status).toBe(403);
    expect(rootRegen.body.error).toBe('This API key acts as user "root" and cannot change key "wide", which acts as the API key user (no user).');

    const narrow = await native("ApiKeys_CreateOrUpdateApiKey", nugetOnly.value, { Key_Name: "narrow", Systems_Apis_Csv: "feeds", Feeds_Csv: "nuget" });
    const widen = await native("ApiKeys_CreateOrUpdateApiKey", nugetOnly.value, { ApiKey_Id: narrow.body[0].ApiKey_Id, Feeds_Csv: "" });
    expect(widen.status).toBe(403);
    expect(widen.body.error).toBe('This API key is restricted to feed "nuget": the key it creates must be restricted to that feed too (Feeds_Csv).');
    const stored = await w.db.apiKey.findUniqueOrThrow({ where: { id: narrow.body[0].ApiKey_Id } });
    expect(stored.feeds).toBe('["nuget"]');
  });
});

describe("a feed-restricted key revokes and deletes only keys restricted to its feeds", () => {
  it("refuses a key that reaches other feeds, on both APIs, and leaves it working", async () => {
    const wide = await native("ApiKeys_CreateOrUpdateApiKey", w.keys.apiKeyUser.value, { Key_Name: "wide too", Systems_Apis_Csv: "native" });
    const id = wide.body[0].ApiKey_Id;
    const message = 'This API key is restricted to feed "nuget" and cannot change key "wide too", which is not restricted to it.';
    const revoke = await native("ApiKeys_RevokeApiKey", nugetOnly.value, { ApiKey_Id: id });
    expect(revoke.status).toBe(403);
    expect(revoke.body.error).toBe(message);
    const del = await native("ApiKeys_DeleteApiKey", nugetOnly.value, { ApiKey_Id: id });
    expect(del.status).toBe(403);
    expect(del.body.error).toBe(message);
    const mgmt = await call(w.server.url, `/api/api-keys/delete?id=${id}`, { method: "POST", key: nugetOnly.value });
    expect(mgmt.status).toBe(403);
    expect(mgmt.body.error).toBe(message);
    expect((await native("Feeds_GetFeeds", wide.body[0].Key_Text)).status).toBe(200);

    const own = await native("ApiKeys_CreateOrUpdateApiKey", nugetOnly.value, { Key_Name: "nuget reader", Systems_Apis_Csv: "feeds", Feeds_Csv: "nuget" });
    expect((await native("ApiKeys_RevokeApiKey", nugetOnly.value, { ApiKey_Id: own.body[0].ApiKey_Id })).status).toBe(200);
    expect((await native("ApiKeys_DeleteApiKey", nugetOnly.value, { ApiKey_Id: own.body[0].ApiKey_Id })).status).toBe(200);
  });
});

describe("a custom key's hint", () => {
  it("shows at most its last 4 characters, in the answer and in the stored row", async () => {
    const custom = "abcdefgh-custom-value-wxyz";
    const r = await native("ApiKeys_CreateOrUpdateApiKey", w.keys.apiKeyUser.value, { Key_Text: custom, Systems_Apis_Csv: "feeds" });
    expect(r.status).toBe(200);
    expect(r.body[0].Key_Hint).toBe("…wxyz");
    // A key made without a name is called by its hint: no more of the value there either.
    expect(r.body[0].Key_Name).toBe("System key …wxyz");
    const row = await w.db.apiKey.findUniqueOrThrow({ where: { id: r.body[0].ApiKey_Id } });
    expect(row.hint).toBe("…wxyz");
    const m = await create(w.keys.apiKeyUser.value, { type: "system", systemApis: ["feeds"], key: "ijklmnop-custom-value-0042" });
    expect(m.body.hint).toBe("…0042");
  });
});
