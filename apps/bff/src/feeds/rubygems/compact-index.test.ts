import { createHash } from "node:crypto";
import { gunzipSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../db/factories.ts";
import { TEST_SECRET } from "../../test/server.ts";
import { buildGem } from "../formats/gem.fixtures.ts";
import { startGemFeed, type GemFeed } from "./rubygems.fixtures.ts";

let f: GemFeed;
let key: string;
let rackBytes: Uint8Array;
const basic = (k: string) => `Basic ${Buffer.from(`api:${k}`).toString("base64")}`;
const get = (path: string, k: string | null = key, headers: Record<string, string> = {}) =>
  fetch(`${f.url}/${path}`, { headers: { ...(k ? { authorization: basic(k) } : {}), ...headers } });
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  f = await startGemFeed();
  key = await f.key({ scopes: ["push", "unlist"] });
  const push = (bytes: Uint8Array) => fetch(`${f.url}/api/v1/gems`, { method: "POST", headers: { authorization: key }, body: bytes });
  rackBytes = buildGem({
    name: "rack-lite",
    version: "1.0.0",
    dependencies: [{ name: "zeta", requirements: [">= 1.0", "< 3"] }, { name: "alpha" }, { name: "rspec", type: "development" }],
    requiredRubyVersion: [">= 2.7"],
  });
  for (const bytes of [
    rackBytes,
    buildGem({ name: "rack-lite", version: "1.1.0" }),
    buildGem({ name: "rack-lite", version: "1.1.0", platform: "java" }),
    buildGem({ name: "gone", version: "0.1.0" }),
    buildGem({ name: "other-gem", version: "2.0.0" }),
    buildGem({ name: "other-gem", version: "1.5.0" }),
  ])
    expect((await push(bytes)).status).toBe(200);
  const yank = await fetch(`${f.url}/api/v1/gems/yank?gem_name=rack-lite&version=1.1.0`, { method: "DELETE", headers: { authorization: key } });
  expect(yank.status).toBe(200);
  await fetch(`${f.url}/api/v1/gems/yank?gem_name=gone&version=0.1.0`, { method: "DELETE", headers: { authorization: key } });
});
afterAll(() => f.close());

