// The v2 OData feed over HTTP, on the database the project runs against: every endpoint,
// what a key may see, paging, and the 400s for queries it does not understand.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNupkg } from "../../formats/nuget.fixtures.ts";
import { createNuGetWorld, errorOf, type NuGetWorld } from "../testing.ts";

let w: NuGetWorld;
let key: string;
let v2: string;
const unlistedBytes = buildNupkg({ id: "Contoso.Core", version: "0.9.0" });

beforeAll(async () => {
  w = await createNuGetWorld();
  key = await w.key({ scopes: ["push", "update", "unlist"] });
  v2 = `${w.server.url}/nuget/main/api/v2/`;
  const core = { id: "Contoso.Core", title: "Contoso Core", description: "The heart of Contoso", tags: "contoso core", authors: "Contoso Ltd" };
  const pushes = [
    buildNupkg({
      ...core,
      version: "1.0.0",
      dependencies: [{ id: "Newtonsoft.Json", range: "[13.0.1, )", targetFramework: "net8.0" }, { id: "Contoso.Abstractions" }],
    }),
    buildNupkg({ ...core, version: "1.10.0" }),
    buildNupkg({ ...core, version: "1.9.0" }),
    buildNupkg({ ...core, version: "2.0.0-beta" }),
    unlistedBytes,
    buildNupkg({ id: "Contoso.Web", version: "3.0.0", description: "Web bits" }),
    buildNupkg({ id: "Contoso.Next", version: "1.0.0-rc.1", description: "SemVer 2.0.0 only" }),
    buildNupkg({ id: "Secret.Tool", version: "1.0.0", description: "Not for everyone" }),
  ];
  for (const p of pushes) expect((await w.push(key, p)).status).toBe(201);
  for (let i = 0; i < 105; i++) expect((await w.push(key, { id: `Paging.P${String(i).padStart(3, "0")}`, version: "1.0.0" })).status).toBe(201);
  expect((await w.send("DELETE", "/nuget/main/api/v2/package/Contoso.Core/0.9.0", key)).status).toBe(204);
}, 120_000);
afterAll(() => w.close());

type Entry = Record<string, string> & { src: string; title: string };

/** The entries of an Atom feed (or the one entry), their m:properties by name. */
function entries(xml: string): Entry[] {
  return [...xml.matchAll(/<entry[\s>][\s\S]*?<\/entry>/g)].map(([e]) => {
    const props: Record<string, string> = {};
    for (const m of e.matchAll(/<d:(\w+)(?: [^>]*?)?(?:\/>|>([\s\S]*?)<\/d:\1>)/g)) props[m[1]!] = m[2] ?? "";
    return { ...props, src: /<content [^>]*src="([^"]+)"/.exec(e)![1]!.replace(/&amp;/g, "&"), title: /<title type="text">([^<]*)</.exec(e)![1]! };
  });
}
const nextLink = (xml: string) => /<link rel="next" href="([^"]+)"/.exec(xml)?.[1]?.replace(/&amp;/g, "&");

async function atom(path: string, apiKey: string | null = key) {
  const res = await fetch(path.startsWith("http") ? path : v2 + path, { headers: apiKey ? { "x-nuget-apikey": apiKey } : {} });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { res, text, entries: entries(text) };
}
const ids = (es: Entry[]) => es.map((e) => `${e.Id} ${e.Version}`);

