import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNuGetWorld, errorOf, type NuGetWorld } from "./testing.ts";

let w: NuGetWorld;
let key: string;
beforeAll(async () => {
  w = await createNuGetWorld();
  key = await w.key({ scopes: ["push", "update", "unlist"] });
  for (const version of ["1.0.0", "1.1.0"]) expect((await w.push(key, { id: "Contoso.Core", version })).status).toBe(201);
});
afterAll(() => w.close());

const listed = async (versionLower: string) =>
  (await w.db.packageVersion.findFirstOrThrow({ where: { versionLower, package: { nameLower: "contoso.core" } } })).listed;
const searchIds = async () =>
  ((await (await w.get("/nuget/main/v3/search?q=contoso.core", key)).json()) as { data: { versions: { version: string }[] }[] }).data[0]?.versions.map(
    (v) => v.version,
  );

describe("unlisting and relisting", () => {
  it("unlists with DELETE: gone from search, still in the flat container, marked in registrations", async () => {
    const res = await w.send("DELETE", "/nuget/main/api/v2/package/contoso.core/1.0.0", key);
    expect(res.status).toBe(204);
    expect(await listed("1.0.0")).toBe(false);
    expect(await searchIds()).toEqual(["1.1.0"]);
    const flat = (await (await w.get("/nuget/main/v3-flatcontainer/contoso.core/index.json", key)).json()) as { versions: string[] };
    expect(flat.versions).toEqual(["1.0.0", "1.1.0"]);
    const reg = (await (await w.get("/nuget/main/v3/registration/contoso.core/index.json", key)).json()) as {
      items: { items: { catalogEntry: { version: string; listed: boolean; published: string } }[] }[];
    };
    expect(reg.items[0]!.items[0]!.catalogEntry).toMatchObject({ version: "1.0.0", listed: false, published: "1900-01-01T00:00:00+00:00" });
    expect((await w.get("/nuget/main/v3-flatcontainer/contoso.core/1.0.0/contoso.core.1.0.0.nupkg", key)).status).toBe(200);
  });

  it("relists with POST", async () => {
    expect((await w.send("POST", "/nuget/main/api/v2/package/Contoso.Core/1.0", key)).status).toBe(204);
    expect(await listed("1.0.0")).toBe(true);
    expect(await searchIds()).toEqual(["1.0.0", "1.1.0"]);
  });

  it("unlists with DELETE on the feed root, as nuget.exe 2.x sends it", async () => {
    expect((await w.send("DELETE", "/nuget/main/Contoso.Core/1.1.0", key)).status).toBe(204);
    expect(await listed("1.1.0")).toBe(false);
  });

  it.each([
    ["an unknown package", "/nuget/main/api/v2/package/Nope/1.0.0", 404, 'Package "Nope" was not found in feed "main".'],
    ["an unknown version", "/nuget/main/api/v2/package/Contoso.Core/7.0.0", 404, 'Version 7.0.0 of package "Contoso.Core" was not found in feed "main".'],
    ["a version that is no version", "/nuget/main/api/v2/package/Contoso.Core/latest", 400, '"latest" is not a valid NuGet version.'],
  ])("answers %s clearly", async (_what, at, status, message) => {
    const res = await w.send("DELETE", at, key);
    expect(res.status).toBe(status);
    expect(await errorOf(res)).toBe(message);
    expect(res.statusText).toBe(message);
  });

  it("needs the unlist scope, and ownership", async () => {
    const pushOnly = await w.key({ scopes: ["push"] });
    const noScope = await w.send("DELETE", "/nuget/main/api/v2/package/Contoso.Core/1.0.0", pushOnly);
    expect(noScope.status).toBe(403);
    expect(await errorOf(noScope)).toBe('This API key does not have the "unlist" scope.');
    const bobs = await w.key({ ownerId: w.users.bob.id, scopes: ["unlist"] });
    const notOwner = await w.send("DELETE", "/nuget/main/api/v2/package/Contoso.Core/1.0.0", bobs);
    expect(notOwner.status).toBe(403);
    expect(await errorOf(notOwner)).toBe('User "bob" is not an owner of package "Contoso.Core".');
    expect(await listed("1.0.0")).toBe(true);
  });

  it("does not tell a caller without a key whether a package exists", async () => {
    const res = await w.send("DELETE", "/nuget/main/api/v2/package/Nope/1.0.0", null);
    expect(res.status).toBe(401);
  });
});
