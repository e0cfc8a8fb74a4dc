// Every Native API method over real HTTP, as the API key user (full control), as an
// impersonated administrator and as impersonated non-administrators, and every argument
// refusal. Real database, real server; no mocks.
import { checkKeyFormat, MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../auth/passwords.ts";
import { createApiKey } from "../db/factories.ts";
import { TEST_SECRET } from "../test/server.ts";
import { accessLogRowSchema, apiKeyRowSchema, feedRowSchema, packageRowSchema, userRowSchema } from "./native/rows.ts";
import { call, createApiWorld, type ApiWorld } from "./test-world.ts";
import { withBodyTexts } from "../logs/bodies.ts";

let w: ApiWorld;
beforeAll(async () => {
  w = await createApiWorld();
});
afterAll(() => w.close());

const native = (method: string, key: string, opts: Omit<NonNullable<Parameters<typeof call>[2]>, "key"> = {}) =>
  call(w.server.url, `/api/json/${method}`, { key, ...opts });
const post = (method: string, key: string, args: Record<string, unknown>) => native(method, key, { json: args });
const ids = (rows: { ApiKey_Id: number }[]) => rows.map((r) => r.ApiKey_Id).sort((a, b) => a - b);
const K = () => w.keys;

describe("ApiKeys_GetApiKeys", () => {
  it("lists every key for the API key user and an impersonated admin, without values", async () => {
    for (const key of [K().apiKeyUser.value, K().asRoot.value]) {
      const r = await native("ApiKeys_GetApiKeys", key);
      expect(r.status).toBe(200);
      expect(Array.isArray(r.body)).toBe(true);
      const all = await w.db.apiKey.findMany({ select: { id: true } });
      expect(ids(r.body)).toEqual(all.map((k) => k.id).sort((a, b) => a - b));
      for (const row of r.body) {
        expect(apiKeyRowSchema.parse(row)).toEqual(row);
        expect(row).not.toHaveProperty("Key_Text");
      }
      for (const k of Object.values(K())) expect(r.text).not.toContain(k.value);
    }
  });

  it("lists only the impersonated user's own keys", async () => {
    const r = await native("ApiKeys_GetApiKeys", K().asAlice.value);
    expect(r.status).toBe(200);
    expect(ids(r.body)).toEqual([K().aliceScoped.key.id, K().aliceLegacy.key.id].sort((a, b) => a - b));
    const row = r.body.find((x: { ApiKey_Id: number }) => x.ApiKey_Id === K().aliceScoped.key.id);
    expect(row).toMatchObject({
      Key_Name: "alice CI",
      ApiKey_Kind: "scoped",
      Owner_User_Name: "alice",
      Systems_Apis_Csv: "feeds",
      Scopes_Csv: "push",
      Globs_Csv: "Contoso.*",
      Feeds_Csv: null,
      Status_Text: "Active",
    });
    const bob = await native("ApiKeys_GetApiKeys", K().asBob.value);
    expect(ids(bob.body)).toEqual([K().bobScoped.key.id]);
  });

  it("refuses any argument: the method takes none", async () => {
    const r = await native("ApiKeys_GetApiKeys?Count=5", K().apiKeyUser.value);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('Method ApiKeys_GetApiKeys has no argument "Count". It takes no arguments.');
  });
});

describe("ApiKeys_GetApiKey", () => {
  it("answers one key by id, from the query string or the body, numbers as text too", async () => {
    const id = K().aliceScoped.key.id;
    for (const r of [
      await native(`ApiKeys_GetApiKey?ApiKey_Id=${id}`, K().apiKeyUser.value),
      await post("ApiKeys_GetApiKey", K().apiKeyUser.value, { ApiKey_Id: id }),
      await post("ApiKeys_GetApiKey", K().apiKeyUser.value, { ApiKey_Id: String(id) }),
      await native("ApiKeys_GetApiKey", K().apiKeyUser.value, { form: { ApiKey_Id: String(id) } }),
      await native(`ApiKeys_GetApiKey?apikey_id=${id}`, K().apiKeyUser.value),
    ]) {
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(1);
      expect(r.body[0]).toMatchObject({ ApiKey_Id: id, Key_Name: "alice CI" });
    }
  });

  it("lets the body win over the query string", async () => {
    const r = await native(`ApiKeys_GetApiKey?ApiKey_Id=${K().bobScoped.key.id}`, K().apiKeyUser.value, { json: { ApiKey_Id: K().aliceScoped.key.id } });
    expect(r.body[0].ApiKey_Id).toBe(K().aliceScoped.key.id);
  });

  it("answers 404 for a missing key, and for another user's key when impersonating", async () => {
    const missing = await native("ApiKeys_GetApiKey?ApiKey_Id=987654", K().apiKeyUser.value);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe("No API key with ID 987654 was found.");
    const other = await native(`ApiKeys_GetApiKey?ApiKey_Id=${K().bobScoped.key.id}`, K().asAlice.value);
    expect(other.status).toBe(404);
    expect(other.body.error).toBe(`No API key with ID ${K().bobScoped.key.id} was found.`);
  });

  it.each([
    ["missing", "", 'Argument "ApiKey_Id" is required.'],
    ["empty", "?ApiKey_Id=", 'Argument "ApiKey_Id" is required.'],
    ["not a number", "?ApiKey_Id=abc", 'Argument "ApiKey_Id" must be a whole number.'],
    ["a fraction", "?ApiKey_Id=1.5", 'Argument "ApiKey_Id" must be a whole number.'],
    ["zero", "?ApiKey_Id=0", 'Argument "ApiKey_Id" must be at least 1.'],
    ["too big for the column", "?ApiKey_Id=99999999999", 'Argument "ApiKey_Id" must be at most 2147483647.'],
    ["given twice", "?ApiKey_Id=1&ApiKey_Id=2", 'Argument "ApiKey_Id" must be a single value, not a list.'],
    ["unknown besides", "?ApiKey_Id=1&Foo=2", 'Method ApiKeys_GetApiKey has no argument "Foo". Its arguments are: ApiKey_Id.'],
  ])("answers 400 when ApiKey_Id is %s", async (_, query, message) => {
    const r = await native(`ApiKeys_GetApiKey${query}`, K().apiKeyUser.value);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: message });
  });

  it.each([
    ["an array", { ApiKey_Id: [1] }, 'Argument "ApiKey_Id" must be a single value, not a list.'],
    ["an object", { ApiKey_Id: { $gt: 0 } }, 'Argument "ApiKey_Id" must be a whole number.'],
    ["a boolean", { ApiKey_Id: true }, 'Argument "ApiKey_Id" must be a whole number.'],
    ["null", { ApiKey_Id: null }, 'Argument "ApiKey_Id" is required.'],
    [
      "a __proto__ key",
      JSON.parse('{"ApiKey_Id": 1, "__proto__": {"polluted": true}}'),
      'Method ApiKeys_GetApiKey has no argument "__proto__". Its arguments are: ApiKey_Id.',
    ],
  ])("answers 400 when the JSON body holds %s", async (_, body, message) => {
    const r = await post("ApiKeys_GetApiKey", K().apiKeyUser.value, body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: message });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a JSON array body", async () => {
    const r = await native("ApiKeys_GetApiKey", K().apiKeyUser.value, { json: [1, 2] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("The request body must be a JSON object whose properties are the method's arguments.");
  });
});

