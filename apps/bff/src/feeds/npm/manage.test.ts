// Deprecate, unpublish and dist-tags, sent the way npm 11 sends them.
import { MESSAGES } from "@keyhouse/shared";
import { beforeAll, describe, expect, it } from "vitest";
import { errorOf, type npmHttp, type NpmWorld, useNpmWorld } from "./test-world.ts";

let w: NpmWorld;
let api: ReturnType<typeof npmHttp>;
useNpmWorld((world, http) => {
  w = world;
  api = http;
});

type Doc = {
  _rev: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, Record<string, unknown> & { deprecated?: string; dist: { tarball: string } }>;
};

async function publishAll(name: string, versions: string[]) {
  for (const version of versions) expect((await api.publish({ name, version }, w.keys.full)).status).toBe(201);
}
async function read(name: string, key = w.keys.full): Promise<Doc> {
  const res = await api.get(`${name.replace("/", "%2f")}?write=true`, { key });
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

describe("npm deprecate: PUT /{name} with the packument", () => {
  beforeAll(() => publishAll("dep-me", ["1.0.0", "1.1.0", "2.0.0"]));

  it("deprecates the versions that carry a message, and undeprecates with an empty one", async () => {
    const doc = await read("dep-me");
    doc.versions["1.0.0"]!.deprecated = "Use 2.x";
    doc.versions["1.1.0"]!.deprecated = "Use 2.x";
    const res = await api.put("dep-me", doc, { key: w.keys.unlistOnly });
    expect(res.status).toBe(200);
    let after = await read("dep-me");
    expect([after.versions["1.0.0"]!.deprecated, after.versions["1.1.0"]!.deprecated, after.versions["2.0.0"]!.deprecated]).toEqual([
      "Use 2.x",
      "Use 2.x",
      undefined,
    ]);

    after.versions["1.1.0"]!.deprecated = "";
    expect((await api.put("dep-me", after, { key: w.keys.full })).status).toBe(200);
    after = await read("dep-me");
    expect(after.versions["1.0.0"]!.deprecated).toBe("Use 2.x");
    expect(after.versions["1.1.0"]!.deprecated).toBeUndefined();
  });

  it("needs the unlist scope and ownership", async () => {
    const doc = await read("dep-me");
    doc.versions["2.0.0"]!.deprecated = "nope";
    const scope = await api.put("dep-me", doc, { key: w.keys.updateOnly });
    expect(scope.status).toBe(403);
    expect(await errorOf(scope)).toBe('This API key does not have the "unlist" scope.');
    const owner = await api.put("dep-me", doc, { key: w.keys.bob });
    expect(owner.status).toBe(403);
    expect(await errorOf(owner)).toBe('User "bob" is not an owner of package "dep-me".');
    const revoked = await api.put("dep-me", doc, { key: w.keys.revoked });
    expect(revoked.status).toBe(403);
    expect(await errorOf(revoked)).toBe(MESSAGES.invalidKey);
    expect((await read("dep-me")).versions["2.0.0"]!.deprecated).toBeUndefined();
  });

  it("refuses a stale revision with 409, and versions the feed does not have with 400", async () => {
    const doc = await read("dep-me");
    const stale = await api.put("dep-me", { ...doc, _rev: "1-0000" }, { key: w.keys.full });
    expect(stale.status).toBe(409);
    expect(await errorOf(stale)).toMatch(
      /^Package "dep-me" has changed since it was read \(revision 1-0000, now \d+-[0-9a-f]+\)\. Fetch it again and retry\.$/,
    );
    const extra = await api.put("dep-me", { ...doc, versions: { ...doc.versions, "9.0.0": { name: "dep-me", version: "9.0.0" } } }, { key: w.keys.full });
    expect(extra.status).toBe(400);
    expect(await errorOf(extra)).toBe('Version 9.0.0 of package "dep-me" is not published in feed "npm"; publish new versions with npm publish.');
    const bad = await api.put("dep-me", { ...doc, versions: { ...doc.versions, "1.0.0": { ...doc.versions["1.0.0"], deprecated: 42 } } }, { key: w.keys.full });
    expect(bad.status).toBe(400);
    expect((await api.put("dep-me", [1, 2], { key: w.keys.full })).status).toBe(400);
    expect((await api.put("dep-me", { name: "dep-me" }, { key: w.keys.full })).status).toBe(400);
  });

  it("answers 404 for a package that does not exist, to a key that may read", async () => {
    const res = await api.put("not-here", { name: "not-here", versions: {} }, { key: w.keys.full });
    expect(res.status).toBe(404);
    const wrong = await api.put("not-here", { name: "not-here", versions: {} }, { key: w.keys.wrong });
    expect(wrong.status).toBe(403);
  });
});

describe("npm unpublish", () => {
  beforeAll(async () => {
    await publishAll("unpub-me", ["1.0.0", "1.1.0", "2.0.0"]);
    await publishAll("@acme/unpub-all", ["1.0.0", "1.0.1"]);
    expect((await api.put("-/package/unpub-me/dist-tags/stable", "2.0.0", { key: w.keys.full })).status).toBe(200);
  });

  it("one version: PUT the packument without it to -rev, then DELETE its tarball at the new rev", async () => {
    const doc = await read("unpub-me");
    const dist = doc.versions["2.0.0"]!.dist;
    delete doc.versions["2.0.0"];
    // What libnpmpublish does to the tags before sending.
    doc["dist-tags"] = { latest: "1.1.0" };

    const put = await api.put(`unpub-me/-rev/${doc._rev}`, doc, { key: w.keys.unlistOnly });
    expect(put.status).toBe(200);
    const { _rev } = await read("unpub-me");
    const tarballPath = new URL(dist.tarball).pathname.slice(new URL(w.registry).pathname.length);
    const del = await api.del(`${tarballPath}/-rev/${_rev}`, { key: w.keys.unlistOnly });
    expect(del.status).toBe(200);

    const after = await read("unpub-me");
    expect(Object.keys(after.versions)).toEqual(["1.0.0", "1.1.0"]);
    expect(after["dist-tags"]).toEqual({ latest: "1.1.0" });
    expect((await api.get("unpub-me/-/unpub-me-2.0.0.tgz", { key: w.keys.full })).status).toBe(404);
    // The version number stays used, as on the npm registry.
    const again = await api.publish({ name: "unpub-me", version: "2.0.0" }, w.keys.full);
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toBe("You cannot publish over the previously published versions: 2.0.0.");
    const row = await w.db.packageVersion.findFirst({ where: { version: "2.0.0", package: { name: "unpub-me" } } });
    expect(row?.listed).toBe(false);
  });

  it("removes versions only through -rev, and never all of them that way", async () => {
    const doc = await read("unpub-me");
    const { "1.0.0": _gone, ...rest } = doc.versions;
    const plain = await api.put("unpub-me", { ...doc, versions: rest }, { key: w.keys.full });
    expect(plain.status).toBe(400);
    expect(await errorOf(plain)).toBe('The packument leaves out version(s) 1.0.0 of package "unpub-me". To unpublish, use npm unpublish.');
    const all = await api.put(`unpub-me/-rev/${doc._rev}`, { ...doc, versions: {} }, { key: w.keys.full });
    expect(all.status).toBe(400);
    expect(await errorOf(all)).toBe(
      'The packument leaves out every version of package "unpub-me". To unpublish the whole package, use npm unpublish unpub-me --force.',
    );
    expect(Object.keys((await read("unpub-me")).versions)).toEqual(["1.0.0", "1.1.0"]);
  });

  it("a DELETE of the tarball alone unpublishes that version", async () => {
    const { _rev } = await read("unpub-me");
    expect((await api.del(`unpub-me/-/unpub-me-1.0.0.tgz/-rev/${_rev}`, { key: w.keys.full })).status).toBe(200);
    expect(Object.keys((await read("unpub-me")).versions)).toEqual(["1.1.0"]);
    const unknown = await api.del(`unpub-me/-/unpub-me-8.0.0.tgz/-rev/${(await read("unpub-me"))._rev}`, { key: w.keys.full });
    expect(unknown.status).toBe(404);
  });

  it("needs the unlist scope and the right revision", async () => {
    const { _rev } = await read("@acme/unpub-all");
    const scope = await api.del(`@acme%2funpub-all/-rev/${_rev}`, { key: w.keys.pushOnly });
    expect(scope.status).toBe(403);
    expect(await errorOf(scope)).toBe('This API key does not have the "unlist" scope.');
    const pkg = await api.del(`@acme%2funpub-all/-rev/${_rev}`, { key: w.keys.otherPackage });
    expect(pkg.status).toBe(403);
    expect(await errorOf(pkg)).toBe('This API key is not allowed for package "@acme/unpub-all".');
    const none = await api.del(`@acme%2funpub-all/-rev/${_rev}`);
    expect(none.status).toBe(401);
    const stale = await api.del("@acme%2funpub-all/-rev/3-deadbeef", { key: w.keys.full });
    expect(stale.status).toBe(409);
    expect(Object.keys((await read("@acme/unpub-all")).versions)).toEqual(["1.0.0", "1.0.1"]);
  });

  it("the whole package: DELETE /{name}/-rev/{rev}, then it is gone", async () => {
    const { _rev } = await read("@acme/unpub-all");
    const res = await api.del(`@acme%2funpub-all/-rev/${_rev}`, { key: w.keys.full });
    expect(res.status).toBe(200);
    const gone = await api.get("@acme%2funpub-all", { key: w.keys.full });
    expect(gone.status).toBe(404);
    expect(await errorOf(gone)).toBe('Package "@acme/unpub-all" was not found in feed "npm".');
    expect((await api.get("@acme/unpub-all/-/unpub-all-1.0.0.tgz", { key: w.keys.full })).status).toBe(404);
    // Its owner can publish a new version later; the old numbers stay used.
    expect((await api.publish({ name: "@acme/unpub-all", version: "1.0.1" }, w.keys.full)).status).toBe(409);
    expect((await api.publish({ name: "@acme/unpub-all", version: "2.0.0" }, w.keys.updateOnly)).status).toBe(201);
    expect((await read("@acme/unpub-all"))["dist-tags"]).toEqual({ latest: "2.0.0" });
  });
});

describe("dist-tags", () => {
  beforeAll(() => publishAll("tag-me", ["1.0.0", "2.0.0"]));

  it("adds, moves, lists and removes tags", async () => {
    const add = await api.put("-/package/tag-me/dist-tags/beta", "1.0.0", { key: w.keys.updateOnly });
    expect(add.status).toBe(200);
    expect(await add.json()).toMatchObject({ ok: true, "dist-tags": { latest: "2.0.0", beta: "1.0.0" } });
    expect((await api.put("-/package/tag-me/dist-tags/beta", "2.0.0", { key: w.keys.pushOnly })).status).toBe(200);
    expect(await (await api.get("-/package/tag-me/dist-tags", { key: w.keys.full })).json()).toEqual({ latest: "2.0.0", beta: "2.0.0" });
    expect((await api.put("-/package/tag-me/dist-tags/latest", "1.0.0", { key: w.keys.full })).status).toBe(200);
    expect((await read("tag-me"))["dist-tags"]).toEqual({ latest: "1.0.0", beta: "2.0.0" });

    const rm = await api.del("-/package/tag-me/dist-tags/beta", { key: w.keys.full });
    expect(rm.status).toBe(200);
    expect(await (await api.get("-/package/tag-me/dist-tags", { key: w.keys.full })).json()).toEqual({ latest: "1.0.0" });
  });

  it("moving a tag needs push or update", async () => {
    const res = await api.put("-/package/tag-me/dist-tags/beta", "1.0.0", { key: w.keys.unlistOnly });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe('This API key cannot push new versions: it needs the "push" or "update" scope.');
    const owner = await api.del("-/package/tag-me/dist-tags/latest", { key: w.keys.bob });
    expect(owner.status).toBe(403);
    expect(await errorOf(owner)).toBe('User "bob" is not an owner of package "tag-me".');
  });

  it("refuses bad tags, bad bodies, unknown versions and removing latest", async () => {
    const range = await api.put("-/package/tag-me/dist-tags/1.x", "1.0.0", { key: w.keys.full });
    expect(range.status).toBe(400);
    expect(await errorOf(range)).toBe('"1.x" is not a valid dist-tag: use URL-safe characters and nothing that reads as a version range.');
    const notString = await api.put("-/package/tag-me/dist-tags/beta", { version: "1.0.0" }, { key: w.keys.full });
    expect(notString.status).toBe(400);
    expect(await errorOf(notString)).toBe('The request body must be the version as a JSON string, e.g. "1.0.0".');
    const unknown = await api.put("-/package/tag-me/dist-tags/beta", "7.0.0", { key: w.keys.full });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe('Version 7.0.0 of package "tag-me" was not found in feed "npm".');
    const latest = await api.del("-/package/tag-me/dist-tags/latest", { key: w.keys.full });
    expect(latest.status).toBe(400);
    const missing = await api.del("-/package/tag-me/dist-tags/nope", { key: w.keys.full });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toBe('Package "tag-me" has no dist-tag "nope".');
    const noPkg = await api.get("-/package/nope-nope/dist-tags", { key: w.keys.full });
    expect(noPkg.status).toBe(404);
  });
});
