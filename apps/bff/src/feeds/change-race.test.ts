// Feed changes other than pushes (unlist, relist, yank, deprecate, unpublish, dist-tags)
// take the decision again where they commit (docs/authorization.md): each is paused
// between the gate and its transaction (services.hooks.beforeChangeCommit), its key is
// revoked through the real tRPC procedure, and the change must then store nothing.
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createFeed, createPackage, createUser, grantFeed } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { callerFor, startServer, TEST_PASSWORD, TEST_SECRET, testConfig } from "../test/server.ts";
import type { FeedWriteHooks } from "./decide-at-commit.ts";
import { loadNpmPackage } from "./domain/npm.ts";
import { revisionOf } from "./npm/packument.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof createUser>>;
const feedIds: Record<"nuget" | "npm" | "gems", number> = { nuget: 0, npm: 0, gems: 0 };

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  for (const [name, type] of [
    ["nuget", "nuget"],
    ["npm", "npm"],
    ["gems", "rubygems"],
  ] as const) {
    const feed = await createFeed(t.db, { name, type });
    feedIds[name] = feed.id;
    await grantFeed(t.db, alice.id, feed.id);
  }
  server = await startServer(t.db, testConfig({ dataDir: "/nonexistent" }));
});

afterAll(async () => {
  await server.close();
  await t.drop();
});

afterEach(() => {
  server.services.hooks.beforeChangeCommit = undefined;
});

/** alice's package with versions 1.0.0 and 1.1.0 (1.0.0 unlisted when asked), and npm's tags. */
async function seed(feed: keyof typeof feedIds, name: string, { unlisted = false } = {}) {
  const pkg = await createPackage(t.db, { feedId: feedIds[feed], name, ownerIds: [alice.id] });
  for (const version of ["1.0.0", "1.1.0"]) {
    await t.db.packageVersion.create({
      data: {
        packageId: pkg.id,
        version,
        versionLower: version,
        listed: !(unlisted && version === "1.0.0"),
        filePath: `${feed}/${name}/${version}`,
        fileSize: 1,
        sha512: "x",
        pushedById: alice.id,
      },
    });
  }
  if (feed === "npm")
    await t.db.distTag.createMany({
      data: [
        { packageId: pkg.id, tag: "latest", version: "1.1.0" },
        { packageId: pkg.id, tag: "beta", version: "1.0.0" },
      ],
    });
  return pkg;
}

/** What a change could alter: listing, deprecation and tags. */
async function stateOf(packageId: number) {
  const versions = await t.db.packageVersion.findMany({
    where: { packageId },
    orderBy: { id: "asc" },
    select: { version: true, listed: true, deprecated: true },
  });
  const tags = await t.db.distTag.findMany({ where: { packageId }, orderBy: { tag: "asc" }, select: { tag: true, version: true } });
  return { versions, tags };
}

type Info = Parameters<NonNullable<FeedWriteHooks["beforeChangeCommit"]>>[0];

/** Holds the next change that reaches the commit hook until release(). */
function holdNextChange() {
  let reached!: (info: Info) => void;
  let release!: () => void;
  const atHook = new Promise<Info>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  server.services.hooks.beforeChangeCommit = async (info) => {
    reached(info);
    await released;
  };
  return { atHook, release };
}

const npmRev = async (name: string) => revisionOf((await loadNpmPackage(t.db, feedIds.npm, name))!);

type Case = {
  what: string;
  feed: keyof typeof feedIds;
  name: string;
  action: Info["action"];
  unlisted?: boolean;
  send: (key: string, name: string) => Promise<Response>;
  /** The refusal's message from this feed's error body. */
  errorOf?: (res: Response) => Promise<string>;
};

