// ApiKeys_CreateOrUpdateApiKey's KeepOldValue_Hours: rotation with overlap over the
// Native API (docs/presenting-keys.md). After a regenerate both values work, the old one
// with the warning header, until the chosen end; the server's clock is moved past it.
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { HOUR, startClockedWorld, type ClockedWorld } from "../keys/old-values.testing.ts";
import { TEST_SECRET } from "../test/server.ts";

let w: ClockedWorld;
let admin: string;
beforeAll(async () => {
  w = await startClockedWorld();
  // The API key user: a system key with the native API and no user.
  admin = (await createApiKey(w.db, TEST_SECRET, { kind: "system", name: "key manager", apis: ["native"] })).value;
});
afterAll(async () => {
  await w?.close();
});

async function native(method: string, key: string, args?: Record<string, unknown>) {
  const res = await fetch(`${w.url}/api/json/${method}`, {
    method: args ? "POST" : "GET",
    headers: { "X-ApiKey": key, ...(args ? { "content-type": "application/json" } : {}) },
    body: args ? JSON.stringify(args) : undefined,
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answers are any JSON the assertions look into
  return { status: res.status, body: (await res.json()) as any, warning: res.headers.get("x-keyhouse-warning") };
}

async function newSystemKey(name: string): Promise<{ id: number; value: string }> {
  const made = await native("ApiKeys_CreateOrUpdateApiKey", admin, { Key_Name: name, Systems_Apis_Csv: "native" });
  expect(made.status, JSON.stringify(made.body)).toBe(200);
  return { id: made.body[0].ApiKey_Id, value: made.body[0].Key_Text };
}

describe("ApiKeys_CreateOrUpdateApiKey with KeepOldValue_Hours", () => {
  it("keeps the replaced value working for 24 hours beside the new one, with the warning, then refuses it", async () => {
    const key = await newSystemKey("rotated over the Native API");
    const before = Date.now();
    const regenerated = await native("ApiKeys_CreateOrUpdateApiKey", admin, { ApiKey_Id: key.id, Regenerate_Indicator: true, KeepOldValue_Hours: 24 });
    expect(regenerated.status, JSON.stringify(regenerated.body)).toBe(200);
    const fresh = regenerated.body[0].Key_Text as string;
    expect(fresh).not.toBe(key.value);

    const [old] = await w.db.apiKeyOldSecret.findMany({ where: { keyId: key.id } });
    const until = old!.expiresAt;
    expect(until.getTime()).toBeGreaterThanOrEqual(before + 24 * HOUR);
    expect(until.getTime()).toBeLessThanOrEqual(Date.now() + 24 * HOUR);

    const oldUse = await native("Feeds_GetFeeds", key.value);
    expect(oldUse.status).toBe(200);
    expect(oldUse.warning).toBe(`This API key was replaced; the old value stops working on ${until.toISOString()}.`);
    const newUse = await native("Feeds_GetFeeds", fresh);
    expect(newUse.status).toBe(200);
    expect(newUse.warning).toBeNull();

    w.setClock(new Date(until.getTime() + 1));
    w.services.keys.invalidate();
    try {
      const refused = await native("Feeds_GetFeeds", key.value);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe(MESSAGES.invalidKey);
      expect((await native("Feeds_GetFeeds", fresh)).status).toBe(200);
    } finally {
      w.setClock(new Date());
    }
  });

  it("keeps it working with a new custom value too", async () => {
    const key = await newSystemKey("custom rotation");
    const custom = "native-rotation-custom-value-0001";
    const changed = await native("ApiKeys_CreateOrUpdateApiKey", admin, { ApiKey_Id: key.id, Key_Text: custom, KeepOldValue_Hours: "1" });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await native("Feeds_GetFeeds", key.value)).warning).toMatch(/^This API key was replaced; the old value stops working on /);
    expect((await native("Feeds_GetFeeds", custom)).status).toBe(200);
  });

  it("ends the old value at once without KeepOldValue_Hours, and with 0", async () => {
    for (const args of [{}, { KeepOldValue_Hours: 0 }]) {
      const key = await newSystemKey(`no overlap ${Object.keys(args).length}`);
      const regenerated = await native("ApiKeys_CreateOrUpdateApiKey", admin, { ApiKey_Id: key.id, Regenerate_Indicator: true, ...args });
      expect(regenerated.status, JSON.stringify(regenerated.body)).toBe(200);
      expect((await native("Feeds_GetFeeds", key.value)).status).toBe(403);
    }
  });

  const NOT_ALLOWED = 'Argument "KeepOldValue_Hours" must be 0, 1, 24 or 168.';
  const WITHOUT_NEW_VALUE =
    'Argument "KeepOldValue_Hours" applies only when an existing key gets a new value: give ApiKey_Id with Regenerate_Indicator=true (or a new Key_Text).';

  let refused = 0;
  it.each([
    [{ Regenerate_Indicator: true, KeepOldValue_Hours: 2 }, NOT_ALLOWED],
    [{ Regenerate_Indicator: true, KeepOldValue_Hours: -1 }, NOT_ALLOWED],
    [{ Regenerate_Indicator: true, KeepOldValue_Hours: 169 }, NOT_ALLOWED],
    [{ Regenerate_Indicator: true, KeepOldValue_Hours: "a day" }, 'Argument "KeepOldValue_Hours" must be a whole number.'],
    [{ KeepOldValue_Hours: 24 }, WITHOUT_NEW_VALUE],
    [{ Regenerate_Indicator: false, KeepOldValue_Hours: 24 }, WITHOUT_NEW_VALUE],
  ])("answers 400 for %j and leaves the key as it was", async (args, message) => {
    const key = await newSystemKey(`refused ${++refused}`);
    const r = await native("ApiKeys_CreateOrUpdateApiKey", admin, { ApiKey_Id: key.id, ...args });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: message });
    const use = await native("Feeds_GetFeeds", key.value);
    expect(use.status).toBe(200);
    expect(use.warning).toBeNull();
  });

  it("answers 400 when creating a key, which has no old value", async () => {
    const before = await w.db.apiKey.count();
    const r = await native("ApiKeys_CreateOrUpdateApiKey", admin, { Systems_Apis_Csv: "native", KeepOldValue_Hours: 24 });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: WITHOUT_NEW_VALUE });
    expect(await w.db.apiKey.count()).toBe(before);
  });
});
