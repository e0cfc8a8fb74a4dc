import http from "node:http";
import { readdirSync } from "node:fs";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNupkg, nugetPushBody } from "../formats/nuget.fixtures.ts";
import { createNuGetWorld, errorOf, type NuGetWorld } from "./testing.ts";

let w: NuGetWorld;
let key: string;
beforeAll(async () => {
  w = await createNuGetWorld();
  key = await w.key({ scopes: ["push", "update", "unlist"] });
});
afterAll(() => w.close());

const rawPut = (at: string, body: Uint8Array | string, contentType: string, apiKey: string | null = key) =>
  fetch(w.server.url + at, { method: "PUT", headers: { "content-type": contentType, ...(apiKey ? { "x-nuget-apikey": apiKey } : {}) }, body });

describe("pushing to the NuGet feed", () => {
  it("takes a multipart .nupkg, reads id and version from its .nuspec, and answers 201", async () => {
    const res = await w.push(key, { id: "Contoso.Core", version: "1.0.0", description: "Core things" });
    expect(res.status).toBe(201);
    const pkg = await w.db.package.findFirstOrThrow({ where: { nameLower: "contoso.core" }, include: { owners: true, versions: true } });
    expect(pkg.name).toBe("Contoso.Core");
    expect(pkg.owners.map((o) => o.userId)).toEqual([w.users.alice.id]);
    expect(pkg.versions[0]).toMatchObject({ version: "1.0.0", versionLower: "1.0.0", listed: true });
    expect(JSON.parse(pkg.versions[0]!.metadata)).toMatchObject({ id: "Contoso.Core", version: "1.0.0", description: "Core things" });
  });

  it("stores the normalized version and refuses an existing one however it is spelt, with 409", async () => {
    expect((await w.push(key, { id: "Contoso.Core", version: "2.0.0.0-Beta" })).status).toBe(201);
    const again = await w.push(key, { id: "contoso.core", version: "2.0-beta" });
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toBe(
      'Version 2.0.0-beta of package "Contoso.Core" already exists in feed "main". Versions cannot be overwritten; push a new version.',
    );
    const v = await w.db.packageVersion.findFirstOrThrow({ where: { versionLower: "2.0.0-beta" } });
    expect(v.version).toBe("2.0.0-Beta");
  });

  it("takes the raw .nupkg bytes too, and the feed root as nuget.exe 2.x uses it", async () => {
    const raw = await rawPut("/nuget/main/api/v2/package", buildNupkg({ id: "Contoso.Raw", version: "1.0.0" }), "application/octet-stream");
    expect(raw.status).toBe(201);
    const root = await w.push(key, { id: "Contoso.Root", version: "1.0.0" }, "/nuget/main/");
    expect(root.status).toBe(201);
  });

  it.each([
    ["no body", "", "application/octet-stream", /has no body/],
    ["bytes that are no zip", "hello there", "application/octet-stream", /multipart\/form-data .* or as the raw package bytes/],
    ["a multipart body with no boundary", "x", "multipart/form-data", /no boundary/],
    [
      "a truncated multipart body",
      '--b\r\nContent-Disposition: form-data; name="p"; filename="p.nupkg"\r\n\r\nPK',
      "multipart/form-data; boundary=b",
      /truncated/,
    ],
  ])("answers 400 for %s", async (_what, body, contentType, message) => {
    const res = await rawPut("/nuget/main/api/v2/package", body, contentType);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatch(message);
  });

  it.each([
    ["a zip without a .nuspec", buildNupkg({ id: "X", version: "1.0.0", omitNuspec: true }), "The package does not contain a .nuspec manifest."],
    ["a damaged zip", buildNupkg({ id: "X", version: "1.0.0" }).slice(0, 200), "The package is not a valid zip file."],
    ["an invalid version", buildNupkg({ id: "X", version: "one" }), '"one" is not a valid NuGet version.'],
    [
      "an invalid id",
      buildNupkg({ id: "X", version: "1.0.0", nuspecXml: "<package><metadata><id>bad id!</id><version>1.0.0</version></metadata></package>" }),
      /is not a valid NuGet package id/,
    ],
    ["a nuspec that is not XML", buildNupkg({ id: "X", version: "1.0.0", nuspecXml: "<package><metadata>" }), /\.nuspec/],
  ])("answers 400 for %s, naming the problem in the body and the reason phrase", async (_what, nupkg, message) => {
    const res = await w.push(key, nupkg);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    if (typeof message === "string") expect(error).toBe(message);
    else expect(error).toMatch(message);
    expect(res.statusText).toBe(error.replace(/[^\x20-\x7e]/g, "?"));
  });

  it("refuses a body over the limit with 413 before reading it", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${w.server.url}/nuget/main/api/v2/package`, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream", "content-length": String(300 * 1024 * 1024), "x-nuget-apikey": key },
      });
      req.on("response", (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on("error", reject);
      req.write("PK");
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error).toBe("The upload is larger than the 250 MB limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.");
  });

  it("lets exactly one of several concurrent pushes of one version win, leaving one file", async () => {
    const nupkg = buildNupkg({ id: "Contoso.Race", version: "1.0.0" });
    const { body, contentType } = nugetPushBody(nupkg);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${w.server.url}/nuget/main/api/v2/package`, { method: "PUT", headers: { "content-type": contentType, "x-nuget-apikey": key }, body }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(readdirSync(path.join(w.dataDir, "packages", "main", "contoso.race"))).toHaveLength(1);
    expect(await w.db.packageVersion.count({ where: { package: { nameLower: "contoso.race" } } })).toBe(1);
  });

  it("keeps a zip bomb from costing more than the manifest limit", async () => {
    const huge = new Uint8Array(3 * 1024 * 1024);
    const bomb = zipSync({ "[Content_Types].xml": strToU8("<Types/>"), "Bomb.nuspec": huge }, { level: 9 });
    const res = await w.push(key, bomb);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatch(/Bomb\.nuspec.*1 MiB/);
  });
});

describe("the body nuget.exe 2.8.7 sends", () => {
  it("is accepted although it ends the file with a bare LF before the closing boundary", async () => {
    const boundary = "---------------------------8df4992f7a26cb2";
    const nupkg = buildNupkg({ id: "Contoso.Mono", version: "1.0.0" });
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(nupkg), Buffer.from(`\n--${boundary}--`, "latin1")]);
    const res = await rawPut("/nuget/main/api/v2/package", body, `multipart/form-data; boundary=${boundary}`);
    expect(res.status).toBe(201);
    const stored = await w.get("/nuget/main/v3-flatcontainer/contoso.mono/1.0.0/contoso.mono.1.0.0.nupkg", key);
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(nupkg);
  });
});
