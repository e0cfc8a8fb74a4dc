// The decision is taken again where the version commits (docs/authorization.md): a push
// is paused between the gate and its transaction (services.hooks.beforeVersionCommit),
// another push or a revocation runs to completion, then the paused push goes on. Real
// HTTP, a real server and database, for each feed type.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createFeed, createUser, grantFeed } from "../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { callerFor, startServer, TEST_PASSWORD, TEST_SECRET, testConfig } from "../test/server.ts";
import { buildGem } from "./formats/gem.fixtures.ts";
import { buildNpmPublishBody } from "./formats/npm.fixtures.ts";
import { buildNupkg, nugetPushBody } from "./formats/nuget.fixtures.ts";
import type { FeedWriteHooks } from "./decide-at-commit.ts";

type Ecosystem = {
  feed: string;
  type: "npm" | "nuget" | "rubygems";
  /** A new package id, in this ecosystem's spelling. */
  id: (n: string) => string;
  push: (key: string, id: string, version: string) => Promise<Response>;
  /** The refusal's message, from this feed's error body. */
  errorOf: (res: Response) => Promise<string>;
};

let t: TestDatabase;
let dataDir: string;
let server: Awaited<ReturnType<typeof startServer>>;
let users: { alice: { id: number }; bob: { id: number } };
let aliceUser: Parameters<typeof callerFor>[1];
const feedIds = new Map<string, number>();

const jsonError = async (res: Response) => ((await res.json()) as { error?: string }).error ?? "";

const ECOSYSTEMS: Ecosystem[] = [
  {
    feed: "js",
    type: "npm",
    id: (n) => `race-${n}`,
    push: (key, id, version) => {
      const registry = `${server.url}/npm/js/`;
      const fixture = buildNpmPublishBody({ registry, name: id, version });
      return fetch(registry + fixture.urlName, {
        method: "PUT",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(fixture.body),
      });
    },
    errorOf: jsonError,
  },
  {
    feed: "dotnet",
    type: "nuget",
    id: (n) => `Race.${n}`,
    push: (key, id, version) => {
      const { body, contentType } = nugetPushBody(buildNupkg({ id, version }));
      return fetch(`${server.url}/nuget/dotnet/api/v2/package`, { method: "PUT", headers: { "content-type": contentType, "x-nuget-apikey": key }, body });
    },
    errorOf: jsonError,
  },
  {
    feed: "gems",
    type: "rubygems",
    id: (n) => `race_${n}`,
    push: (key, id, version) =>
      fetch(`${server.url}/rubygems/gems/api/v1/gems`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream", authorization: key },
        body: buildGem({ name: id, version }),
      }),
    errorOf: async (res) => (await res.text()).trimEnd(),
  },
];

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-race-"));
  const alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  const bob = await createUser(t.db, { username: "bob", password: TEST_PASSWORD });
  users = { alice, bob };
  aliceUser = alice;
  for (const e of ECOSYSTEMS) {
    const feed = await createFeed(t.db, { name: e.feed, type: e.type });
    feedIds.set(e.feed, feed.id);
    for (const u of [alice, bob]) await grantFeed(t.db, u.id, feed.id);
  }
  server = await startServer(t.db, testConfig({ dataDir }));
});

afterAll(async () => {
  await server.close();
  await t.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  server.services.hooks.beforeVersionCommit = undefined;
  server.services.hooks.afterCommitDecision = undefined;
});

const keyFor = async (ownerId: number) => createApiKey(t.db, TEST_SECRET, { ownerId, scopes: ["push", "update", "unlist"] });

/**
 * Holds the first push that reaches the commit hook until release(); later pushes pass
 * straight through. `reached` resolves once the first push is held there.
 */
function holdFirstPush(at: "beforeVersionCommit" | "afterCommitDecision" = "beforeVersionCommit") {
  let reached!: (info: Parameters<NonNullable<FeedWriteHooks["beforeVersionCommit"]>>[0]) => void;
  let release!: () => void;
  const atHook = new Promise<Parameters<typeof reached>[0]>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  let held = false;
  server.services.hooks[at] = async (info) => {
    if (held) return;
    held = true;
    reached(info);
    await released;
  };
  return { atHook, release };
}

/** Waits until `push` is held at the hook; a push answered before it got there fails the test at once. */
async function heldAt(hold: ReturnType<typeof holdFirstPush>, push: Promise<Response>) {
  let held = false;
  const answered = push.then(async (res): Promise<never> => {
    if (held) return new Promise<never>(() => {});
    throw new Error(`The push was answered (${res.status} ${await res.clone().text()}) before it reached the commit.`);
  });
  return Promise.race([hold.atHook.then((info) => ((held = true), info)), answered]);
}