describe("ApiKeys_CreateOrUpdateApiKey", () => {
  it("creates a system key as the API key user, answering its value once", async () => {
    const r = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, {
      Key_Name: "deploy bot",
      ApiKey_Description: "Deploys things",
      Systems_Apis_Csv: "feeds,keys",
      User_Name: "alice",
      Feeds_Csv: ["nuget"],
      Expiration_Date: "2099-12-31",
      LogRequestBody_Indicator: "true",
    });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    const row = apiKeyRowSchema.parse(r.body[0]);
    expect(row).toMatchObject({
      Key_Name: "deploy bot",
      ApiKey_Description: "Deploys things",
      ApiKey_Kind: "system",
      Owner_User_Name: null,
      User_Name: "alice",
      Systems_Apis_Csv: "feeds,keys",
      Feeds_Csv: "nuget",
      Expiration_Date: "2099-12-31T00:00:00.000Z",
      LogRequestBody_Indicator: true,
      LogResponseBody_Indicator: false,
    });
    expect(checkKeyFormat(row.Key_Text!)).toBe("generated");
    // The value works at once, and is never shown again.
    const again = await native(`ApiKeys_GetApiKey?ApiKey_Id=${row.ApiKey_Id}`, K().apiKeyUser.value);
    expect(again.body[0]).not.toHaveProperty("Key_Text");
    expect(again.text).not.toContain(row.Key_Text);
    const mgmt = await call(w.server.url, "/api/api-keys/list", { key: row.Key_Text });
    expect(mgmt.status).toBe(200);
    const stored = await w.db.apiKey.findUniqueOrThrow({ where: { id: row.ApiKey_Id } });
    expect(JSON.stringify(stored)).not.toContain(row.Key_Text);
    const audit = await w.db.auditEvent.findFirstOrThrow({ where: { keyId: row.ApiKey_Id } });
    expect(audit).toMatchObject({ action: "key.created", actorId: null, actorName: 'API key user (key "api key user")' });
  });

  it("creates a key with a custom value, shown in this answer only", async () => {
    const custom = "my-custom-key-value-for-ci-0001";
    const r = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, {
      Key_Text: custom,
      Systems_Apis_Csv: ["native"],
      ApiKey_Description: "custom",
    });
    expect(r.status).toBe(200);
    expect(r.body[0]).toMatchObject({ Key_Text: custom, Key_Hint: "…0001", Key_Name: "custom" });
    const used = await native("Feeds_GetFeeds", custom);
    expect(used.status).toBe(200);
    const dup = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, { Key_Text: custom, Systems_Apis_Csv: "native" });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe("That key value is already in use. Choose another value, or let Keyhouse generate one.");
  });

  it("updates a system key: arguments left out keep their values, empty ones clear them, no value unless regenerated", async () => {
    const created = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, {
      Key_Name: "to edit",
      Systems_Apis_Csv: "native",
      ApiKey_Description: "before",
      Feeds_Csv: "nuget,npm",
    });
    const id = created.body[0].ApiKey_Id;
    const edited = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, { ApiKey_Id: id, ApiKey_Description: "after", Feeds_Csv: "" });
    expect(edited.status).toBe(200);
    expect(edited.body[0]).toMatchObject({ ApiKey_Id: id, Key_Name: "to edit", ApiKey_Description: "after", Systems_Apis_Csv: "native", Feeds_Csv: null });
    expect(edited.body[0]).not.toHaveProperty("Key_Text");
    // An edit keeps the value...
    const stillOld = await native("Feeds_GetFeeds", created.body[0].Key_Text);
    expect(stillOld.status).toBe(200);

    const regenerated = await native(`ApiKeys_CreateOrUpdateApiKey?ApiKey_Id=${id}&Regenerate_Indicator=true`, K().apiKeyUser.value);
    expect(regenerated.status).toBe(200);
    expect(checkKeyFormat(regenerated.body[0].Key_Text)).toBe("generated");
    expect(regenerated.body[0].Key_Text).not.toBe(created.body[0].Key_Text);
    // ...and stops working once replaced.
    const old = await call(w.server.url, "/api/json/Feeds_GetFeeds", { key: created.body[0].Key_Text });
    expect(old.status).toBe(403);
    expect(old.body.error).toBe(MESSAGES.invalidKey);
  });

  it("keeps new key values and passwords out of the access log, even for a key that logs bodies", async () => {
    const logged = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, {
      Key_Name: "logs bodies",
      Systems_Apis_Csv: "native",
      LogRequestBody_Indicator: true,
      LogResponseBody_Indicator: true,
    });
    const key = logged.body[0].Key_Text as string;
    const custom = "logged-custom-value-000000001";
    const made = await post("ApiKeys_CreateOrUpdateApiKey", key, { Systems_Apis_Csv: "feeds", Key_Text: custom });
    const generated = await post("ApiKeys_CreateOrUpdateApiKey", key, { Systems_Apis_Csv: "feeds" });
    await post("Users_CreateOrUpdateUser", key, { User_Name: "zed", Email_Address: "zed@example.com", Password_Text: "hunter2hunter2" });
    expect([made.status, generated.status]).toEqual([200, 200]);
    await w.server.services.accessLog.flush();
    // With their bodies' texts (stored once per content, logs/bodies.ts).
    const entries = JSON.stringify(
      await Promise.all((await w.db.accessLogEntry.findMany({ where: { keyId: logged.body[0].ApiKey_Id } })).map((e) => withBodyTexts(w.db, e))),
    );
    expect(entries).toContain("Systems_Apis_Csv"); // bodies were logged...
    for (const secret of [key, custom, generated.body[0].Key_Text, "hunter2hunter2"]) expect(entries).not.toContain(secret); // ...without secrets
  });

  it("refuses to change scoped and legacy keys", async () => {
    const r = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, { ApiKey_Id: K().aliceScoped.key.id, ApiKey_Description: "x" });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^Only system keys are edited here\./);
  });

  it.each([
    [{}, 'Argument "Systems_Apis_Csv" is required to create a key: choose from feeds, native and keys.'],
    [{ Systems_Apis_Csv: "feeds,admin" }, 'Argument "Systems_Apis_Csv" may only contain "feeds", "native", "keys".'],
    [{ Systems_Apis_Csv: [1] }, 'Argument "Systems_Apis_Csv" must be a list of text values (a JSON array, or text separated by commas).'],
    [{ Systems_Apis_Csv: "feeds", Key_Text: "short" }, 'Argument "Key_Text": A custom key must be at least 20 characters.'],
    [{ Systems_Apis_Csv: "feeds", User_Name: "nobody" }, 'There is no user named "nobody" (user names match exactly).'],
    [{ Systems_Apis_Csv: "feeds", Feeds_Csv: "nope" }, 'There is no feed named "nope".'],
    [{ Systems_Apis_Csv: "feeds", Expiration_Date: "not a date" }, 'Argument "Expiration_Date" must be a date, e.g. 2027-12-31 or 2027-12-31T12:00:00Z.'],
    [{ Systems_Apis_Csv: "feeds", Expiration_Date: "2001-01-01" }, "The expiry must be in the future."],
    [{ Systems_Apis_Csv: "feeds", Key_Name: "n".repeat(65) }, 'Argument "Key_Name" must be at most 64 characters.'],
    [{ Systems_Apis_Csv: "feeds", LogRequestBody_Indicator: "maybe" }, 'Argument "LogRequestBody_Indicator" must be true or false.'],
    [{ Systems_Apis_Csv: "feeds", ApiKey_Description: "bad\u0000byte" }, 'Argument "ApiKey_Description" must not contain control characters.'],
  ])("answers 400 for %j", async (args, message) => {
    const r = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, args);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: message });
  });

  it("refuses an impersonated non-admin with a 403 naming what is missing", async () => {
    const before = await w.db.apiKey.count();
    const r = await post("ApiKeys_CreateOrUpdateApiKey", K().asAlice.value, { Systems_Apis_Csv: "feeds" });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe(
      'User "alice" is not an administrator and cannot create or change system keys: that needs an administrator or the API key user (a system key with no user).',
    );
    expect(await w.db.apiKey.count()).toBe(before);
  });
});

