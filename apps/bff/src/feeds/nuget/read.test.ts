import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNupkg } from "../formats/nuget.fixtures.ts";
import { createNuGetWorld, errorOf, type NuGetWorld } from "./testing.ts";

let w: NuGetWorld;
let key: string;
const core100 = buildNupkg({
  id: "Contoso.Core",
  version: "1.0.0",
  title: "Contoso Core",
  description: "The heart of Contoso",
  tags: "contoso core",
  dependencies: [
    { id: "Newtonsoft.Json", range: "[13.0.1, )", targetFramework: "net8.0" },
    { id: "Contoso.Abstractions", targetFramework: "net8.0" },
  ],
});
beforeAll(async () => {
  w = await createNuGetWorld();
  key = await w.key({ scopes: ["push", "update", "unlist"] });
  expect((await w.push(key, core100)).status).toBe(201);
  for (const version of ["1.10.0", "1.2.0", "2.0.0-rc.1"]) expect((await w.push(key, { id: "Contoso.Core", version })).status).toBe(201);
  expect((await w.push(key, { id: "Contoso.Web", version: "3.0.0", description: "Web bits" })).status).toBe(201);
  expect((await w.push(key, { id: "Contoso.Preview", version: "0.1.0-alpha" })).status).toBe(201);
  expect((await w.push(key, { id: "Fabrikam.Logging", version: "1.0.0", description: "Logs for contoso apps" })).status).toBe(201);
});
afterAll(() => w.close());