/** Files in the package store for one package (the store's own naming). */
function storedFiles(feed: string, id: string): string[] {
  const dir = path.join(dataDir, "packages", feed, id.toLowerCase().replace(/[^a-z0-9._-]+/g, "_"));
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

async function packageRow(feed: string, id: string) {
  return t.db.package.findUnique({
    where: { feedId_nameLower: { feedId: feedIds.get(feed)!, nameLower: id.toLowerCase() } },
    include: { owners: true, versions: { orderBy: { version: "asc" } }, distTags: true },
  });
}

describe.each(ECOSYSTEMS)("$type feed: the decision is taken again at commit", (e) => {
  it("answers 409 to the loser of a first-push race and stores nothing of it", async () => {
    const id = e.id("contested");
    const alice = await keyFor(users.alice.id);
    const bob = await keyFor(users.bob.id);

    const hold = holdFirstPush();
    const alicePush = e.push(alice.value, id, "1.0.0");
    expect(await heldAt(hold, alicePush)).toEqual({ feed: e.feed, packageId: id, version: "1.0.0" });
    const bobPush = await e.push(bob.value, id, "2.0.0");
    expect(bobPush.status, await bobPush.clone().text()).toBeLessThan(300);
    hold.release();
    const lost = await alicePush;

    expect(lost.status).toBe(409);
    expect(await e.errorOf(lost)).toBe(`Package "${id}" was just created in feed "${e.feed}" by another user; your push was not stored.`);
    const pkg = await packageRow(e.feed, id);
    expect(pkg?.owners.map((o) => o.userId)).toEqual([users.bob.id]);
    expect(pkg?.versions.map((v) => [v.version, v.pushedById, v.pushedWithKeyId])).toEqual([["2.0.0", users.bob.id, bob.key.id]]);
    // Only bob's file: alice's was stored before her transaction and removed again.
    expect(storedFiles(e.feed, id)).toEqual([path.basename(pkg!.versions[0]!.filePath)]);
    if (e.type === "npm") expect(pkg?.distTags.map((d) => [d.tag, d.version])).toEqual([["latest", "2.0.0"]]);
  });

  // PostgreSQL runs both transactions at once: alice's has decided (a new id) when bob's
  // commits, and her insert of the package then conflicts; the retry decides again.
  it.runIf(testProvider === "postgres")("answers 409 to a first push whose transaction overlapped the winner's", async () => {
    const id = e.id("overlapped");
    const alice = await keyFor(users.alice.id);
    const bob = await keyFor(users.bob.id);

    const hold = holdFirstPush("afterCommitDecision");
    const alicePush = e.push(alice.value, id, "1.0.0");
    await heldAt(hold, alicePush);
    const bobPush = await e.push(bob.value, id, "2.0.0");
    expect(bobPush.status, await bobPush.clone().text()).toBeLessThan(300);
    hold.release();
    const lost = await alicePush;

    expect(lost.status).toBe(409);
    expect(await e.errorOf(lost)).toBe(`Package "${id}" was just created in feed "${e.feed}" by another user; your push was not stored.`);
    const pkg = await packageRow(e.feed, id);
    expect(pkg?.owners.map((o) => o.userId)).toEqual([users.bob.id]);
    expect(pkg?.versions.map((v) => v.version)).toEqual(["2.0.0"]);
    expect(storedFiles(e.feed, id)).toEqual([path.basename(pkg!.versions[0]!.filePath)]);
  });

  it("answers 403 with the invalid-key message to a push whose key was revoked in flight, and stores nothing", async () => {
    const id = e.id("revoked");
    const alice = await keyFor(users.alice.id);

    const hold = holdFirstPush();
    const push = e.push(alice.value, id, "1.0.0");
    await heldAt(hold, push);
    await callerFor(t.db, aliceUser).keys.revoke({ id: alice.key.id, reason: "leaked" });
    hold.release();
    const res = await push;

    expect(res.status).toBe(403);
    expect(await e.errorOf(res)).toBe(MESSAGES.invalidKey);
    expect(await packageRow(e.feed, id)).toBeNull();
    expect(storedFiles(e.feed, id)).toEqual([]);
  });

  it("stores both of one user's concurrent first pushes of a new id", async () => {
    const id = e.id("twice");
    const alice = await keyFor(users.alice.id);

    const hold = holdFirstPush();
    const first = e.push(alice.value, id, "1.0.0");
    await heldAt(hold, first);
    const second = await e.push(alice.value, id, "1.1.0");
    expect(second.status, await second.clone().text()).toBeLessThan(300);
    hold.release();
    const res = await first;

    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const pkg = await packageRow(e.feed, id);
    expect(pkg?.owners.map((o) => o.userId)).toEqual([users.alice.id]);
    expect(pkg?.versions.map((v) => [v.version, v.pushedById])).toEqual([
      ["1.0.0", users.alice.id],
      ["1.1.0", users.alice.id],
    ]);
    expect(storedFiles(e.feed, id)).toHaveLength(2);
  });
});