describe("ApiKeys_RevokeApiKey and ApiKeys_DeleteApiKey", () => {
  it("lets a user revoke and delete their own keys only", async () => {
    const mine = await w.db.apiKey.create({
      data: { kind: "scoped", name: "alice temp", ownerId: w.users.alice.id, secretHash: "h-alice-temp", hint: "…", globs: '["x"]', scopes: '["push"]' },
    });
    const bobs = await native(`ApiKeys_RevokeApiKey?ApiKey_Id=${mine.id}`, K().asBob.value);
    expect(bobs.status).toBe(404);
    const revoked = await post("ApiKeys_RevokeApiKey", K().asAlice.value, { ApiKey_Id: mine.id, Revoked_Reason: "rotated" });
    expect(revoked.status).toBe(200);
    expect(revoked.body[0]).toMatchObject({ ApiKey_Id: mine.id, Status_Text: "Revoked", Revoked_Reason: "rotated" });
    const twice = await post("ApiKeys_RevokeApiKey", K().asAlice.value, { ApiKey_Id: mine.id });
    expect(twice.status).toBe(409);

    const bobDelete = await post("ApiKeys_DeleteApiKey", K().asBob.value, { ApiKey_Id: mine.id });
    expect(bobDelete.status).toBe(404);
    const deleted = await post("ApiKeys_DeleteApiKey", K().asAlice.value, { ApiKey_Id: mine.id });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual([]);
    expect(await w.db.apiKey.findUnique({ where: { id: mine.id } })).toBeNull();
  });

  it("lets the API key user delete any key, which stops working at once", async () => {
    const victim = await post("ApiKeys_CreateOrUpdateApiKey", K().apiKeyUser.value, { Key_Name: "victim", Systems_Apis_Csv: "native" });
    const value = victim.body[0].Key_Text;
    expect((await native("Feeds_GetFeeds", value)).status).toBe(200);
    const r = await native(`ApiKeys_DeleteApiKey?ApiKey_Id=${victim.body[0].ApiKey_Id}`, K().apiKeyUser.value, { method: "POST" });
    expect(r.status).toBe(200);
    const after = await native("Feeds_GetFeeds", value);
    expect(after.status).toBe(403);
    expect(after.body.error).toBe(MESSAGES.invalidKey);
  });
});

