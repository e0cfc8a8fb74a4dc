import { createHash } from "node:crypto";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNpmPublishBody, type NpmPublishFixture } from "../formats/npm.fixtures.ts";
import { createNpmWorld, errorOf, npmHttp, type NpmWorld } from "./test-world.ts";

let w: NpmWorld;
let api: ReturnType<typeof npmHttp>;
let plain: NpmPublishFixture;
let scoped: NpmPublishFixture;
const NPM_UA = "npm/11.19.1 node/v20.20.2 linux x64 workspaces/false";
const ABBREVIATED = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

beforeAll(async () => {
  w = await createNpmWorld();
  api = npmHttp(w);
  plain = buildNpmPublishBody({
    name: "read-me",
    version: "1.0.0",
    registry: w.registry,
    readme: "# read-me\n",
    packageJson: {
      dependencies: { lodash: "^4.0.0" },
      scripts: { postinstall: "node x.js", test: "vitest" },
      keywords: ["demo"],
      bin: { "read-me": "cli.js" },
    },
  });
  scoped = buildNpmPublishBody({ name: "@acme/widget", version: "2.0.0", registry: w.registry });
  for (const f of [plain, scoped]) expect((await api.put(f.urlName, f.body, { key: w.keys.full })).status).toBe(201);
  expect((await api.publish({ name: "read-me", version: "1.1.0-beta.1", tag: "beta" }, w.keys.full)).status).toBe(201);
  // A package in the open feed, for anonymous reads.
  const open = buildNpmPublishBody({ name: "open-pkg", version: "1.0.0", registry: `${w.server.url}/npm/npm-open/` });
  expect(
    (
      await fetch(`${w.server.url}/npm/npm-open/open-pkg`, {
        method: "PUT",
        headers: { authorization: `Bearer ${w.keys.full}`, "content-type": "application/json" },
        body: JSON.stringify(open.body),
      })
    ).status,
  ).toBe(201);
});
afterAll(async () => {
  await w?.close();
});

type Doc = Record<string, unknown> & {
  _rev: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, Record<string, unknown> & { dist: Record<string, string> }>;
  time: Record<string, string>;
};

