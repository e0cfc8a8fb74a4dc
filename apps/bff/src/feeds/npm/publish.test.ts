import { createHash } from "node:crypto";
import http from "node:http";
import { MESSAGES } from "@keyhouse/shared";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../db/factories.ts";
import { TEST_SECRET } from "../../test/server.ts";
import { buildNpmPublishBody } from "../formats/npm.fixtures.ts";
import { errorOf, type npmHttp, type NpmWorld, useNpmWorld } from "./test-world.ts";
import { withBodyTexts } from "../../logs/bodies.ts";

let w: NpmWorld;
let api: ReturnType<typeof npmHttp>;
useNpmWorld((world, http) => {
  w = world;
  api = http;
});

async function packument(name: string) {
  const res = await api.get(name.replace("/", "%2f"), { key: w.keys.full });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    "dist-tags": Record<string, string>;
    versions: Record<string, { dist: { tarball: string; integrity: string; shasum: string }; _npmUser?: { name: string }; deprecated?: string }>;
  };
}

describe("npm publish over HTTP", () => {
  it("stores a new package, makes the publisher its owner and answers 201", async () => {
    const fixture = buildNpmPublishBody({ name: "pub-one", version: "1.0.0", registry: w.registry, readme: "# pub-one" });
    const res = await api.put("pub-one", fixture.body, { key: w.keys.full });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ ok: true, id: "pub-one", version: "1.0.0" });

    const pkg = await w.db.package.findFirst({ where: { name: "pub-one" }, include: { owners: true, versions: true, distTags: true } });
    expect(pkg?.owners.map((o) => o.userId)).toEqual([w.users.alice.id]);
    expect(pkg?.versions[0]).toMatchObject({ version: "1.0.0", fileSize: fixture.tarball.length, listed: true, pushedById: w.users.alice.id });
    expect(pkg?.distTags).toEqual([{ packageId: pkg!.id, tag: "latest", version: "1.0.0" }]);
    expect(w.storedFiles("pub-one")).toHaveLength(1);

    const doc = await packument("pub-one");
    expect(doc.versions["1.0.0"]!.dist).toEqual({ integrity: fixture.integrity, shasum: fixture.shasum, tarball: `${w.registry}pub-one/-/pub-one-1.0.0.tgz` });
    expect(doc.versions["1.0.0"]!._npmUser).toEqual({ name: "alice" });
  });

  it("publishes scoped packages at @scope%2fname", async () => {
    const res = await api.publish({ name: "@acme/pub-two", version: "0.1.0" }, w.keys.full);
    expect(res.status).toBe(201);
    const doc = await packument("@acme/pub-two");
    expect(doc.versions["0.1.0"]!.dist.tarball).toBe(`${w.registry}@acme/pub-two/-/pub-two-0.1.0.tgz`);
  });

  it("refuses a version that exists with npm's message, and stores nothing", async () => {
    const res = await api.publish({ name: "pub-one", version: "1.0.0", description: "different bytes" }, w.keys.full);
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toBe("You cannot publish over the previously published versions: 1.0.0.");
    expect(w.storedFiles("pub-one")).toHaveLength(1);
  });

  it("moves only the dist-tags the publish names; a first publish under another tag still gets latest", async () => {
    expect((await api.publish({ name: "pub-one", version: "2.0.0-beta.1", tag: "beta" }, w.keys.full)).status).toBe(201);
    expect((await packument("pub-one"))["dist-tags"]).toEqual({ latest: "1.0.0", beta: "2.0.0-beta.1" });
    expect((await api.publish({ name: "pub-one", version: "1.1.0" }, w.keys.full)).status).toBe(201);
    expect((await packument("pub-one"))["dist-tags"]).toEqual({ latest: "1.1.0", beta: "2.0.0-beta.1" });

    expect((await api.publish({ name: "pub-next", version: "3.0.0-rc.1", tag: "next" }, w.keys.full)).status).toBe(201);
    expect((await packument("pub-next"))["dist-tags"]).toEqual({ latest: "3.0.0-rc.1", next: "3.0.0-rc.1" });
  });

  it("keeps a deprecation that rides along in the manifest", async () => {
    expect((await api.publish({ name: "pub-old", version: "0.0.1", deprecated: "do not use" }, w.keys.full)).status).toBe(201);
    expect((await packument("pub-old")).versions["0.0.1"]!.deprecated).toBe("do not use");
  });

  it("concurrent publishes of one version: exactly one 201, the others 409, one file on disk", async () => {
    const bodies = Array.from(
      { length: 6 },
      (_, i) => buildNpmPublishBody({ name: "pub-race", version: "1.0.0", description: `racer ${i}`, registry: w.registry }).body,
    );
    const results = await Promise.all(bodies.map((b) => api.put("pub-race", b, { key: w.keys.full })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(await errorOf(r)).toBe("You cannot publish over the previously published versions: 1.0.0.");
    expect(w.storedFiles("pub-race")).toHaveLength(1);
    expect(await w.db.packageVersion.count({ where: { package: { name: "pub-race" } } })).toBe(1);
  });

  it("acts as the API key user with a system key, and as the owner with a legacy key", async () => {
    expect((await api.publish({ name: "pub-system", version: "1.0.0" }, w.keys.system)).status).toBe(201);
    expect((await packument("pub-system")).versions["1.0.0"]!._npmUser).toEqual({ name: "api-key-user" });
    expect((await api.publish({ name: "pub-legacy", version: "1.0.0" }, w.keys.legacy)).status).toBe(201);
    expect((await packument("pub-legacy")).versions["1.0.0"]!._npmUser).toEqual({ name: "alice" });
  });

  it("logs a published package as type, size and sha256 only, even for a key that logs bodies", async () => {
    const { key, value } = await createApiKey(w.db, TEST_SECRET, { ownerId: w.users.alice.id, scopes: ["push"], logRequestBody: true });
    const fixture = buildNpmPublishBody({ name: "pub-logged", version: "1.0.0", registry: w.registry });
    expect((await api.put("pub-logged", fixture.body, { key: value })).status).toBe(201);
    await w.server.services.accessLog.flush();
    const entry = await withBodyTexts(w.db, await w.db.accessLogEntry.findFirstOrThrow({ where: { keyId: key.id } }));
    const sha256 = createHash("sha256").update(fixture.tarball).digest("hex");
    expect(entry).toMatchObject({ method: "PUT", status: 201, feed: "npm", username: "alice" });
    expect(entry?.requestBody).toBe(`[package file: application/gzip (npm package), ${fixture.tarball.length} bytes, sha256 ${sha256}]`);
  });

  it("warns with X-Keyhouse-Warning when the key expires within 10 days", async () => {
    const res = await api.publish({ name: "pub-soon", version: "1.0.0" }, w.keys.expiringSoon);
    expect(res.status).toBe(201);
    expect(res.headers.get("x-keyhouse-warning")).toMatch(/^This API key expires in 3 days, on \d{4}-\d\d-\d\d\. Create a new key before then\.$/);
  });
});