describe("ApiKeyAccessLogs_GetLogs", () => {
  type LogRow = { Log_Id: number; ApiKey_Id: number | null; Path_Text: string };
  const logs = (args: string, key: string) => native(`ApiKeyAccessLogs_GetLogs${args}`, key);
  const logIds = (rows: LogRow[]) => rows.map((r) => r.Log_Id);
  /** Everything answered so far is in the database: the writer batches off the request path. */
  const flush = () => w.server.services.accessLog.flush();
  const newestIds = async (where: { keyId?: number; ownerId?: number } = {}, take = 1000) =>
    (await w.db.accessLogEntry.findMany({ where, orderBy: { id: "desc" }, take, select: { id: true } })).map((e) => e.id);

  // Keys of their own for alice and bob, so this block knows every entry they have.
  let aliceKey: { key: { id: number }; value: string };
  let bobKey: { key: { id: number }; value: string };
  beforeAll(async () => {
    aliceKey = await createApiKey(w.db, TEST_SECRET, { kind: "scoped", name: "alice logs", ownerId: w.users.alice.id, globs: ["Contoso.*"] });
    bobKey = await createApiKey(w.db, TEST_SECRET, { kind: "scoped", name: "bob logs", ownerId: w.users.bob.id, globs: ["Fabrikam.*"] });
    const bearer = (value: string) => ({ headers: { Authorization: `Bearer ${value}` } });
    await call(w.server.url, "/npm/npm/@contoso%2fweb", bearer(aliceKey.value));
    await call(w.server.url, "/npm/npm/@contoso%2fweb", bearer(bobKey.value));
    await call(w.server.url, "/nuget/nuget/v3/index.json", { headers: { "X-NuGet-ApiKey": aliceKey.value } });
    // A key in the query string, to prove the answer never holds one.
    await call(w.server.url, `/api/json/Feeds_GetFeeds?key=${K().asAlice.value}`);
    await flush();
  });

  it("answers every entry, newest first, to the API key user and an impersonated admin, without any key", async () => {
    for (const key of [K().apiKeyUser.value, K().asRoot.value]) {
      await flush();
      const expected = await newestIds();
      const r = await logs("?Count=1000", key);
      expect(r.status).toBe(200);
      expect(logIds(r.body)).toEqual(expected);
      for (const row of r.body) expect(accessLogRowSchema.parse(row)).toEqual(row);
      for (const k of [...Object.values(K()), aliceKey, bobKey]) expect(r.text).not.toContain(k.value);
      const inQuery = r.body.find((row: LogRow) => row.ApiKey_Id === K().asAlice.key.id && row.Path_Text.startsWith("/api/json/Feeds_GetFeeds?"));
      expect(inQuery).toMatchObject({
        Key_Name: "as alice",
        User_Name: "alice",
        Method_Code: "GET",
        Path_Text: "/api/json/Feeds_GetFeeds?key=%5Bredacted%5D",
        Status_Code: 200,
      });
    }
  });

  it("answers one key's entries, newest first, in ProGet's row shape", async () => {
    const r = await logs(`?ApiKey_Id=${aliceKey.key.id}`, K().apiKeyUser.value);
    expect(r.status).toBe(200);
    expect(r.body.map((row: LogRow) => row.Path_Text)).toEqual(["/nuget/nuget/v3/index.json", "/npm/npm/@contoso%2fweb"]);
    expect(logIds(r.body)).toEqual(await newestIds({ keyId: aliceKey.key.id }));
    const [newest] = r.body;
    expect(newest).toMatchObject({ ApiKey_Id: aliceKey.key.id, Key_Name: "alice logs", Method_Code: "GET", Status_Code: 200 });
    expect(Date.parse(newest.Request_Date)).toBeGreaterThan(Date.now() - 60_000);
    expect(newest.Duration_Ms).toBeGreaterThanOrEqual(0);
    expect(newest.Client_Address).toMatch(/127\.0\.0\.1/);
  });

  it("answers an impersonated user the entries of the keys they own only", async () => {
    await flush();
    const alice = await logs("?Count=1000", K().asAlice.value);
    expect(alice.status).toBe(200);
    expect(logIds(alice.body)).toEqual(await newestIds({ ownerId: w.users.alice.id }));
    const aliceKeys = alice.body.map((row: LogRow) => row.ApiKey_Id);
    expect(aliceKeys).toContain(aliceKey.key.id);
    expect(aliceKeys).not.toContain(bobKey.key.id);
    // The system key that impersonates alice is nobody's: its entries are not hers to read.
    expect(aliceKeys).not.toContain(K().asAlice.key.id);

    const bob = await logs("?Count=1000", K().asBob.value);
    expect(bob.body.map((row: LogRow) => row.ApiKey_Id)).toContain(bobKey.key.id);
    expect(bob.body.map((row: LogRow) => row.ApiKey_Id)).not.toContain(aliceKey.key.id);
    expect((await logs(`?ApiKey_Id=${bobKey.key.id}`, K().asAlice.value)).status).toBe(404);
    expect((await logs(`?ApiKey_Id=${aliceKey.key.id}`, K().asAlice.value)).body).toHaveLength(2);
  });

  it("refuses another user's key, an unknown key and bad counts", async () => {
    expect((await logs(`?ApiKey_Id=${K().bobScoped.key.id}`, K().asAlice.value)).status).toBe(404);
    expect((await logs("?ApiKey_Id=99999999", K().apiKeyUser.value)).status).toBe(404);
    const r = await logs("?Count=5000", K().apiKeyUser.value);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('Argument "Count" must be at most 1000.');
    expect((await logs("?Count=0", K().apiKeyUser.value)).body.error).toBe('Argument "Count" must be at least 1.');
  });

  it("answers Count entries (100 by default), even past one page of the log reader", async () => {
    const bulk = await createApiKey(w.db, TEST_SECRET, { kind: "scoped", name: "alice bulk", ownerId: w.users.alice.id, globs: ["*"] });
    const at = Date.now() - 60_000;
    await w.db.accessLogEntry.createMany({
      data: Array.from({ length: 1_100 }, (_, i) => ({
        at: new Date(at + i),
        keyId: bulk.key.id,
        keyName: "alice bulk",
        keyHint: bulk.key.hint,
        keyStatus: "valid",
        ownerId: w.users.alice.id,
        surface: "feeds",
        method: "GET",
        path: `/npm/npm/p${i}`,
        status: 200,
        durationMs: 1,
      })),
    });
    const all = await newestIds({ keyId: bulk.key.id }, 2_000);
    for (const [args, count] of [
      ["", 100],
      ["&Count=1", 1],
      ["&Count=550", 550],
      ["&Count=1000", 1000],
    ] as const) {
      for (const key of [K().apiKeyUser.value, K().asAlice.value]) {
        const r = await logs(`?ApiKey_Id=${bulk.key.id}${args}`, key);
        expect(r.status).toBe(200);
        expect(logIds(r.body)).toEqual(all.slice(0, count));
      }
    }
    expect((await logs(`?ApiKey_Id=${bulk.key.id}`, K().asBob.value)).status).toBe(404);
  });
});

