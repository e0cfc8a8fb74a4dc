import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNuGetWorld, DAY, errorOf, type NuGetWorld } from "./testing.ts";
import { mistypedKeyValue } from "../../test/keys.ts";

let w: NuGetWorld;
beforeAll(async () => {
  w = await createNuGetWorld();
  const alicePush = await w.key({ scopes: ["push"] });
  expect((await w.push(alicePush, { id: "Contoso.Core", version: "1.0.0" })).status).toBe(201);
});
afterAll(() => w.close());

type Case = [string, () => Promise<string | null>, string, number, string];

describe("who may push to the NuGet feed (docs/authorization.md)", () => {
  const cases: Case[] = [
    ["no key", async () => null, "Contoso.New1", 401, "This request needs an API key. Present it in the X-NuGet-ApiKey header."],
    ["a wrong key", async () => mistypedKeyValue(), "Contoso.New1", 403, MESSAGES.invalidKey],
    ["an unknown legacy-format key", async () => "7d9c7a4e-0000-4000-8000-000000000000", "Contoso.New1", 403, MESSAGES.invalidKey],
    ["an expired key", () => w.key({ expiresAt: new Date(Date.now() - DAY) }), "Contoso.New1", 403, MESSAGES.invalidKey],
    ["a revoked key", () => w.key({ revokedAt: new Date(Date.now() - 1000) }), "Contoso.New1", 403, MESSAGES.invalidKey],
    [
      "an update-only key pushing a new id",
      () => w.key({ scopes: ["update"] }),
      "Contoso.New1",
      403,
      'This API key does not have the "push" scope, which is needed to push a new package ID.',
    ],
    [
      "an unlist-only key pushing a new version",
      () => w.key({ scopes: ["unlist"] }),
      "Contoso.Core",
      403,
      'This API key cannot push packages: it needs the "push" or "update" scope.',
    ],
    ["a key for another package", () => w.key({ packages: ["Contoso.Core"] }), "Contoso.New1", 403, 'This API key is not allowed for package "Contoso.New1".'],
    [
      "a key restricted to another feed",
      () => w.key({ feeds: ["other"] }),
      "Contoso.New1",
      403,
      'This API key is restricted to other feeds and cannot be used on feed "main".',
    ],
    ["a key without the feeds API", () => w.key({ apis: ["native"] }), "Contoso.New1", 403, "This API key cannot call the feeds API."],
    [
      "a user without the add privilege",
      () => w.key({ ownerId: w.users.viewer.id }),
      "Contoso.New1",
      403,
      'User "viewer" does not have the "add" privilege on feed "main".',
    ],
    ["someone else's package", () => w.key({ ownerId: w.users.bob.id }), "Contoso.Core", 403, 'User "bob" is not an owner of package "Contoso.Core".'],
  ];

  it.each(cases)("refuses %s", async (_what, makeKey, id, status, message) => {
    const res = await w.push(await makeKey(), { id, version: "9.0.0" });
    expect(res.status).toBe(status);
    expect(await errorOf(res)).toBe(message);
    // nuget.exe shows only the reason phrase, so it carries the message too.
    expect(res.statusText).toBe(message);
  });

  it("allows an update-only key to push a new version of a package its user owns", async () => {
    expect((await w.push(await w.key({ scopes: ["update"] }), { id: "Contoso.Core", version: "1.1.0" })).status).toBe(201);
  });

  it("allows a legacy key, acting as its owner", async () => {
    const res = await w.push(await w.legacyKey(w.users.bob.id), { id: "Fabrikam.Logging", version: "1.0.0" });
    expect(res.status).toBe(201);
    const pkg = await w.db.package.findFirstOrThrow({ where: { nameLower: "fabrikam.logging" }, include: { owners: true } });
    expect(pkg.owners.map((o) => o.userId)).toEqual([w.users.bob.id]);
  });

  it("allows a system key with no user (the API key user), which makes no owner", async () => {
    const system = await w.key({ kind: "system", ownerId: null, expiresAt: null });
    expect((await w.push(system, { id: "Build.Tools", version: "1.0.0" })).status).toBe(201);
  });

  it("records which key and user pushed", async () => {
    const v = await w.db.packageVersion.findFirstOrThrow({ where: { versionLower: "1.1.0", package: { nameLower: "contoso.core" } } });
    expect(v.pushedById).toBe(w.users.alice.id);
    expect(v.pushedWithKeyId).not.toBeNull();
  });

  it("warns with X-NuGet-Warning when the key expires within 10 days", async () => {
    const soon = await w.key({ scopes: ["push", "update"], expiresAt: new Date(Date.now() + 5 * DAY - 60_000) });
    const res = await w.push(soon, { id: "Contoso.Core", version: "1.2.0" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-nuget-warning")).toMatch(/^This API key expires in 5 days, on \d{4}-\d\d-\d\d\. Create a new key before then\.$/);
    expect((await w.get("/nuget/main/v3/index.json", soon)).headers.get("x-nuget-warning")).toMatch(/expires in 5 days/);
    const fresh = await w.push(await w.key({ scopes: ["update"] }), { id: "Contoso.Core", version: "1.3.0" });
    expect(fresh.headers.get("x-nuget-warning")).toBeNull();
  });
});