describe("packuments", () => {
  it("serves the full packument with dist, time, _rev and hoisted fields", async () => {
    const res = await api.get("read-me", { key: w.keys.full });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as Doc;
    expect(doc).toMatchObject({
      _id: "read-me",
      name: "read-me",
      description: "A test package.",
      readme: "# read-me\n",
      keywords: ["demo"],
      maintainers: [{ name: "alice" }],
    });
    expect(doc._rev).toMatch(/^\d+-[0-9a-f]{32}$/);
    expect(doc["dist-tags"]).toEqual({ latest: "1.0.0", beta: "1.1.0-beta.1" });
    expect(Object.keys(doc.versions)).toEqual(["1.0.0", "1.1.0-beta.1"]);
    const v = doc.versions["1.0.0"]!;
    expect(v).toMatchObject({
      name: "read-me",
      version: "1.0.0",
      _id: "read-me@1.0.0",
      dependencies: { lodash: "^4.0.0" },
      hasInstallScript: true,
      _npmUser: { name: "alice" },
    });
    expect(v.dist).toEqual({ integrity: plain.integrity, shasum: plain.shasum, tarball: `${w.registry}read-me/-/read-me-1.0.0.tgz` });
    expect(v.readme).toBeUndefined();
    expect(Object.keys(doc.time).sort()).toEqual(["1.0.0", "1.1.0-beta.1", "created", "modified"]);
  });

  it("serves the abbreviated form to npm install's Accept header", async () => {
    const res = await api.get("read-me", { key: w.keys.full, headers: { accept: ABBREVIATED } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/vnd\.npm\.install-v1\+json/);
    expect(res.headers.get("vary")).toMatch(/Accept/);
    const doc = (await res.json()) as Doc;
    expect(Object.keys(doc).sort()).toEqual(["dist-tags", "modified", "name", "versions"]);
    expect(doc.versions["1.0.0"]).toEqual({
      name: "read-me",
      version: "1.0.0",
      dependencies: { lodash: "^4.0.0" },
      bin: { "read-me": "cli.js" },
      license: "MIT",
      hasInstallScript: true,
      dist: { integrity: plain.integrity, shasum: plain.shasum, tarball: `${w.registry}read-me/-/read-me-1.0.0.tgz` },
    });
  });

  it("reads scoped names as @scope%2fname, @scope%2Fname and @scope/name", async () => {
    for (const p of ["@acme%2fwidget", "@acme%2Fwidget", "@acme/widget"]) {
      const res = await api.get(p, { key: w.keys.full });
      expect(res.status, p).toBe(200);
      const doc = (await res.json()) as Doc;
      expect(doc.name).toBe("@acme/widget");
      expect(doc.versions["2.0.0"]!.dist.tarball).toBe(`${w.registry}@acme/widget/-/widget-2.0.0.tgz`);
    }
  });

  it("answers 304 to a matching If-None-Match, and a new ETag after a change", async () => {
    const first = await api.get("read-me", { key: w.keys.full });
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    const again = await api.get("read-me", { key: w.keys.full, headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await api.put("-/package/read-me/dist-tags/next", "1.0.0", { key: w.keys.full })).status).toBe(200);
    const changed = await api.get("read-me", { key: w.keys.full, headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("serves one version by number or tag", async () => {
    const byVersion = await api.get("read-me/1.0.0", { key: w.keys.full });
    expect(byVersion.status).toBe(200);
    expect(await byVersion.json()).toMatchObject({ _id: "read-me@1.0.0" });
    const byTag = await api.get("read-me/beta", { key: w.keys.full });
    expect(await byTag.json()).toMatchObject({ version: "1.1.0-beta.1" });
    const missing = await api.get("read-me/9.9.9", { key: w.keys.full });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toBe('Version 9.9.9 of package "read-me" was not found in feed "npm".');
  });

  it("answers 404 with a message for an unknown package", async () => {
    const res = await api.get("no-such-package", { key: w.keys.full });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toBe('Package "no-such-package" was not found in feed "npm".');
  });

  it("answers 400 for names npm cannot have, and 404 for paths that mean nothing", async () => {
    const bad = await api.get("%E0%A4%A", { key: w.keys.full });
    expect(bad.status).toBe(400);
    const dot = await api.get(".hidden", { key: w.keys.full });
    expect(dot.status).toBe(400);
    expect(await errorOf(dot)).toBe('".hidden" is not a valid npm package name: it starts with "." or "_".');
    const nothing = await api.get("read-me/-/a/b/c/d", { key: w.keys.full });
    expect(nothing.status).toBe(404);
    const wrongMethod = await api.call("POST", "read-me", { key: w.keys.full });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, PUT");
  });
});

/** A file taken from a package is saved by a browser, never rendered as a page of this origin. */
function expectNotRenderable(res: Response, fileName: string) {
  expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${fileName}"`);
  expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
}

describe("tarballs", () => {
  it("downloads unscoped and scoped tarballs byte for byte", async () => {
    for (const [p, f] of [
      ["read-me/-/read-me-1.0.0.tgz", plain],
      ["@acme/widget/-/widget-2.0.0.tgz", scoped],
      ["@acme%2fwidget/-/widget-2.0.0.tgz", scoped],
    ] as const) {
      const res = await api.get(p, { key: w.keys.full });
      expect(res.status, p).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/octet-stream");
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(`sha512-${createHash("sha512").update(bytes).digest("base64")}`).toBe(f.integrity);
    }
  });

  it("serves tarballs as sandboxed attachments, so a pushed file cannot run as a page", async () => {
    expectNotRenderable(await api.get("read-me/-/read-me-1.0.0.tgz", { key: w.keys.full }), "read-me-1.0.0.tgz");
    expectNotRenderable(await api.get("@acme/widget/-/widget-2.0.0.tgz", { key: w.keys.full }), "widget-2.0.0.tgz");
  });

  it("answers 404 for a version or file that is not there", async () => {
    const missing = await api.get("read-me/-/read-me-7.0.0.tgz", { key: w.keys.full });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toBe('Version 7.0.0 of package "read-me" was not found in feed "npm".');
    const foreign = await api.get("read-me/-/other-1.0.0.tgz", { key: w.keys.full });
    expect(foreign.status).toBe(404);
    expect(await errorOf(foreign)).toBe('"other-1.0.0.tgz" is not a tarball of package "read-me" (expected read-me-<version>.tgz).');
  });

  it("accepts the key as Basic authentication, as npm's _auth sends it", async () => {
    const basic = Buffer.from(`anyone:${w.keys.full}`).toString("base64");
    const res = await api.get("read-me/-/read-me-1.0.0.tgz", { headers: { authorization: `Basic ${basic}` } });
    expect(res.status).toBe(200);
  });
});

describe("who may read", () => {
  it("needs a key: 401 with WWW-Authenticate, except for the npm CLI, which would hide the message", async () => {
    const browser = await api.get("read-me");
    expect(browser.status).toBe(401);
    expect(browser.headers.get("www-authenticate")).toBe('Basic realm="Keyhouse"');
    expect(await errorOf(browser)).toBe(
      "This request needs an API key. Present it in an Authorization: Bearer header (npm's _authToken) or Basic authentication.",
    );
    const npm = await api.get("read-me", { headers: { "user-agent": NPM_UA } });
    expect(npm.status).toBe(401);
    expect(npm.headers.get("www-authenticate")).toBeNull();
    expect(await errorOf(npm)).toBe("This request needs an API key. Present it in an Authorization: Bearer header (npm's _authToken) or Basic authentication.");
  });

  it.each([
    ["a wrong key", () => w.keys.wrong, MESSAGES.invalidKey],
    ["an expired key", () => w.keys.expired, MESSAGES.invalidKey],
    ["a revoked key", () => w.keys.revoked, MESSAGES.invalidKey],
    ["a key for another package", () => w.keys.otherPackage, 'This API key is not allowed for package "read-me".'],
    ["a key restricted to another feed", () => w.keys.otherFeed, 'This API key is restricted to other feeds and cannot be used on feed "npm".'],
  ])("refuses %s with 403", async (_label, key, message) => {
    for (const p of ["read-me", "read-me/-/read-me-1.0.0.tgz", "-/package/read-me/dist-tags"]) {
      const res = await api.get(p, { key: key() });
      expect(res.status, p).toBe(403);
      expect(await errorOf(res)).toBe(message);
    }
  });

  it("needs no scope to read, and lets legacy, system and other users' keys with view read", async () => {
    for (const key of [w.keys.unlistOnly, w.keys.updateOnly, w.keys.legacy, w.keys.system, w.keys.bob, w.keys.carol]) {
      expect((await api.get("read-me", { key })).status).toBe(200);
    }
  });

  it("allows anonymous reads on a feed that allows them", async () => {
    const res = await fetch(`${w.server.url}/npm/npm-open/open-pkg`);
    expect(res.status).toBe(200);
    const tgz = await fetch(`${w.server.url}/npm/npm-open/open-pkg/-/open-pkg-1.0.0.tgz`);
    expect(tgz.status).toBe(200);
  });
});

describe("whoami, ping and dist-tags", () => {
  it("whoami names the acting user, or api-key-user for a system key without one", async () => {
    const alice = await api.get("-/whoami", { key: w.keys.full });
    expect(await alice.json()).toEqual({ username: "alice" });
    expect(await (await api.get("-/whoami", { key: w.keys.legacy })).json()).toEqual({ username: "alice" });
    expect(await (await api.get("-/whoami", { key: w.keys.system })).json()).toEqual({ username: "api-key-user" });
    expect(await (await api.get("-/whoami", { key: w.keys.bob })).json()).toEqual({ username: "bob" });
  });

  it("whoami needs a valid key, even on a feed open to anonymous reads", async () => {
    expect((await api.get("-/whoami")).status).toBe(401);
    const wrong = await api.get("-/whoami", { key: w.keys.wrong });
    expect(wrong.status).toBe(403);
    expect(await errorOf(wrong)).toBe(MESSAGES.invalidKey);
    const open = await fetch(`${w.server.url}/npm/npm-open/-/whoami`);
    expect(open.status).toBe(401);
    expect(await errorOf(open)).toMatch(/^This request needs an API key\./);
  });

  it("npm login is refused with a message saying how to use a key", async () => {
    for (const [method, p] of [
      ["POST", "-/v1/login"],
      ["PUT", "-/user/org.couchdb.user:alice"],
    ] as const) {
      const res = await api.call(method, p, { body: { name: "alice", password: "x" } });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toBe(
        `npm login is not supported: this feed takes API keys. Create one in Keyhouse (Account › API keys) and add it to your .npmrc as ${w.registry.replace(/^http:/, "")}:_authToken=<key>.`,
      );
    }
  });

  it("ping answers {}", async () => {
    const res = await api.get("-/ping?write=true");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it("lists dist-tags for a reader", async () => {
    const res = await api.get("-/package/@acme%2fwidget/dist-tags", { key: w.keys.unlistOnly });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ latest: "2.0.0" });
  });
});

describe("bad input never makes a 5xx", () => {
  it("answers every odd request with a 4xx", async () => {
    const key = w.keys.full;
    const odd: [string, string, Parameters<typeof api.call>[2]?][] = [
      ["GET", "read-me/-/read-me-%00.tgz", { key }],
      ["GET", "read-me/%00", { key }],
      ["GET", "%00", { key }],
      ["GET", "-/package/%00/dist-tags", { key }],
      ["PUT", "-/package/read-me/dist-tags/%00", { key, body: "1.0.0" }],
      ["PUT", "-/package/read-me/dist-tags/x", { key, body: "\u0000" }],
      ["DELETE", "read-me/-/read-me-%00.tgz/-rev/%00", { key }],
      ["DELETE", "read-me/-rev/%00", { key }],
      ["PUT", "read-me/-rev/x", { key, raw: "[]", headers: { "content-type": "application/json" } }],
      ["PUT", "read-me", { key, body: { name: "read-me", versions: { "1.0.0": { deprecated: "a\u0000b" } } } }],
      ["PUT", "read-me", { key, raw: '{"name":"read-me","versions":{"__proto__":{"deprecated":"x"}}}', headers: { "content-type": "application/json" } }],
      ["PUT", "read-me", { key, body: { name: "read-me", versions: {} } }],
      ["PUT", "read-me/-rev/x", { key, body: { name: "read-me", versions: {} } }],
      ["PUT", "read-me", { key, body: { _attachments: { x: 1 } } }],
      ["PUT", "read-me", { key, body: { _attachments: { "read-me-1.0.0.tgz": { data: "!!!!", length: 3 } }, name: "read-me", versions: {} } }],
      ["PUT", "read-me", { key, raw: '"just a string"', headers: { "content-type": "application/json" } }],
      ["PUT", "read-me", { key, raw: "{}", headers: { "content-type": "application/json", "content-encoding": "gzip" } }],
      ["PUT", "read-me", { key, raw: "{}", headers: { "content-type": "application/json", "content-encoding": "br-nope" } }],
      ["GET", "read-me", { headers: { authorization: "Bearer" } }],
      ["GET", "read-me", { headers: { authorization: "Basic !!!" } }],
    ];
    for (const [method, p, c] of odd) {
      const res = await api.call(method, p, c);
      expect(res.status, `${method} ${p} → ${res.status}: ${await res.clone().text()}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${p}`).toBeLessThan(500);
      expect(res.headers.get("content-type"), `${method} ${p}`).toMatch(/json/);
    }
    expect(w.server.logs.filter((l) => /failed/.test(l))).toEqual([]);
    expect(Object.keys(((await (await api.get("read-me", { key })).json()) as Doc).versions)).toEqual(["1.0.0", "1.1.0-beta.1"]);
  });

  it("ignores keys in places npm does not use, and an abbreviated form refused with q=0", async () => {
    const nuget = await api.get("read-me", { headers: { authorization: `Bearer ${w.keys.full}`, "x-nuget-apikey": w.keys.bob } });
    expect(nuget.status).toBe(200);
    const q0 = await api.get("read-me", { key: w.keys.full, headers: { accept: "application/vnd.npm.install-v1+json;q=0, application/json" } });
    expect(q0.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("answers an odd feed name with a 4xx", async () => {
    for (const feed of ["%00", "x%E2%80%AEy", "a".repeat(300)]) {
      const res = await fetch(`${w.server.url}/npm/${feed}/x`, { headers: { authorization: `Bearer ${w.keys.full}` } });
      expect(res.status, feed).toBeGreaterThanOrEqual(400);
      expect(res.status, feed).toBeLessThan(500);
    }
  });
});
