// NuGet and RubyGems through the real feeds with STORAGE_URL=database: pushes land in
// chunk rows, downloads (the .nupkg, its .nuspec read from a streamed copy, the .gem) give
// the exact bytes, and a .nupkg whose file is gone answers 503 with the message (it was a
// 500 "Tell an administrator" before).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGem } from "../formats/gem.fixtures.ts";
import { buildNupkg } from "../formats/nuget.fixtures.ts";
import { createNuGetWorld, errorOf, type NuGetWorld } from "../nuget/testing.ts";
import { startGemFeed, type GemFeed } from "../rubygems/rubygems.fixtures.ts";
import { UNAVAILABLE_MESSAGE } from "./types.ts";

describe("NuGet with STORAGE_URL=database", () => {
  let w: NuGetWorld;
  beforeAll(async () => {
    w = await createNuGetWorld({ storage: { kind: "database" } });
  });
  afterAll(() => w?.close());

  it("serves the pushed .nupkg byte for byte, and its .nuspec", async () => {
    const key = await w.key({ scopes: ["push"] });
    const nupkg = buildNupkg({ id: "Db.Stored", version: "1.2.3" });
    expect((await w.push(key, nupkg)).status).toBe(201);
    const res = await w.get("/nuget/main/v3-flatcontainer/db.stored/1.2.3/db.stored.1.2.3.nupkg", key);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(nupkg));
    const nuspec = await w.get("/nuget/main/v3-flatcontainer/db.stored/1.2.3/db.stored.nuspec", key);
    expect(nuspec.status).toBe(200);
    expect(await nuspec.text()).toContain("<id>Db.Stored</id>");
  });

  it("answers 503 with the message when the file is gone, for the .nupkg and the .nuspec", async () => {
    const key = await w.key({ scopes: ["push"] });
    expect((await w.push(key, { id: "Db.Gone", version: "1.0.0" })).status).toBe(201);
    await w.db.packageFileChunk.deleteMany({});
    await w.db.packageFile.deleteMany({});
    for (const file of ["db.gone.1.0.0.nupkg", "db.gone.nuspec"]) {
      const res = await w.get(`/nuget/main/v3-flatcontainer/db.gone/1.0.0/${file}`, key);
      expect(res.status).toBe(503);
      expect(await errorOf(res)).toBe(UNAVAILABLE_MESSAGE);
    }
  });
});

describe("RubyGems with STORAGE_URL=database", () => {
  let g: GemFeed;
  beforeAll(async () => {
    g = await startGemFeed({ storage: { kind: "database" } });
  });
  afterAll(() => g?.close());

  it("serves the pushed .gem byte for byte", async () => {
    const key = await g.key();
    const gem = Buffer.from(buildGem({ name: "dbgem", version: "0.1.0" }));
    expect(
      (await fetch(`${g.url}/api/v1/gems`, { method: "POST", headers: { authorization: key, "content-type": "application/octet-stream" }, body: gem })).status,
    ).toBe(200);
    expect(g.storedFiles("dbgem")).toEqual([]);
    const res = await fetch(`${g.url}/gems/dbgem-0.1.0.gem`, { headers: { authorization: key } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(gem);
  });
});