describe("the v2 service document and $metadata", () => {
  it("answers the service document at api/v2/ and api/v2, naming the Packages collection", async () => {
    for (const url of [v2, v2.slice(0, -1)]) {
      const { res, text } = await atom(url);
      expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      expect(text).toContain(`xml:base="${v2}"`);
      expect(text).toContain('<collection href="Packages">');
    }
  });

  it("describes V2FeedPackage and the function imports", async () => {
    const { text } = await atom("$metadata");
    expect(text).toContain('<EntityType Name="V2FeedPackage" m:HasStream="true">');
    for (const p of ["Id", "Version", "NormalizedVersion", "IsLatestVersion", "IsAbsoluteLatestVersion", "Listed", "Published", "PackageHash", "Dependencies"])
      expect(text).toContain(`<Property Name="${p}"`);
    for (const f of ["Search", "FindPackagesById", "GetUpdates"]) expect(text).toContain(`<FunctionImport Name="${f}"`);
  });

  it("asks for a key with a Basic challenge, takes one by Basic user api, and needs none on an anonymous feed", async () => {
    const none = await fetch(v2);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Basic realm="Keyhouse"');
    const basic = await fetch(`${v2}Packages()?$top=1`, { headers: { authorization: `Basic ${Buffer.from(`api:${key}`).toString("base64")}` } });
    expect(basic.status).toBe(200);
    expect((await fetch(`${w.server.url}/nuget/open/api/v2/$metadata`)).status).toBe(200);
    expect((await fetch(`${w.server.url}/nuget/open/api/v2/Packages()`)).status).toBe(200);
  });
});

describe("Packages()", () => {
  it("lists the latest stable listed version of each id, as nuget list asks", async () => {
    const { res, entries: es } = await atom("Packages()?$filter=IsLatestVersion and not startswith(Id,'Paging.')&$orderby=Id");
    expect(res.headers.get("content-type")).toBe("application/atom+xml;type=feed;charset=utf-8");
    expect(ids(es)).toEqual(["Contoso.Core 1.10.0", "Contoso.Web 3.0.0", "Secret.Tool 1.0.0"]);
    const core = es[0]!;
    expect(core).toMatchObject({
      title: "Contoso.Core",
      Title: "Contoso Core",
      Description: "The heart of Contoso",
      Authors: "Contoso Ltd",
      IsLatestVersion: "true",
      IsAbsoluteLatestVersion: "false",
      IsPrerelease: "false",
      Listed: "true",
      PackageHashAlgorithm: "SHA512",
    });
    expect(core.src).toBe(`${v2}package/Contoso.Core/1.10.0`);
  });

  it("answers tolower(Id) eq, IsAbsoluteLatestVersion and $orderby=Version desc as the clients send them", async () => {
    const { entries: es } = await atom("Packages()?$filter=tolower(Id) eq 'contoso.core'&$orderby=Version desc");
    expect(ids(es)).toEqual(["Contoso.Core 2.0.0-beta", "Contoso.Core 1.10.0", "Contoso.Core 1.9.0", "Contoso.Core 1.0.0"]);
    const { entries: abs } = await atom("Packages?$filter=(Id eq 'Contoso.Core') and IsAbsoluteLatestVersion");
    expect(abs.map((e) => [e.Version, e.IsPrerelease, e.IsLatestVersion])).toEqual([["2.0.0-beta", "true", "false"]]);
    const { entries: sub } = await atom("Packages()?$filter=substringof('bits',Description) or indexof(tolower(Id),'secret') ne -1&$select=Id,Version");
    expect(ids(sub).sort()).toEqual(["Contoso.Web 3.0.0", "Secret.Tool 1.0.0"]);
    expect(Object.keys(sub[0]!).sort()).toEqual(["Id", "Version", "src", "title"]);
  });

  it("hides SemVer 2.0.0 versions from NuGet 2.x unless semVerLevel=2.0.0 asks for them", async () => {
    expect((await atom("Packages()?$filter=Id eq 'Contoso.Next'")).entries).toEqual([]);
    expect(ids((await atom("Packages()?$filter=Id eq 'Contoso.Next'&semVerLevel=2.0.0")).entries)).toEqual(["Contoso.Next 1.0.0-rc.1"]);
  });

  it("pages by 100 with a next link, counts with $inlinecount and /$count, and stops where $top says", async () => {
    const first = await atom("Packages()?$filter=startswith(Id,'Paging.')&$orderby=Id&$inlinecount=allpages");
    expect(first.entries).toHaveLength(100);
    expect(first.text).toContain("<m:count>105</m:count>");
    const next = nextLink(first.text)!;
    expect(next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/nuget\/main\/api\/v2\/Packages\(\)\?/);
    const second = await atom(next);
    expect(ids(second.entries)).toEqual(["P100", "P101", "P102", "P103", "P104"].map((p) => `Paging.${p} 1.0.0`));
    expect(nextLink(second.text)).toBeUndefined();
    const top = await atom("Packages()?$filter=startswith(Id,'Paging.')&$orderby=Id&$skip=10&$top=30");
    expect(top.entries).toHaveLength(30);
    expect(top.entries[0]!.Id).toBe("Paging.P010");
    expect(nextLink(top.text)).toBeUndefined();
    const big = await atom("Packages()?$filter=startswith(Id,'Paging.')&$orderby=Id&$top=150");
    expect(big.entries).toHaveLength(100);
    expect(new URL(nextLink(big.text)!).searchParams.get("$top")).toBe("50");
    const count = await fetch(`${v2}Packages()/$count?$filter=startswith(Id,'Paging.')`, { headers: { "x-nuget-apikey": key } });
    expect(await count.text()).toBe("105");
  });
});

