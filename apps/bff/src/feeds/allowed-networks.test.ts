import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { TEST_SECRET } from "../test/server.ts";
import { createNpmWorld, errorOf, npmHttp, type NpmWorld } from "./npm/test-world.ts";

// docs/authorization.md, "Allowed networks": the step right after "revoked or expired",
// given the address the gate computes (http/client-ip.ts), on the feeds and the Native API.

let w: NpmWorld;
let proxied: NpmWorld;

async function restrictedKey(world: NpmWorld, networks: string[], over: Parameters<typeof createApiKey>[2] = {}) {
  const { key, value } = await createApiKey(world.db, TEST_SECRET, { ownerId: world.users.alice.id, scopes: ["push", "update", "unlist"], ...over });
  await world.db.apiKey.update({ where: { id: key.id }, data: { allowedNetworks: JSON.stringify(networks) } });
  return { id: key.id, value };
}

beforeAll(async () => {
  w = await createNpmWorld();
  // Behind one trusted proxy: the address is the last X-Forwarded-For entry.
  proxied = await createNpmWorld({ trustProxy: 1 });
});
afterAll(async () => {
  await w?.close();
  await proxied?.close();
});

describe("allowed networks", () => {
  it("refuses a key from outside its networks with a 403 naming the address, and logs the refusal", async () => {
    const key = await restrictedKey(w, ["198.51.100.0/24", "2001:db8::/32"]);
    const res = await npmHttp(w).get("nothing-here", { key: key.value });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe("This API key cannot be used from 127.0.0.1.");
    await w.server.services.accessLog.flush();
    const entry = await w.db.accessLogEntry.findFirst({ where: { keyId: key.id } });
    expect(entry?.status).toBe(403);
  });

  it("allows the key from inside one of them (IPv4 written as IPv4-mapped IPv6 too)", async () => {
    for (const networks of [["198.51.100.0/24", "127.0.0.0/8"], ["::ffff:127.0.0.1/128"]]) {
      const key = await restrictedKey(w, networks);
      expect((await npmHttp(w).get("nothing-here", { key: key.value })).status, networks.join()).toBe(404);
    }
  });

  it("applies to the Native API", async () => {
    const key = await restrictedKey(w, ["198.51.100.0/24"], { apis: ["native"] });
    const res = await fetch(`${w.server.url}/api/json/Feeds_GetFeeds`, {
      method: "POST",
      headers: { "x-apikey": key.value, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("This API key cannot be used from 127.0.0.1.");
  });

  it("uses the address a trusted proxy reports", async () => {
    const key = await restrictedKey(proxied, ["198.51.100.0/24"]);
    const from = (xff: string) => npmHttp(proxied).get("nothing-here", { key: key.value, headers: { "x-forwarded-for": xff } });
    expect((await from("198.51.100.7")).status).toBe(404);
    const outside = await from("198.51.100.7, 203.0.113.9");
    expect(outside.status).toBe(403);
    expect(await errorOf(outside)).toBe("This API key cannot be used from 203.0.113.9.");
  });

  it("is set through the management API (ApiKeyInfo.allowedNetworks) and the Native API (AllowedNetworks_Csv), with a 400 naming a bad network", async () => {
    const admin = (await createApiKey(w.db, TEST_SECRET, { kind: "system", ownerId: null, apis: ["native"] })).value;
    const post = (path: string, body: unknown) =>
      fetch(`${w.server.url}/api/${path}`, { method: "POST", headers: { "x-apikey": admin, "content-type": "application/json" }, body: JSON.stringify(body) });

    const bad = await post("api-keys/create", { type: "system", systemApis: ["feeds"], description: "CI", allowedNetworks: ["10.0.0.0/8", "198.51.100.7/33"] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('"allowedNetworks": 198.51.100.7/33 is not a network');

    const made = await post("api-keys/create", { type: "system", systemApis: ["feeds"], description: "CI", allowedNetworks: ["198.51.100.0/24"] });
    expect(made.status).toBe(200);
    const info = (await made.json()) as { id: number; key: string; allowedNetworks: string[] };
    expect(info.allowedNetworks).toEqual(["198.51.100.0/24"]);
    expect((await npmHttp(w).get("nothing-here", { key: info.key })).status).toBe(403);

    // Native: widen it to loopback; the key works at once on this instance.
    const changed = await post("json/ApiKeys_CreateOrUpdateApiKey", { ApiKey_Id: info.id, AllowedNetworks_Csv: "198.51.100.0/24,127.0.0.1/32" });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { AllowedNetworks_Csv: string }[])[0]?.AllowedNetworks_Csv).toBe("198.51.100.0/24,127.0.0.1/32");
    expect((await npmHttp(w).get("nothing-here", { key: info.key })).status).toBe(404);

    const badNative = await post("json/ApiKeys_CreateOrUpdateApiKey", { ApiKey_Id: info.id, AllowedNetworks_Csv: "2001:db8::/129" });
    expect(badNative.status).toBe(400);
    expect(((await badNative.json()) as { error: string }).error).toBe('Argument "AllowedNetworks_Csv": 2001:db8::/129 is not a network');
  });
});
