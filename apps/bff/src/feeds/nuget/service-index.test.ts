import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, testConfig } from "../../test/server.ts";
import { createNuGetWorld, errorOf, type NuGetWorld } from "./testing.ts";

let w: NuGetWorld;
let key: string;
beforeAll(async () => {
  w = await createNuGetWorld();
  key = await w.key();
});
afterAll(() => w.close());

type Index = { version: string; resources: { "@id": string; "@type": string }[] };
const idOf = (index: Index, type: string) => index.resources.find((r) => r["@type"] === type)?.["@id"];

describe("the NuGet service index", () => {
  it("points every resource at the feed, on the origin the request came to", async () => {
    const res = await w.get("/nuget/main/v3/index.json", key);
    expect(res.status).toBe(200);
    const index = (await res.json()) as Index;
    const base = `${w.server.url}/nuget/main`;
    expect(index.version).toBe("3.0.0");
    expect(idOf(index, "PackagePublish/2.0.0")).toBe(`${base}/api/v2/package`);
    expect(idOf(index, "PackageBaseAddress/3.0.0")).toBe(`${base}/v3-flatcontainer/`);
    expect(idOf(index, "RegistrationsBaseUrl")).toBe(`${base}/v3/registration/`);
    expect(idOf(index, "RegistrationsBaseUrl/3.6.0")).toBe(`${base}/v3/registration/`);
    expect(idOf(index, "SearchQueryService")).toBe(`${base}/v3/search`);
    expect(idOf(index, "SearchQueryService/3.5.0")).toBe(`${base}/v3/search`);
  });

  it("uses PUBLIC_URL when it is set", async () => {
    const behindProxy = await startServer(w.db, testConfig({ dataDir: w.dataDir, publicUrl: "https://feeds.example.com" }));
    try {
      const res = await fetch(`${behindProxy.url}/nuget/main/v3/index.json`, { headers: { "x-nuget-apikey": key } });
      const index = (await res.json()) as Index;
      expect(idOf(index, "PackageBaseAddress/3.0.0")).toBe("https://feeds.example.com/nuget/main/v3-flatcontainer/");
    } finally {
      await behindProxy.close();
    }
  });

  it("needs a key on a private feed, and says how to present one", async () => {
    const res = await w.get("/nuget/main/v3/index.json", null);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="Keyhouse"');
    expect(await errorOf(res)).toMatch(/X-NuGet-ApiKey header or Basic authentication/);
  });

  it("accepts Basic authentication with user api, as NuGet clients send stored credentials", async () => {
    const res = await w.get("/nuget/main/v3/index.json", null, { authorization: `Basic ${Buffer.from(`api:${key}`).toString("base64")}` });
    expect(res.status).toBe(200);
  });

  it("answers anonymously on a feed with anonymous reads", async () => {
    expect((await w.get("/nuget/open/v3/index.json", null)).status).toBe(200);
  });

  it("answers 404 for an unknown feed or a feed of another type", async () => {
    const unknown = await w.get("/nuget/nope/v3/index.json", key);
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe('There is no NuGet feed named "nope".');
    expect((await w.get("/nuget/js/v3/index.json", key)).status).toBe(404);
  });

  it("answers the feed root without a key, because nuget.exe 2.x probes it before pushing", async () => {
    const res = await w.get("/nuget/main/", null);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { serviceIndex: string };
    expect(body.serviceIndex).toBe(`${w.server.url}/nuget/main/v3/index.json`);
    // A key that is presented is still checked.
    const bad = await w.get("/nuget/main/", "khk_not-a-real-key");
    expect(bad.status).toBe(403);
  });

  it("answers a GET of the push URL with 405 and how to push, not a 401", async () => {
    const res = await w.get("/nuget/main/api/v2/package", null);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("PUT");
    expect(await errorOf(res)).toMatch(/with PUT/);
  });

  it("answers unknown paths under the feed with a 404 that points at the service index", async () => {
    const res = await w.get("/nuget/main/v2/Packages()", key);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatch(/nothing at GET \/nuget\/main\/v2\/Packages\(\).*\/nuget\/main\/v3\/index\.json/);
  });
});