describe("single packages and downloads", () => {
  it("answers an unlisted version by exact id and version, as restores of pinned versions need", async () => {
    const { res, entries: es } = await atom("Packages(Id='contoso.core',Version='0.9')");
    expect(res.headers.get("content-type")).toBe("application/atom+xml;type=entry;charset=utf-8");
    expect(es).toHaveLength(1);
    expect(es[0]).toMatchObject({ Id: "Contoso.Core", Version: "0.9.0", Listed: "false", Published: "1900-01-01T00:00:00", IsLatestVersion: "false" });
    expect(es[0]!.PackageHash).toBe(createHash("sha512").update(unlistedBytes).digest("base64"));
    expect(es[0]!.PackageSize).toBe(String(unlistedBytes.length));
    const download = await fetch(es[0]!.src, { headers: { "x-nuget-apikey": key } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(unlistedBytes))).toBe(true);
  });

  it("says which version is missing", async () => {
    const res = await fetch(`${v2}Packages(Id='Contoso.Core',Version='7.0.0')`, { headers: { "x-nuget-apikey": key } });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toBe('Version 7.0.0 of package "Contoso.Core" was not found in feed "main".');
    expect((await fetch(`${v2}package/Contoso.Core/7.0.0`, { headers: { "x-nuget-apikey": key } })).status).toBe(404);
  });

  it("gives dependencies in the v2 id:range:framework form", async () => {
    const { entries: es } = await atom("Packages(Id='Contoso.Core',Version='1.0.0')");
    expect(es[0]!.Dependencies).toBe("Newtonsoft.Json:[13.0.1, ):net8.0|Contoso.Abstractions::");
  });
});