describe("who may publish (docs/authorization.md)", () => {
  beforeAll(async () => {
    expect((await api.publish({ name: "owned-by-alice", version: "1.0.0" }, w.keys.full)).status).toBe(201);
  });

  const refusals: [string, () => string | null, string, number, string | (() => string)][] = [
    [
      "no key",
      () => null,
      "brand-new-a",
      401,
      "This request needs an API key. Present it in an Authorization: Bearer header (npm's _authToken) or Basic authentication.",
    ],
    ["a wrong key", () => w.keys.wrong, "brand-new-a", 403, MESSAGES.invalidKey],
    ["an expired key", () => w.keys.expired, "brand-new-a", 403, MESSAGES.invalidKey],
    ["a revoked key", () => w.keys.revoked, "brand-new-a", 403, MESSAGES.invalidKey],
    [
      "an update-only key pushing a new id",
      () => w.keys.updateOnly,
      "brand-new-a",
      403,
      'This API key does not have the "push" scope, which is needed to push a new package ID.',
    ],
    [
      "an unlist-only key pushing a new version",
      () => w.keys.unlistOnly,
      "owned-by-alice",
      403,
      'This API key cannot push new versions: it needs the "push" or "update" scope.',
    ],
    ["a key for another package", () => w.keys.otherPackage, "brand-new-a", 403, 'This API key is not allowed for package "brand-new-a".'],
    [
      "a key restricted to another feed",
      () => w.keys.otherFeed,
      "brand-new-a",
      403,
      'This API key is restricted to other feeds and cannot be used on feed "npm".',
    ],
    ["a key without the feeds API", () => w.keys.noFeedsApi, "brand-new-a", 403, "This API key cannot call the feeds API."],
    // carol may only read: the gate before the body already refuses her.
    ["a user without the add privilege", () => w.keys.carol, "brand-new-a", 403, 'User "carol" does not have the "add" or "unlist" privilege on feed "npm".'],
    ["a user who does not own the package", () => w.keys.bob, "owned-by-alice", 403, 'User "bob" is not an owner of package "owned-by-alice".'],
  ];

  for (const [label, key, name, status, message] of refusals) {
    it(`refuses ${label} with ${status}`, async () => {
      const res = await api.publish({ name, version: "9.9.9" }, key());
      expect(res.status).toBe(status);
      expect(await errorOf(res)).toBe(typeof message === "string" ? message : message());
      expect(w.storedFiles(name).filter((f) => f.startsWith("9.9.9"))).toEqual([]);
    });
  }

  it("lets an update-only key publish a new version of a package its user owns", async () => {
    expect((await api.publish({ name: "owned-by-alice", version: "1.0.1" }, w.keys.updateOnly)).status).toBe(201);
  });

  it("lets a push-only key publish a new id", async () => {
    expect((await api.publish({ name: "brand-new-b", version: "1.0.0" }, w.keys.pushOnly)).status).toBe(201);
  });
});