const json = async <T>(res: Response): Promise<T> => {
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

/** A file taken from a package is saved by a browser, never rendered as a page of this origin. */
function expectNotRenderable(res: Response, fileName: string) {
  expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${fileName}"`);
  expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
}

describe("the flat container", () => {
  it("lists every version, normalized, lower-case and in NuGet order", async () => {
    const body = await json<{ versions: string[] }>(await w.get("/nuget/main/v3-flatcontainer/contoso.core/index.json", key));
    expect(body.versions).toEqual(["1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1"]);
  });

  it("serves the .nupkg byte for byte, and its .nuspec", async () => {
    const res = await w.get("/nuget/main/v3-flatcontainer/contoso.core/1.0.0/contoso.core.1.0.0.nupkg", key);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(core100);
    const nuspec = await w.get("/nuget/main/v3-flatcontainer/contoso.core/1.0.0/contoso.core.nuspec", key);
    expect(nuspec.status).toBe(200);
    expect(nuspec.headers.get("content-type")).toMatch(/xml/);
    expect(await nuspec.text()).toContain("<id>Contoso.Core</id>");
  });

  it("serves the .nuspec and .nupkg as sandboxed attachments, so a pushed file cannot run as a page", async () => {
    const base = "/nuget/main/v3-flatcontainer/contoso.core/1.0.0";
    expectNotRenderable(await w.get(`${base}/contoso.core.nuspec`, key), "contoso.core.nuspec");
    expectNotRenderable(await w.get(`${base}/contoso.core.1.0.0.nuspec`, key), "contoso.core.nuspec");
    expectNotRenderable(await w.get(`${base}/contoso.core.1.0.0.nupkg`, key), "contoso.core.1.0.0.nupkg");
  });

  it.each([
    ["an unknown package", "/v3-flatcontainer/nope/index.json", 404, 'Package "nope" was not found in feed "main".'],
    [
      "an unknown version",
      "/v3-flatcontainer/contoso.core/9.9.9/contoso.core.9.9.9.nupkg",
      404,
      'Version 9.9.9 of package "Contoso.Core" was not found in feed "main".',
    ],
    ["a file name that does not match", "/v3-flatcontainer/contoso.core/1.0.0/other.1.0.0.nupkg", 404, /There is no file "other\.1\.0\.0\.nupkg" here/],
    ["a version that is no version", "/v3-flatcontainer/contoso.core/x.y/contoso.core.x.y.nupkg", 400, '"x.y" is not a valid NuGet version.'],
  ])("answers %s clearly", async (_what, at, status, message) => {
    const res = await w.get(`/nuget/main${at}`, key);
    expect(res.status).toBe(status);
    if (typeof message === "string") expect(await errorOf(res)).toBe(message);
    else expect(await errorOf(res)).toMatch(message);
  });

  it("needs a key that may read the package", async () => {
    expect((await w.get("/nuget/main/v3-flatcontainer/contoso.core/index.json", null)).status).toBe(401);
    const other = await w.key({ packages: ["Contoso.Web"] });
    const res = await w.get("/nuget/main/v3-flatcontainer/contoso.core/index.json", other);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe('This API key is not allowed for package "contoso.core".');
  });
});

type Registration = {
  count: number;
  items: { count: number; lower: string; upper: string; items: { catalogEntry: Record<string, unknown>; packageContent: string }[] }[];
};

describe("registrations", () => {
  it("inlines every version with the metadata a client restores from", async () => {
    const reg = await json<Registration>(await w.get("/nuget/main/v3/registration/contoso.core/index.json", key));
    expect(reg.count).toBe(1);
    const page = reg.items[0]!;
    expect(page).toMatchObject({ count: 4, lower: "1.0.0", upper: "2.0.0-rc.1" });
    const first = page.items[0]!;
    const base = `${w.server.url}/nuget/main`;
    expect(first.packageContent).toBe(`${base}/v3-flatcontainer/contoso.core/1.0.0/contoso.core.1.0.0.nupkg`);
    expect(first.catalogEntry).toMatchObject({
      id: "Contoso.Core",
      version: "1.0.0",
      listed: true,
      title: "Contoso Core",
      description: "The heart of Contoso",
      tags: ["contoso", "core"],
      packageContent: first.packageContent,
      dependencyGroups: [
        {
          targetFramework: "net8.0",
          dependencies: [
            { id: "Newtonsoft.Json", range: "[13.0.1, )" },
            { id: "Contoso.Abstractions", range: "(, )" },
          ],
        },
      ],
    });
    // The package URL it names is one the flat container serves.
    expect((await fetch(first.packageContent, { headers: { "x-nuget-apikey": key } })).status).toBe(200);
  });

  it("serves the leaf each item points at", async () => {
    const leaf = await json<{ listed: boolean; catalogEntry: { version: string } }>(
      await w.get("/nuget/main/v3/registration/contoso.core/2.0.0-rc.1.json", key),
    );
    expect(leaf).toMatchObject({ listed: true, catalogEntry: { version: "2.0.0-rc.1" } });
  });

  it("answers 404 for an unknown id", async () => {
    const res = await w.get("/nuget/main/v3/registration/nope/index.json", key);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toBe('Package "nope" was not found in feed "main".');
  });
});

type Search = { totalHits: number; data: { id: string; version: string; versions: { version: string }[] }[] };
const search = async (query: string, apiKey = key) => json<Search>(await w.get(`/nuget/main/v3/search?${query}`, apiKey));

describe("search", () => {
  it("finds packages by id, title, description or tags, exact id first", async () => {
    expect((await search("q=contoso")).data.map((d) => d.id)).toEqual(["Contoso.Core", "Contoso.Web", "Fabrikam.Logging"]);
    expect((await search("q=fabrikam.logging")).data.map((d) => d.id)).toEqual(["Fabrikam.Logging"]);
    expect((await search("q=packageid:contoso.web")).data.map((d) => d.id)).toEqual(["Contoso.Web"]);
    expect((await search("q=description:bits")).data.map((d) => d.id)).toEqual(["Contoso.Web"]);
    // Metadata comes from the latest version, as on nuget.org: 1.10.0 has no such words.
    expect((await search("q=heart")).data).toEqual([]);
  });

  it("leaves prereleases out unless asked for them", async () => {
    const stable = await search("q=contoso.core");
    expect(stable.data[0]).toMatchObject({ id: "Contoso.Core", version: "1.10.0" });
    expect(stable.data[0]!.versions.map((v) => v.version)).toEqual(["1.0.0", "1.2.0", "1.10.0"]);
    const pre = await search("q=contoso&prerelease=true");
    expect(pre.data.map((d) => d.id)).toContain("Contoso.Preview");
    expect(pre.data.find((d) => d.id === "Contoso.Core")!.version).toBe("2.0.0-rc.1");
  });

  it("pages with skip and take", async () => {
    const all = await search("q=&prerelease=true");
    expect(all.totalHits).toBe(4);
    const page = await search("q=&prerelease=true&skip=1&take=2");
    expect(page.totalHits).toBe(4);
    expect(page.data.map((d) => d.id)).toEqual(all.data.slice(1, 3).map((d) => d.id));
  });

  it("refuses skip or take that are not whole numbers", async () => {
    const res = await w.get("/nuget/main/v3/search?take=-1", key);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('The take parameter must be a whole number of 0 or more; "-1" is not.');
  });

  it("shows a key limited to some packages only those", async () => {
    const limited = await w.key({ packages: ["Contoso.Web"], globs: ["fabrikam.*"] });
    expect((await search("q=&prerelease=true", limited)).data.map((d) => d.id)).toEqual(["Contoso.Web", "Fabrikam.Logging"]);
    const legacy = await w.legacyKey();
    expect((await search("q=&prerelease=true", legacy)).totalHits).toBe(4);
  });

  it("counts packages chosen on another feed for nothing here", async () => {
    const elsewhere = await w.key({ packages: ["other/Contoso.Web", "main/Fabrikam.Logging"] });
    expect((await search("q=&prerelease=true", elsewhere)).data.map((d) => d.id)).toEqual(["Fabrikam.Logging"]);
  });
});

describe("odd requests", () => {
  it.each([
    "/nuget/main/v3-flatcontainer/%E0%A4%A/index.json",
    `/nuget/main/v3-flatcontainer/${"a".repeat(5000)}/index.json`,
    "/nuget/main/v3-flatcontainer/contoso.core/1.0.0/..%2F..%2Fetc%2Fpasswd",
    "/nuget/main/v3-flatcontainer/..%2F..%2F/1.0.0/x.nupkg",
    "/nuget/main/v3/registration/contoso.core/%00.json",
    "/nuget/main/v3/search?q=%00%FF&take=99999999999",
    "/nuget/main/v3/search?q[a]=1&skip[]=2",
    "/nuget/main/v3/search?take=1e3",
    "/nuget/%2E%2E/v3/index.json",
  ])("answers %s with a 4xx or an empty result, never a 5xx", async (at) => {
    const res = await w.get(at, key);
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expect(await errorOf(res)).not.toBe("");
  });
});