describe("FindPackagesById(), Search() and GetUpdates()", () => {
  it("finds all of an id's versions, the unlisted one marked as nuget.org marks it", async () => {
    const { entries: es } = await atom("FindPackagesById()?id='contoso.core'");
    expect(es.map((e) => [e.Version, e.Listed, e.Published === "1900-01-01T00:00:00"])).toEqual([
      ["0.9.0", "false", true],
      ["1.0.0", "true", false],
      ["1.9.0", "true", false],
      ["1.10.0", "true", false],
      ["2.0.0-beta", "true", false],
    ]);
    const latest = await atom("FindPackagesById()?$filter=IsLatestVersion&$orderby=Version desc&$top=1&id='Contoso.Core'");
    expect(ids(latest.entries)).toEqual(["Contoso.Core 1.10.0"]);
  });

  it("searches listed packages, stable unless includePrerelease", async () => {
    const stable = await atom("Search()?$filter=IsLatestVersion&$orderby=Id&$skip=0&$top=30&searchTerm='contoso'&targetFramework=''&includePrerelease=false");
    expect(ids(stable.entries)).toEqual(["Contoso.Core 1.10.0", "Contoso.Web 3.0.0"]);
    const pre = await atom("Search()?$filter=IsAbsoluteLatestVersion&searchTerm='heart'&targetFramework='net45'&includePrerelease=true");
    expect(ids(pre.entries)).toEqual(["Contoso.Core 2.0.0-beta"]);
    const count = await fetch(`${v2}Search()/$count?searchTerm='contoso'&includePrerelease=false`, { headers: { "x-nuget-apikey": key } });
    expect(await count.text()).toBe("4");
  });

  it("answers newer listed versions, within constraints, all or the newest", async () => {
    const q = "GetUpdates()?packageIds='Contoso.Core|Contoso.Web'&versions='1.0.0|3.0.0'&targetFrameworks=''";
    expect(ids((await atom(`${q}&includePrerelease=false&includeAllVersions=false&versionConstraints='|'`)).entries)).toEqual(["Contoso.Core 1.10.0"]);
    expect(ids((await atom(`${q}&includePrerelease=false&includeAllVersions=true`)).entries)).toEqual(["Contoso.Core 1.9.0", "Contoso.Core 1.10.0"]);
    expect(ids((await atom(`${q}&includePrerelease=true&includeAllVersions=false`)).entries)).toEqual(["Contoso.Core 2.0.0-beta"]);
    expect(ids((await atom(`${q}&includePrerelease=false&includeAllVersions=false&versionConstraints='[1.0,1.10)|'`)).entries)).toEqual(["Contoso.Core 1.9.0"]);
  });
});

describe("request shapes of other v2 clients", () => {
  it.each([
    ["PowerShellGet's Find-Package by name", "FindPackagesById()?id='Contoso.Web'&$skip=0&$top=40", ["Contoso.Web 3.0.0"]],
    [
      "a tag search",
      "Search()?$filter=IsLatestVersion and substringof(' core ',Tags)&searchTerm=''&targetFramework=''&includePrerelease=false&$skip=0&$top=100",
      ["Contoso.Core 1.10.0"],
    ],
    [
      "Chocolatey's exact-id latest lookup",
      "Packages()?$filter=(tolower(Id) eq 'contoso.web') and IsLatestVersion&$orderby=Id&$skip=0&$top=30",
      ["Contoso.Web 3.0.0"],
    ],
    [
      "a download-count ordering",
      "Search()?$filter=IsLatestVersion&$orderby=DownloadCount desc,Id&searchTerm='contoso'&includePrerelease=false",
      ["Contoso.Core 1.10.0", "Contoso.Web 3.0.0"],
    ],
    ["an exact version as a filter", "Packages()?$filter=Id eq 'Contoso.Core' and NormalizedVersion eq '1.9.0'", ["Contoso.Core 1.9.0"]],
  ])("answers %s", async (_what, path, expected) => {
    expect(ids((await atom(path)).entries)).toEqual(expected);
  });

  it("points content at PUBLIC_URL when it is set, not at the address the request came to", async () => {
    const behindProxy = await createNuGetWorld({ publicUrl: "https://feeds.example.com" });
    try {
      const k = await behindProxy.key({ scopes: ["push"] });
      expect((await behindProxy.push(k, { id: "Contoso.Core", version: "1.0.0" })).status).toBe(201);
      const res = await behindProxy.get("/nuget/main/api/v2/Packages()", k);
      const text = await res.text();
      expect(text).toContain('xml:base="https://feeds.example.com/nuget/main/api/v2/"');
      expect(entries(text)[0]!.src).toBe("https://feeds.example.com/nuget/main/api/v2/package/Contoso.Core/1.0.0");
    } finally {
      await behindProxy.close();
    }
  });
});