describe("Feeds_GetFeeds and Feeds_CreateFeed", () => {
  it("lists every feed for full control, and only viewable feeds for a user", async () => {
    const all = await native("Feeds_GetFeeds", K().asRoot.value);
    expect(all.body.map((f: { Feed_Name: string }) => f.Feed_Name)).toEqual(["npm", "nuget", "vault"]);
    for (const row of all.body) expect(feedRowSchema.parse(row)).toEqual(row);
    expect(all.body.find((f: { Feed_Name: string }) => f.Feed_Name === "npm")).toMatchObject({ FeedType_Name: "npm", AllowAnonymousReads_Indicator: true });
    const alice = await native("Feeds_GetFeeds", K().asAlice.value);
    expect(alice.body.map((f: { Feed_Name: string }) => f.Feed_Name)).toEqual(["npm", "nuget"]);
    const bob = await native("Feeds_GetFeeds", K().asBob.value);
    expect(bob.body.map((f: { Feed_Name: string }) => f.Feed_Name)).toEqual(["nuget"]);
  });

  it("creates a feed as the API key user, booleans and names checked", async () => {
    const r = await native("Feeds_CreateFeed?Feed_Name=gems2&FeedType_Name=rubygems&AllowAnonymousReads_Indicator=true", K().apiKeyUser.value);
    expect(r.status).toBe(200);
    expect(r.body[0]).toMatchObject({ Feed_Name: "gems2", FeedType_Name: "rubygems", AllowAnonymousReads_Indicator: true });
    const dup = await post("Feeds_CreateFeed", K().asRoot.value, { Feed_Name: "gems2", FeedType_Name: "npm" });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe('A feed named "gems2" already exists.');
  });

  it.each([
    [{ FeedType_Name: "npm" }, 'Argument "Feed_Name" is required.'],
    [{ Feed_Name: "x", FeedType_Name: "maven" }, 'Argument "FeedType_Name" must be one of "nuget", "npm", "rubygems".'],
    [
      { Feed_Name: "has space", FeedType_Name: "npm" },
      'Argument "Feed_Name" must be 1 to 100 letters, digits, ".", "-" or "_", starting with a letter or digit (feed names are part of URLs).',
    ],
    [
      { Feed_Name: "../etc", FeedType_Name: "npm" },
      'Argument "Feed_Name" must be 1 to 100 letters, digits, ".", "-" or "_", starting with a letter or digit (feed names are part of URLs).',
    ],
    [{ Feed_Name: "ok", FeedType_Name: ["npm"] }, 'Argument "FeedType_Name" must be a single value, not a list.'],
  ])("answers 400 for %j", async (args, message) => {
    const r = await post("Feeds_CreateFeed", K().apiKeyUser.value, args);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: message });
  });

  it("refuses an impersonated non-admin", async () => {
    const r = await post("Feeds_CreateFeed", K().asAlice.value, { Feed_Name: "mine", FeedType_Name: "npm" });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/^User "alice" is not an administrator and cannot create feeds/);
  });
});

