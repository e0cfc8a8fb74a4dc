// docs/authorization.md over HTTP on this feed: who may push and yank, and the exact refusals.
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createUser, grantFeed } from "../../db/factories.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../../test/server.ts";
import { buildGem } from "../formats/gem.fixtures.ts";
import { DAY, startGemFeed, type GemFeed } from "./rubygems.fixtures.ts";
import { mistypedKeyValue } from "../../test/keys.ts";

let f: GemFeed;
let owner: string;
beforeAll(async () => {
  f = await startGemFeed();
  owner = await f.key({ scopes: ["push", "update", "unlist"] });
  for (const v of ["1.0.0", "1.1.0", "1.2.0"]) {
    const res = await push("owned", v, owner);
    expect(res.status).toBe(200);
  }
});
afterAll(() => f.close());

let n = 0;
function push(name: string, version = `0.0.${++n}`, key?: string) {
  return fetch(`${f.url}/api/v1/gems`, { method: "POST", headers: key === undefined ? {} : { authorization: key }, body: buildGem({ name, version }) });
}
function yank(name: string, version: string, key?: string) {
  return fetch(`${f.url}/api/v1/gems/yank`, {
    method: "DELETE",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(key === undefined ? {} : { authorization: key }) },
    body: new URLSearchParams({ gem_name: name, version }).toString(),
  });
}
async function expectRefused(res: Response, status: number, text: string) {
  expect({ status: res.status, text: await res.text() }).toEqual({ status, text: `${text}\n` });
}

describe("push refusals", () => {
  it("no key: 401 naming the Authorization header, without WWW-Authenticate", async () => {
    const res = await push("fresh");
    expect(res.headers.get("www-authenticate")).toBeNull();
    await expectRefused(res, 401, "This request needs an API key. Present it in the Authorization header.");
  });

  it("a Bearer or Basic header is not where a gem key goes", async () => {
    const res = await fetch(`${f.url}/api/v1/gems`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner}` },
      body: buildGem({ name: "fresh", version: "1.0.0" }),
    });
    expect(res.status).toBe(401);
  });

  it.each([
    ["a wrong key", async () => mistypedKeyValue()],
    ["an unknown legacy-shaped key", async () => "6f9619ff-8b86-d011-b42d-00cf4fc964ff"],
    ["an expired key", () => f.key({ expiresAt: new Date(Date.now() - DAY) })],
    ["a revoked key", () => f.key({ revokedAt: new Date(Date.now() - 1000) })],
  ])("%s: 403 with the invalid-key message", async (_label, make) => {
    await expectRefused(await push("fresh", undefined, await make()), 403, MESSAGES.invalidKey);
  });

  it("an Update-only key pushing a new id: 403 naming the push scope", async () => {
    const update = await f.key({ scopes: ["update"] });
    await expectRefused(
      await push("brand-new", undefined, update),
      403,
      'This API key does not have the "push" scope, which is needed to push a new package ID.',
    );
  });

  it("an Update-only key may push a new version of an existing gem", async () => {
    const update = await f.key({ scopes: ["update"] });
    expect((await push("owned", "2.0.0", update)).status).toBe(200);
  });

  it("a key for another package: 403 naming the package", async () => {
    const narrow = await f.key({ scopes: ["push"], packages: ["something-else"], globs: [] });
    await expectRefused(await push("owned", undefined, narrow), 403, 'This API key is not allowed for package "owned".');
  });

  it("a glob that does not match: 403; one that does: allowed", async () => {
    await expectRefused(await push("owned", undefined, await f.key({ globs: ["acme-*"] })), 403, 'This API key is not allowed for package "owned".');
    expect((await push("acme-tools", undefined, await f.key({ globs: ["ACME-*"] }))).status).toBe(200);
  });

  it("a key restricted to another feed: 403 naming this feed", async () => {
    const elsewhere = await f.key({ feeds: ["other-gems"] });
    await expectRefused(await push("fresh", undefined, elsewhere), 403, 'This API key is restricted to other feeds and cannot be used on feed "gems".');
  });

  it("a key without the feeds API: 403", async () => {
    const native = await f.key({ apis: ["native"] });
    await expectRefused(await push("fresh", undefined, native), 403, "This API key cannot call the feeds API.");
  });

  it("a user who does not own the gem: 403 naming the owner rule", async () => {
    const bobs = await f.key({ ownerId: f.bob.id, scopes: ["push", "update", "unlist"] });
    await expectRefused(await push("owned", undefined, bobs), 403, 'User "bob" is not an owner of package "owned".');
    await expectRefused(await yank("owned", "1.0.0", bobs), 403, 'User "bob" is not an owner of package "owned".');
  });

  it("a user without the add privilege: 403 naming it", async () => {
    // A user of their own: privileges are cached per user for a few seconds.
    const carol = await createUser(f.db, { username: "carol", password: TEST_PASSWORD });
    await grantFeed(f.db, carol.id, f.feed.id, { view: true, add: false, unlist: false });
    const carols = await f.key({ ownerId: carol.id });
    await expectRefused(await push("carols-gem", undefined, carols), 403, 'User "carol" does not have the "add" privilege on feed "gems".');
  });

  it("a legacy key pushes as its owner", async () => {
    const legacy = await f.legacyKey();
    expect((await push("owned", "3.0.0", legacy)).status).toBe(200);
    const row = await f.db.packageVersion.findFirst({ where: { version: "3.0.0", package: { name: "owned" } } });
    expect(row?.pushedById).toBe(f.alice.id);
  });

  it("the API key user (a system key with no user) pushes a new gem that then has no owner", async () => {
    const { value } = await createApiKey(f.db, TEST_SECRET, { kind: "system", ownerId: null, userId: null });
    expect((await push("ownerless", "1.0.0", value)).status).toBe(200);
    const pkg = await f.db.package.findFirst({ where: { name: "ownerless" }, include: { owners: true } });
    expect(pkg?.owners).toEqual([]);
  });

  it("ignores a key in another protocol's header", async () => {
    const res = await fetch(`${f.url}/api/v1/gems`, {
      method: "POST",
      headers: { authorization: owner, "x-nuget-apikey": "ignored-here" },
      body: buildGem({ name: "owned", version: "9.9.8" }),
    });
    expect(res.status).toBe(200);
  });
});

describe("yank refusals", () => {
  it("no key: 401", async () => {
    await expectRefused(await yank("owned", "1.0.0"), 401, "This request needs an API key. Present it in the Authorization header.");
  });

  it("a push-only key: 403 naming the unlist scope", async () => {
    await expectRefused(await yank("owned", "1.0.0", await f.key({ scopes: ["push", "update"] })), 403, 'This API key does not have the "unlist" scope.');
  });

  it("an expired key: 403 invalid", async () => {
    await expectRefused(await yank("owned", "1.0.0", await f.key({ scopes: ["unlist"], expiresAt: new Date(Date.now() - DAY) })), 403, MESSAGES.invalidKey);
  });

  it("a key for another package: 403", async () => {
    await expectRefused(
      await yank("owned", "1.0.0", await f.key({ scopes: ["unlist"], packages: ["x"], globs: [] })),
      403,
      'This API key is not allowed for package "owned".',
    );
  });

  it("an Unlist-only key yanks", async () => {
    const res = await yank("owned", "1.2.0", await f.key({ scopes: ["unlist"] }));
    expect(await res.text()).toBe("Successfully deleted gem: owned (1.2.0)\n");
  });
});