describe("what a key may read", () => {
  it("shows a key restricted to packages only those, and refuses the others by name", async () => {
    const limited = await w.key({ globs: ["contoso.*"] });
    const { entries: es } = await atom("Packages()?$filter=IsLatestVersion and not startswith(Id,'Paging.')", limited);
    expect(ids(es).sort()).toEqual(["Contoso.Core 1.10.0", "Contoso.Web 3.0.0"]);
    expect(ids((await atom("Search()?searchTerm='everyone'", limited)).entries)).toEqual([]);
    for (const path of ["Packages(Id='Secret.Tool',Version='1.0.0')", "package/Secret.Tool/1.0.0", "FindPackagesById()?id='Secret.Tool'"]) {
      const res = await fetch(v2 + path, { headers: { "x-nuget-apikey": limited } });
      if (path.startsWith("Find")) expect(entries(await res.text())).toEqual([]);
      else {
        expect(res.status).toBe(403);
        expect(await errorOf(res)).toBe('This API key is not allowed for package "Secret.Tool".');
      }
    }
  });

  it("refuses a key restricted to another feed, and no key, on every endpoint", async () => {
    const elsewhere = await w.key({ feeds: ["other"] });
    for (const path of [
      "",
      "$metadata",
      "Packages()",
      "Packages(Id='Contoso.Core',Version='1.0.0')",
      "FindPackagesById()?id='Contoso.Core'",
      "Search()",
      "GetUpdates()?packageIds=''&versions=''",
      "package/Contoso.Core/1.0.0",
    ]) {
      const refused = await fetch(v2 + path, { headers: { "x-nuget-apikey": elsewhere } });
      expect(refused.status, path).toBe(403);
      expect(await errorOf(refused)).toBe('This API key is restricted to other feeds and cannot be used on feed "main".');
      expect((await fetch(v2 + path)).status, path).toBe(401);
    }
  });
});

describe("queries it does not understand", () => {
  it.each([
    ["Packages()?$top=-1", "$top must be a whole number of 0 or more"],
    ["Packages()?$top=100000", "$top may be at most 10000"],
    ["Packages()?$skip=-5", "$skip must be a whole number"],
    ["Packages()?$skip=99999999999", "$skip may be at most 1000000"],
    ["Packages()?$filter=frobnicate(Id)", 'unknown function "frobnicate"'],
    ["Packages()?$filter=Downloads gt 5", 'unknown property "Downloads"'],
    ["Packages()?$filter=Id eq", "$filter is not valid"],
    ["Packages()?$filter=Id eq 'x", "never ends"],
    ["Packages()?$orderby=Nope desc", 'unknown property "Nope"'],
    ["Packages()?$select=Id,Password", 'unknown property "Password"'],
    ["Packages()?$expand=Owners", "$expand is not supported"],
    ["Packages()?$format=json", "$format may only be atom"],
    ["Packages()?$inlinecount=some", "$inlinecount must be allpages or none"],
    ["FindPackagesById()?id=Contoso.Core", "must be a 'quoted' string"],
    ["Search()?includePrerelease=maybe", "must be true or false"],
    ["GetUpdates()?packageIds='a|b'&versions='1.0'", "one version per package id"],
    ["GetUpdates()?packageIds='a'&versions='x.y'", "is not a NuGet version"],
    ["GetUpdates()?packageIds='a'&versions='1.0'&versionConstraints='[1.0'", "is not a version range"],
    ["Packages(Id='Contoso.Core')", "A package is named as Packages(Id="],
    ["Packages(Id='Contoso.Core',Version='banana')", '"banana" is not a valid NuGet version.'],
    ["package/Contoso.Core/banana", '"banana" is not a valid NuGet version.'],
    ["Packages()?$filter=%E0%A4%A", '$filter has an unexpected "\ufffd" at character 1.'],
  ])("GET %s → 400", async (path, message) => {
    const res = await fetch(v2 + path, { headers: { "x-nuget-apikey": key } });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toContain(message);
  });

  it("leaves paths it does not serve to the feed's 404", async () => {
    const res = await fetch(`${v2}Nonsense()`, { headers: { "x-nuget-apikey": key } });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toContain("The NuGet feed has nothing at GET");
  });
});