describe("Users_GetUsers and Users_CreateOrUpdateUser", () => {
  it("lists users without password hashes; a user sees only themselves", async () => {
    const all = await native("Users_GetUsers", K().apiKeyUser.value);
    expect(all.body.map((u: { User_Name: string }) => u.User_Name)).toEqual(expect.arrayContaining(["alice", "bob", "carol", "root"]));
    for (const row of all.body) expect(userRowSchema.parse(row)).toEqual(row);
    expect(all.text).not.toMatch(/argon2|password|Hash/i);
    expect(all.body.find((u: { User_Name: string }) => u.User_Name === "root")).toMatchObject({ Admin_Indicator: true, Disabled_Indicator: false });
    const bob = await native("Users_GetUsers", K().asBob.value);
    expect(bob.body.map((u: { User_Name: string }) => u.User_Name)).toEqual(["bob"]);
  });

  it("creates a user with an argon2id password hash, then updates only the given fields", async () => {
    const r = await native("Users_CreateOrUpdateUser", K().apiKeyUser.value, {
      form: { User_Name: "dave", Display_Name: "Dave D", Email_Address: "dave@example.com", Password_Text: " spaced pass ", Admin_Indicator: "false" },
    });
    expect(r.status).toBe(200);
    expect(r.body[0]).toMatchObject({
      User_Name: "dave",
      Display_Name: "Dave D",
      Email_Address: "dave@example.com",
      Admin_Indicator: false,
      Disabled_Indicator: false,
    });
    expect(r.text).not.toContain("spaced pass");
    const row = await w.db.user.findUniqueOrThrow({ where: { username: "dave" } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row.passwordHash, " spaced pass ")).toBe(true);

    const upd = await post("Users_CreateOrUpdateUser", K().asRoot.value, { User_Name: "dave", Disabled_Indicator: true, Admin_Indicator: 1 });
    expect(upd.status).toBe(200);
    expect(upd.body[0]).toMatchObject({
      User_Name: "dave",
      Display_Name: "Dave D",
      Email_Address: "dave@example.com",
      Admin_Indicator: true,
      Disabled_Indicator: true,
    });
    const after = await w.db.user.findUniqueOrThrow({ where: { username: "dave" } });
    expect(after.passwordHash).toBe(row.passwordHash);
  });

  it.each([
    [{ User_Name: "erin", Email_Address: "e@example.com" }, 'Argument "Password_Text" is required to create a user.'],
    [{ User_Name: "erin", Password_Text: "long enough pw" }, 'Argument "Email_Address" is required to create a user.'],
    [{ User_Name: "erin", Password_Text: "short", Email_Address: "e@example.com" }, 'Argument "Password_Text" must be at least 8 characters.'],
    [{ User_Name: "erin", Password_Text: "long enough pw", Email_Address: "nope" }, 'Argument "Email_Address" must be an email address.'],
    [
      { User_Name: "bad name", Password_Text: "long enough pw", Email_Address: "e@example.com" },
      'Argument "User_Name" must be letters, digits, ".", "_", "@", "+" or "-", starting with a letter or digit.',
    ],
    [{ Password_Text: "long enough pw" }, 'Argument "User_Name" is required.'],
  ])("answers 400 for %j", async (args, message) => {
    const r = await post("Users_CreateOrUpdateUser", K().apiKeyUser.value, args);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: message });
  });

  it("refuses an impersonated non-admin", async () => {
    const r = await post("Users_CreateOrUpdateUser", K().asBob.value, { User_Name: "bob", Admin_Indicator: true });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/^User "bob" is not an administrator and cannot create or change users/);
    expect((await w.db.user.findUniqueOrThrow({ where: { username: "bob" } })).role).toBe("user");
  });
});