const npmUrl = (path: string) => `${server.url}/npm/npm/${path}`;
const npmSend = (method: string, path: string, key: string, body?: unknown) =>
  fetch(npmUrl(path), {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const CASES: Case[] = [
  {
    what: "NuGet unlist",
    feed: "nuget",
    name: "Change.Unlist",
    action: "unlist",
    send: (key, name) => fetch(`${server.url}/nuget/nuget/api/v2/package/${name}/1.0.0`, { method: "DELETE", headers: { "x-nuget-apikey": key } }),
  },
  {
    what: "NuGet relist",
    feed: "nuget",
    name: "Change.Relist",
    action: "unlist",
    unlisted: true,
    send: (key, name) => fetch(`${server.url}/nuget/nuget/api/v2/package/${name}/1.0.0`, { method: "POST", headers: { "x-nuget-apikey": key } }),
  },
  {
    what: "gem yank",
    feed: "gems",
    name: "change_yank",
    action: "unlist",
    send: (key, name) =>
      fetch(`${server.url}/rubygems/gems/api/v1/gems/yank`, {
        method: "DELETE",
        headers: { authorization: key, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ gem_name: name, version: "1.0.0" }).toString(),
      }),
    errorOf: async (res) => (await res.text()).trimEnd(),
  },
  {
    what: "npm deprecate",
    feed: "npm",
    name: "change-deprecate",
    action: "unlist",
    send: (key, name) => npmSend("PUT", name, key, { name, versions: { "1.0.0": { deprecated: "use 1.1.0" }, "1.1.0": {} } }),
  },
  {
    what: "npm unpublish",
    feed: "npm",
    name: "change-unpublish",
    action: "unlist",
    send: async (key, name) => npmSend("DELETE", `${name}/-rev/${await npmRev(name)}`, key),
  },
  {
    what: "npm dist-tag add",
    feed: "npm",
    name: "change-tag-add",
    action: "push",
    send: (key, name) => npmSend("PUT", `-/package/${name}/dist-tags/next`, key, "1.0.0"),
  },
  {
    what: "npm dist-tag rm",
    feed: "npm",
    name: "change-tag-rm",
    action: "push",
    send: (key, name) => npmSend("DELETE", `-/package/${name}/dist-tags/beta`, key),
  },
];

describe.each(CASES)("$what decides again at commit", (c) => {
  it("answers 403 with the invalid-key message to a key revoked while the change was in flight, and changes nothing", async () => {
    const pkg = await seed(c.feed, c.name, { unlisted: c.unlisted ?? false });
    const before = await stateOf(pkg.id);
    const key = await createApiKey(t.db, TEST_SECRET, { ownerId: alice.id, scopes: ["push", "update", "unlist"] });

    const hold = holdNextChange();
    const change = c.send(key.value, c.name);
    expect(await hold.atHook).toEqual({ feed: c.feed, packageId: c.name, action: c.action });
    await callerFor(t.db, alice).keys.revoke({ id: key.key.id, reason: "leaked" });
    hold.release();
    const res = await change;

    expect(res.status).toBe(403);
    expect(await (c.errorOf ?? (async (r: Response) => ((await r.json()) as { error: string }).error))(res)).toBe(MESSAGES.invalidKey);
    expect(await stateOf(pkg.id)).toEqual(before);
  });
});

describe("the Native API's Packages_SetListed decides again at commit", () => {
  it("answers 403 with the invalid-key message to a key revoked while the unlist was in flight, and changes nothing", async () => {
    const pkg = await seed("nuget", "Change.Native");
    const before = await stateOf(pkg.id);
    const root = await createUser(t.db, { username: "root", password: TEST_PASSWORD, role: "admin" });
    const key = await createApiKey(t.db, TEST_SECRET, { kind: "system", apis: ["native"], userId: alice.id });

    const hold = holdNextChange();
    const change = fetch(`${server.url}/api/json/Packages_SetListed`, {
      method: "POST",
      headers: { "x-apikey": key.value, "content-type": "application/json" },
      body: JSON.stringify({ Feed_Name: "nuget", Package_Name: "change.native", Version_Text: "1.0.0", Listed_Indicator: false }),
    });
    expect(await hold.atHook).toEqual({ feed: "nuget", packageId: "Change.Native", action: "unlist" });
    await callerFor(t.db, root).adminKeys.revoke({ id: key.key.id, reason: "leaked" });
    hold.release();
    const res = await change;

    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe(MESSAGES.invalidKey);
    expect(await stateOf(pkg.id)).toEqual(before);
  });
});