describe("the compact index", () => {
  it("info/{gem}: runtime dependencies sorted, the checksum and Ruby requirement, yanked versions left out", async () => {
    const res = await get("info/rack-lite");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toBe(
      `---\n1.0.0 alpha:>= 0,zeta:< 3&>= 1.0|checksum:${sha256(rackBytes)},ruby:>= 2.7\n1.1.0-java |checksum:${body.split("checksum:")[2]!.trim()}\n`,
    );
    expect(res.headers.get("etag")).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
  });

  it("versions: every readable gem with its versions and the MD5 of its info file; fully yanked gems are absent", async () => {
    const res = await get("versions");
    expect(res.status).toBe(200);
    const body = await res.text();
    const [head, list] = body.split("---\n");
    expect(head).toMatch(/^created_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    const info = await (await get("info/rack-lite")).text();
    expect(list).toBe(
      `other-gem 2.0.0,1.5.0 ${createHash("md5")
        .update(await (await get("info/other-gem")).text())
        .digest("hex")}\nrack-lite 1.0.0,1.1.0-java ${createHash("md5").update(info).digest("hex")}\n`,
    );
  });

  it("names: the readable gems with versions", async () => {
    expect(await (await get("names")).text()).toBe("---\nother-gem\nrack-lite\n");
  });

  it("answers 304 to an If-None-Match with the current ETag", async () => {
    const first = await get("versions");
    const again = await get("versions", key, { "if-none-match": first.headers.get("etag")! });
    expect(again.status).toBe(304);
  });

  it("lists only the gems a package-restricted key may read", async () => {
    const restricted = await f.key({ packages: ["rack-lite"], globs: [] });
    expect(await (await get("names", restricted)).text()).toBe("---\nrack-lite\n");
    expect((await get("versions", restricted)).status).toBe(200);
    expect((await get("versions", restricted).then((r) => r.text())).split("---\n")[1]).toMatch(/^rack-lite /);
    const info = await get("info/other-gem", restricted);
    expect(info.status).toBe(403);
    expect(await info.text()).toBe('This API key is not allowed for package "other-gem".\n');
  });

  it("answers 404 for unknown and fully yanked gems", async () => {
    const unknown = await get("info/nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('Gem "nope" was not found in feed "gems".\n');
    expect((await get("info/gone")).status).toBe(404);
  });

  it("accepts the key as the bare Authorization header too", async () => {
    const res = await fetch(`${f.url}/versions`, { headers: { authorization: key } });
    expect(res.status).toBe(200);
  });

  it("says the dependency API is not offered, so Bundler falls back to the compact index", async () => {
    const res = await get("api/v1/dependencies?gems=rack-lite");
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/compact index/);
  });
});

/** A file taken from a package is saved by a browser, never rendered as a page of this origin. */
function expectNotRenderable(res: Response, fileName: string) {
  expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${fileName}"`);
  expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
}

describe("downloads", () => {
  it("serves gems/{name}-{version}.gem byte for byte, for names with dashes too", async () => {
    const res = await get("gems/rack-lite-1.0.0.gem");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(rackBytes));
  });

  it("serves gems and quick specs as sandboxed attachments, so a pushed file cannot run as a page", async () => {
    expectNotRenderable(await get("gems/rack-lite-1.0.0.gem"), "rack-lite-1.0.0.gem");
    expectNotRenderable(await get("quick/Marshal.4.8/rack-lite-1.0.0.gemspec.rz"), "rack-lite-1.0.0.gemspec.rz");
  });

  it("serves platform gems by their -{platform} suffix", async () => {
    const res = await get("gems/rack-lite-1.1.0-java.gem");
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it("answers 404 for yanked and unknown versions and odd file names", async () => {
    const yanked = await get("gems/rack-lite-1.1.0.gem");
    expect(yanked.status).toBe(404);
    expect(await yanked.text()).toBe('Version 1.1.0 of gem "rack-lite" was yanked from feed "gems".\n');
    expect(await (await get("gems/rack-lite-9.0.0.gem")).text()).toBe('Version 9.0.0 of gem "rack-lite" was not found in feed "gems".\n');
    expect((await get("gems/nothing-1.0.0.gem")).status).toBe(404);
    expect((await get("gems/rack-lite.gem")).status).toBe(404);
    expect((await get("gems/rack-lite-1.0.0.zip")).status).toBe(404);
    expect((await get("gems/%2e%2e%2f%2e%2e%2fetc-1.0.gem")).status).toBe(404);
  });

  it("serves the Marshal gemspec gem install asks for", async () => {
    const res = await get("quick/Marshal.4.8/rack-lite-1.0.0.gemspec.rz");
    expect(res.status).toBe(200);
    const spec = inflateSync(Buffer.from(await res.arrayBuffer()));
    expect([...spec.subarray(0, 2)]).toEqual([4, 8]);
    expect(spec.includes(Buffer.from("Gem::Specification"))).toBe(true);
    expect(spec.includes(Buffer.from("rack-lite"))).toBe(true);
  });
});

describe("the legacy Marshal indexes", () => {
  const index = async (name: string, k: string | null = key) => {
    const res = await get(name, k);
    return { status: res.status, body: res.status === 200 ? gunzipSync(Buffer.from(await res.arrayBuffer())) : Buffer.from(await res.text()) };
  };

  it("specs, latest_specs and prerelease_specs are gzipped Marshal arrays of the readable, unyanked versions", async () => {
    const specs = await index("specs.4.8.gz");
    expect(specs.status).toBe(200);
    expect([...specs.body.subarray(0, 3)]).toEqual([4, 8, 0x5b]);
    expect(specs.body.includes("rack-lite")).toBe(true);
    expect(specs.body.includes("1.1.0")).toBe(true); // the java build; the ruby one is yanked
    expect(specs.body.includes("gone")).toBe(false);
    const latest = await index("latest_specs.4.8.gz");
    expect(specs.body.includes("1.5.0")).toBe(true);
    expect(latest.body.includes("1.5.0")).toBe(false); // other-gem 2.0.0 is newer
    expect(latest.body.includes("2.0.0")).toBe(true);
    const pre = await index("prerelease_specs.4.8.gz");
    expect(pre.body.length).toBe(3 + 1); // header and an empty array
  });

  it("leave out gems the key may not read, and refuse a missing key", async () => {
    const restricted = await f.key({ packages: ["other-gem"], globs: [] });
    const specs = await index("specs.4.8.gz", restricted);
    expect(specs.body.includes("rack-lite")).toBe(false);
    expect(specs.body.includes("other-gem")).toBe(true);
    expect((await index("specs.4.8.gz", null)).status).toBe(401);
  });
});

describe("reads and keys", () => {
  it("needs a key on a private feed: 401 with WWW-Authenticate naming the ways", async () => {
    const res = await get("versions", null);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="Keyhouse"');
    expect(await res.text()).toBe(
      'This request needs an API key. Present it in the Authorization header or Basic authentication with user name "api" and the key as password.\n',
    );
    expect((await get("gems/rack-lite-1.0.0.gem", null)).status).toBe(401);
    expect((await get("", null)).status).toBe(401);
  });

  it("refuses an unknown key with the docs/authorization.md message", async () => {
    const res = await get("info/rack-lite", "0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("The specified API key is invalid, has expired, or does not have permission to access the specified package.\n");
  });

  it("allows anonymous reads on a feed that allows them", async () => {
    const res = await fetch(`${f.feedUrl("open-gems")}/versions`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^created_at: .*\n---\n$/);
  });

  it("answers the feed root (gem install probes it) and names unknown feeds and paths", async () => {
    const root = await get("");
    expect(root.status).toBe(200);
    expect(await root.text()).toMatch(/RubyGems feed "gems"/);
    const unknown = await fetch(`${f.feedUrl("nope")}/versions`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('There is no RubyGems feed named "nope".\n');
    const path = await get("api/v2/rubygems/rack-lite.json");
    expect(path.status).toBe(404);
    expect(await path.text()).toMatch(/^Nothing is served at GET \/rubygems\/gems\/api\/v2\/rubygems\/rack-lite\.json/);
  });

  it("lets the API key user (a system key with no user) read every gem", async () => {
    const { value } = await createApiKey(f.db, TEST_SECRET, { kind: "system", ownerId: null, userId: null });
    expect(await (await get("names", value)).text()).toBe("---\nother-gem\nrack-lite\n");
  });
});