describe("bad publish requests get a clear 4xx", () => {
  const good = () => buildNpmPublishBody({ name: "bad-input", version: "1.0.0", registry: w.registry });

  it("not JSON", async () => {
    const res = await api.call("PUT", "bad-input", { key: w.keys.full, raw: "{nope", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('The request body is not valid JSON: unexpected "n" at byte 1.');
  });

  it("no body", async () => {
    const res = await api.call("PUT", "bad-input", { key: w.keys.full });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("The request needs a JSON body.");
  });

  it("a name that differs from the URL", async () => {
    const res = await api.put("bad-input", { ...good().body, name: "other" }, { key: w.keys.full });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('The package name in the request ("other") does not match the URL ("bad-input").');
  });

  it("a tarball that does not match its integrity", async () => {
    const f = good();
    const v = f.body.versions["1.0.0"]!;
    const res = await api.put("bad-input", { ...f.body, versions: { "1.0.0": { ...v, dist: { ...v.dist, integrity: "sha512-AAAA" } } } }, { key: w.keys.full });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatch(/^The tarball does not match versions\["1\.0\.0"\]\.dist\.integrity/);
  });

  it("garbage instead of a tarball", async () => {
    const f = good();
    const junk = Buffer.from("not a tarball at all");
    const res = await api.put(
      "bad-input",
      { ...f.body, _attachments: { "bad-input-1.0.0.tgz": { content_type: "application/octet-stream", data: junk.toString("base64"), length: junk.length } } },
      { key: w.keys.full },
    );
    expect(res.status).toBe(400);
  });

  it("a name npm does not allow for new packages", async () => {
    const res = await api.publish({ name: "Capital", version: "1.0.0" }, w.keys.full);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('"Capital" is not a valid npm package name: it contains capital letters.');
  });

  it("a body over the limit: 413 naming it, before the body is read", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${w.registry}bad-input`, {
        method: "PUT",
        headers: { authorization: `Bearer ${w.keys.full}`, "content-type": "application/json", "content-length": String(400 * 1024 * 1024) },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.write("{");
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error).toBe(
      "The request body is larger than the 337.3 MB limit of this npm feed (a package tarball of 250 MB (MAX_UPLOAD_MB), base64-encoded, with its manifest), counted after its Content-Encoding is decoded.",
    );
  });

  it("an unknown feed, or a feed of another type", async () => {
    const res = await fetch(`${w.server.url}/npm/nope/x`, { headers: { authorization: `Bearer ${w.keys.full}` } });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toBe('There is no npm feed named "nope".');
  });
});
