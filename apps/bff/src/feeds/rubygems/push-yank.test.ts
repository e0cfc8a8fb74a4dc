import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGem } from "../formats/gem.fixtures.ts";
import { startGemFeed, type GemFeed } from "./rubygems.fixtures.ts";

let f: GemFeed;
let aliceKey: string;
beforeAll(async () => {
  f = await startGemFeed();
  aliceKey = await f.key({ scopes: ["push", "update", "unlist"] });
});
afterAll(() => f.close());

const push = (bytes: Uint8Array | string, key?: string, feedUrl = f.url) =>
  fetch(`${feedUrl}/api/v1/gems`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", ...(key === undefined ? {} : { authorization: key }) },
    body: bytes,
  });

const yank = (form: Record<string, string>, key?: string) =>
  fetch(`${f.url}/api/v1/gems/yank`, {
    method: "DELETE",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(key === undefined ? {} : { authorization: key }) },
    body: new URLSearchParams(form).toString(),
  });

describe("gem push (POST api/v1/gems)", () => {
  it("registers a new gem as rubygems.org words it, in plain text, and makes the pusher its owner", async () => {
    const res = await push(buildGem({ name: "widget", version: "1.0.0" }), aliceKey);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("Successfully registered gem: widget (1.0.0)\n");
    const pkg = await f.db.package.findFirst({ where: { name: "widget" }, include: { owners: true, versions: true } });
    expect(pkg?.owners.map((o) => o.userId)).toEqual([f.alice.id]);
    expect(pkg?.versions.map((v) => [v.version, v.versionLower])).toEqual([["1.0.0", "1.0.0"]]);
    expect(JSON.parse(pkg!.versions[0]!.metadata)).toMatchObject({
      name: "widget",
      version: "1.0.0",
      platform: "ruby",
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("keeps platform gems of one version apart and names the platform", async () => {
    const res = await push(buildGem({ name: "widget", version: "1.0.0", platform: "x86_64-linux" }), aliceKey);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Successfully registered gem: widget (1.0.0-x86_64-linux)\n");
  });

  it("answers 409 for a version that exists", async () => {
    const res = await push(buildGem({ name: "widget", version: "1.0.0" }), aliceKey);
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/^Version 1\.0\.0 of package "widget" already exists in feed "gems"\. Versions cannot be overwritten/);
  });

  it("refuses what is not a gem with a 400 that says why", async () => {
    const garbage = await push("this is not a gem", aliceKey);
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toMatch(/\.gem/);
    const empty = await push(new Uint8Array(0), aliceKey);
    expect(empty.status).toBe(400);
    expect(await empty.text()).toMatch(/no gem in its body/);
    const noName = await push(
      buildGem({ name: "x", version: "1.0.0", metadataYaml: "--- !ruby/object:Gem::Specification\nversion: !ruby/object:Gem::Version\n  version: '1'\n" }),
      aliceKey,
    );
    expect(noName.status).toBe(400);
    expect(await noName.text()).toBe("The gemspec has no name.\n");
    const evil = await push(buildGem({ name: "x", version: "1.0.0", metadataYaml: "--- !ruby/object:Kernel\nname: x\n" }), aliceKey);
    expect(evil.status).toBe(400);
  });

  it("refuses a body over 250 MB by its Content-Length with a 413 that names the limit", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${f.url}/api/v1/gems`,
        { method: "POST", headers: { authorization: aliceKey, "content-length": String(300 * 1024 * 1024) } },
        (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => {
            req.destroy();
            resolve({ status: res.statusCode!, body });
          });
        },
      );
      req.on("error", reject);
      req.write("x".repeat(1024));
    });
    expect(status).toBe(413);
    expect(body).toBe("The upload is larger than the 250 MB limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.\n");
  });

  it("lets exactly one of concurrent pushes of one version win, leaving one file", async () => {
    const bytes = buildGem({ name: "racer", version: "2.0.0" });
    const results = await Promise.all(Array.from({ length: 8 }, () => push(bytes, aliceKey)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    expect(f.storedFiles("racer")).toHaveLength(1);
    expect(await f.db.packageVersion.count({ where: { package: { name: "racer" } } })).toBe(1);
  });

  it("shows the expiry warning in the text the gem client prints, and in the header", async () => {
    const soon = await f.key({ scopes: ["push"], expiresAt: new Date(Date.now() + 3 * 86_400_000) });
    const res = await push(buildGem({ name: "expiring", version: "1.0.0" }), soon);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-keyhouse-warning")).toMatch(/expires in 3 days/);
    expect(await res.text()).toMatch(/^Successfully registered gem: expiring \(1\.0\.0\)\nWarning: This API key expires in 3 days/);
  });
});

describe("gem yank (DELETE api/v1/gems/yank)", () => {
  it("yanks a version given as a form body, as rubygems.org words it", async () => {
    await push(buildGem({ name: "yankee", version: "1.0.0" }), aliceKey);
    await push(buildGem({ name: "yankee", version: "1.1.0" }), aliceKey);
    const res = await yank({ gem_name: "yankee", version: "1.0.0" }, aliceKey);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Successfully deleted gem: yankee (1.0.0)\n");
    const row = await f.db.packageVersion.findFirst({ where: { package: { name: "yankee" }, version: "1.0.0" } });
    expect(row?.listed).toBe(false);
  });

  it("accepts query parameters and a platform", async () => {
    await push(buildGem({ name: "yankee", version: "1.1.0", platform: "java" }), aliceKey);
    const res = await fetch(`${f.url}/api/v1/gems/yank?gem_name=yankee&version=1.1.0&platform=java`, {
      method: "DELETE",
      headers: { authorization: aliceKey },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Successfully deleted gem: yankee (1.1.0-java)\n");
    const ruby = await f.db.packageVersion.findFirst({ where: { package: { name: "yankee" }, versionLower: "1.1.0" } });
    expect(ruby?.listed).toBe(true);
  });

  it("answers 422 for a version already yanked, 404 for unknown versions and gems, 400 without parameters", async () => {
    const again = await yank({ gem_name: "yankee", version: "1.0.0" }, aliceKey);
    expect(again.status).toBe(422);
    expect(await again.text()).toBe("The version yankee (1.0.0) has already been yanked.\n");
    const noVersion = await yank({ gem_name: "yankee", version: "9.9.9" }, aliceKey);
    expect(noVersion.status).toBe(404);
    expect(await noVersion.text()).toBe('The version yankee (9.9.9) was not found in feed "gems".\n');
    const noGem = await yank({ gem_name: "nothing-here", version: "1.0.0" }, aliceKey);
    expect(noGem.status).toBe(404);
    expect(await noGem.text()).toBe('Gem "nothing-here" was not found in feed "gems".\n');
    const missing = await yank({ gem_name: "yankee" }, aliceKey);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/gem_name and version are required/);
  });

  it("keeps a yanked version's number: it cannot be pushed again", async () => {
    const res = await push(buildGem({ name: "yankee", version: "1.0.0" }), aliceKey);
    expect(res.status).toBe(409);
  });
});
