// ApiKeys_GetUsage and GET /api/api-keys/usage (docs/advisor.md, docs/api.md): the same
// answer on both APIs, owner-scoped like the other key methods (another owner's key answers
// as if it did not exist), and a bad id is a 400 that names it. Real server and database.
import { keyUsageAdviceSchema } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiWorld, type ApiWorld } from "./test-world.ts";

let w: ApiWorld;
beforeAll(async () => {
  w = await createApiWorld();
});
afterAll(() => w.close());

const management = (key: string, query: string) => call(w.server.url, `/api/api-keys/usage${query}`, { key });
const native = (key: string, body: unknown) => call(w.server.url, "/api/json/ApiKeys_GetUsage", { key, json: body });

describe("a key's usage on the APIs", () => {
  it("answers the same on the management and Native APIs, with what the key used", async () => {
    const id = w.keys.aliceScoped.key.id;
    // One feed read with alice's scoped key first, written with its batch.
    expect((await fetch(`${w.server.url}/nuget/nuget/v3/index.json`, { headers: { "X-NuGet-ApiKey": w.keys.aliceScoped.value } })).status).toBe(200);
    await w.server.services.accessLog.drain();

    const m = await management(w.keys.aliceKeysApi.value, `?id=${id}`);
    expect(m.status).toBe(200);
    const advice = keyUsageAdviceSchema.parse(m.body);
    expect(advice.usage.surfaces.map((s) => s.value)).toEqual(["feeds"]);
    expect(advice.usage.feeds.map((s) => s.value)).toEqual(["nuget"]);
    expect(advice.usage.requests).toBeGreaterThanOrEqual(1);

    const n = await native(w.keys.asAlice.value, { ApiKey_Id: id });
    expect(n.status).toBe(200);
    expect(n.body).toHaveLength(1);
    expect(n.body[0]).toEqual(advice);
  });

  it("answers another owner's key as if it did not exist", async () => {
    const bobs = w.keys.bobScoped.key.id;
    const missing = 987_654;
    for (const id of [bobs, missing]) {
      expect(await management(w.keys.aliceKeysApi.value, `?id=${id}`)).toMatchObject({ status: 404, body: { error: `No API key with ID ${id} was found.` } });
      expect(await native(w.keys.asAlice.value, { ApiKey_Id: id })).toMatchObject({ status: 404, body: { error: `No API key with ID ${id} was found.` } });
    }
  });

  it("refuses a missing or malformed id with a 400", async () => {
    const missing = await management(w.keys.aliceKeysApi.value, "");
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/id/);
    const bad = await native(w.keys.asAlice.value, { ApiKey_Id: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/ApiKey_Id/);
  });
});