describe("Packages_GetPackages and Packages_SetListed", () => {
  it("lists versions in every feed for full control, and only viewable feeds for a user", async () => {
    const all = await native("Packages_GetPackages", K().apiKeyUser.value);
    expect(all.status).toBe(200);
    for (const row of all.body) expect(packageRowSchema.parse(row)).toEqual(row);
    expect(all.body.map((p: { Package_Name: string; Version_Text: string }) => `${p.Package_Name}@${p.Version_Text}`).sort()).toEqual(
      ["@contoso/web@3.1.0", "Contoso.Core@1.0.0", "Contoso.Core@2.0.0", "Fabrikam.Logging@1.0.0", "vault-secret@0.1.0"].sort(),
    );
    const bob = await native("Packages_GetPackages", K().asBob.value);
    expect(new Set(bob.body.map((p: { Feed_Name: string }) => p.Feed_Name))).toEqual(new Set(["nuget"]));
    const one = await native("Packages_GetPackages?Feed_Name=nuget&Package_Name=contoso.core", K().asAlice.value);
    expect(one.body).toHaveLength(2);
    expect(one.body[0]).toMatchObject({
      Feed_Name: "nuget",
      Package_Name: "Contoso.Core",
      Owners_Csv: "alice",
      PushedBy_User_Name: "alice",
      Listed_Indicator: true,
    });
    const limited = await native("Packages_GetPackages?Count=1", K().apiKeyUser.value);
    expect(limited.body).toHaveLength(1);
  });

  it("refuses a feed the user cannot view, and answers 404 for a missing feed", async () => {
    const r = await native("Packages_GetPackages?Feed_Name=vault", K().asAlice.value);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('User "alice" does not have the "view" privilege on feed "vault".');
    const missing = await native("Packages_GetPackages?Feed_Name=nope", K().apiKeyUser.value);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('There is no feed named "nope".');
  });

  it("lets an owner with the unlist privilege unlist and relist", async () => {
    const off = await post("Packages_SetListed", K().asAlice.value, {
      Feed_Name: "nuget",
      Package_Name: "contoso.core",
      Version_Text: "1.0.0",
      Listed_Indicator: "false",
    });
    expect(off.status).toBe(200);
    expect(off.body).toEqual([expect.objectContaining({ Package_Name: "Contoso.Core", Version_Text: "1.0.0", Listed_Indicator: false })]);
    const on = await post("Packages_SetListed", K().asAlice.value, {
      Feed_Name: "nuget",
      Package_Name: "Contoso.Core",
      Version_Text: "1.0.0",
      Listed_Indicator: true,
    });
    expect(on.body[0].Listed_Indicator).toBe(true);
  });

  it("refuses a user without the unlist privilege, and a non-owner, naming what is missing", async () => {
    const bob = await post("Packages_SetListed", K().asBob.value, {
      Feed_Name: "nuget",
      Package_Name: "Fabrikam.Logging",
      Version_Text: "1.0.0",
      Listed_Indicator: false,
    });
    expect(bob.status).toBe(403);
    expect(bob.body.error).toBe('User "bob" does not have the "unlist" privilege on feed "nuget".');
    await w.db.feedPrivilege.update({ where: { userId_feedId: { userId: w.users.bob.id, feedId: w.feeds.nuget.id } }, data: { canUnlist: true } });
    const notOwner = await post("Packages_SetListed", K().asBob.value, {
      Feed_Name: "nuget",
      Package_Name: "Contoso.Core",
      Version_Text: "1.0.0",
      Listed_Indicator: false,
    });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.error).toBe('User "bob" is not an owner of package "Contoso.Core".');
    const vault = await post("Packages_SetListed", K().asAlice.value, {
      Feed_Name: "vault",
      Package_Name: "vault-secret",
      Version_Text: "0.1.0",
      Listed_Indicator: false,
    });
    expect(vault.status).toBe(403);
    expect(vault.body.error).toBe('User "alice" does not have the "view" privilege on feed "vault".');
    const listed = await w.db.packageVersion.findMany({ where: { listed: false } });
    expect(listed).toEqual([]);
  });

  it("lets the API key user and an admin unlist anything", async () => {
    for (const key of [K().apiKeyUser.value, K().asRoot.value]) {
      const r = await post("Packages_SetListed", key, { Feed_Name: "vault", Package_Name: "vault-secret", Version_Text: "0.1.0", Listed_Indicator: false });
      expect(r.status).toBe(200);
      expect(r.body[0].Listed_Indicator).toBe(false);
    }
  });

  it("answers 404 for a missing package or version, and 400 for missing arguments", async () => {
    const pkg = await post("Packages_SetListed", K().apiKeyUser.value, {
      Feed_Name: "nuget",
      Package_Name: "Nope",
      Version_Text: "1.0.0",
      Listed_Indicator: false,
    });
    expect(pkg.status).toBe(404);
    expect(pkg.body.error).toBe('Package "Nope" was not found in feed "nuget".');
    const ver = await post("Packages_SetListed", K().apiKeyUser.value, {
      Feed_Name: "nuget",
      Package_Name: "Contoso.Core",
      Version_Text: "9.9.9",
      Listed_Indicator: false,
    });
    expect(ver.status).toBe(404);
    expect(ver.body.error).toBe('Version 9.9.9 of package "Contoso.Core" was not found in feed "nuget".');
    const missing = await post("Packages_SetListed", K().apiKeyUser.value, { Feed_Name: "nuget", Package_Name: "Contoso.Core", Version_Text: "1.0.0" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('Argument "Listed_Indicator" is required.');
  });
});
