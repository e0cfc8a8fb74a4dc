// Packages chosen by name are bound to their feed (docs/authorization.md): a key made for
// alice's NuGet "Contoso.Core" is no key for a package of that name on another feed, pushed
// by anyone. The keys are made by the real lifecycle and judged by the one authorize the
// feeds call.
import { authorize, type AccessRequest, type CallerUserFacts } from "@keyhouse/shared";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFeed, createPackage, createUser } from "../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { outcome } from "../test/outcome.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import type { Caller } from "../auth/caller.ts";
import { createScopedKey, updateKeyPackages } from "./lifecycle.ts";
import { toKeyFacts } from "./views.ts";

let t: TestDatabase;
let alice: Awaited<ReturnType<typeof createUser>>;
let viewer: Caller;

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  viewer = { id: alice.id, username: "alice", ip: null, isAdmin: false };
  const nuget = await createFeed(t.db, { name: "nuget", type: "nuget" });
  const nugetB = await createFeed(t.db, { name: "nuget-b", type: "nuget" });
  await createFeed(t.db, { name: "npm", type: "npm" });
  await createPackage(t.db, { feedId: nuget.id, name: "Contoso.Core", ownerIds: [alice.id] });
  await createPackage(t.db, { feedId: nugetB.id, name: "Contoso.Core", ownerIds: [alice.id] });
  await createPackage(t.db, { feedId: nuget.id, name: "Contoso.Web", ownerIds: [alice.id] });
});
afterAll(() => t.drop());

const deps = () => ({ db: t.db, secret: TEST_SECRET });
let n = 0;
const makeKey = (packages: string[]) =>
  createScopedKey(deps(), viewer, { name: `key ${++n}`, scopes: ["push", "update"], packages, glob: undefined, expiresInDays: 30 });

/** Alice, with every privilege on every feed: only the key's packages can refuse. */
const actor = (ownsPackage: boolean): CallerUserFacts => ({
  id: alice.id,
  username: "alice",
  disabled: false,
  isAdmin: false,
  privileges: { view: true, add: true, unlist: true },
  ownsPackage,
});

async function decide(keyId: number, feed: string, packageId: string, packageExists: boolean) {
  const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
  const req: AccessRequest = { surface: "feeds", feed, action: "push", packageId, packageExists };
  return authorize(toKeyFacts(row), req, actor(packageExists), new Date());
}

describe("packages chosen by name", () => {
  it("let the key push that package on its own feed only, not a same-named one elsewhere", async () => {
    const { key } = await makeKey(["Contoso.Web"]);
    expect(await decide(key.id, "nuget", "Contoso.Web", true)).toMatchObject({ allowed: true });
    const npm = await decide(key.id, "npm", "contoso.web", false);
    expect(npm).toMatchObject({ allowed: false, reason: "package", message: 'This API key is not allowed for package "contoso.web".' });
  });

  it("bind a name owned on two feeds to both, and a feed/id entry to that feed alone", async () => {
    const both = await makeKey(["contoso.core"]);
    expect(await decide(both.key.id, "nuget", "Contoso.Core", true)).toMatchObject({ allowed: true });
    expect(await decide(both.key.id, "nuget-b", "Contoso.Core", true)).toMatchObject({ allowed: true });
    expect(await decide(both.key.id, "npm", "contoso.core", false)).toMatchObject({ allowed: false, reason: "package" });

    const one = await makeKey(["nuget-b/contoso.core"]);
    expect(await decide(one.key.id, "nuget-b", "Contoso.Core", true)).toMatchObject({ allowed: true });
    expect(await decide(one.key.id, "nuget", "Contoso.Core", true)).toMatchObject({ allowed: false, reason: "package" });
    // People and the APIs see the ids, as chosen.
    expect(one.key.packages).toEqual(["Contoso.Core"]);
  });

  it("refuse a feed/id the owner does not own on that feed", async () => {
    expect(await outcome(makeKey(["npm/Contoso.Core"]))).toBe(
      'BAD_REQUEST: You do not own the package: "npm/Contoso.Core". Choose from the packages you own, or use a glob pattern.',
    );
  });

  it("stay bound when the key's packages are edited", async () => {
    const { key } = await makeKey(["Contoso.Web"]);
    await updateKeyPackages(t.db, viewer, { id: key.id, packages: ["nuget/Contoso.Core"], glob: undefined });
    expect(await decide(key.id, "nuget", "Contoso.Core", true)).toMatchObject({ allowed: true });
    expect(await decide(key.id, "nuget-b", "Contoso.Core", true)).toMatchObject({ allowed: false, reason: "package" });
    expect(await decide(key.id, "npm", "contoso.core", false)).toMatchObject({ allowed: false, reason: "package" });
  });
});

describe("the migration that binds stored keys", () => {
  const migrationSql = (name: string) => {
    const dir = testProvider === "postgres" ? "prisma/postgres/migrations" : "prisma/migrations";
    return readFileSync(new URL(`../../../../${dir}/${name}/migration.sql`, import.meta.url), "utf8");
  };
  const runMigration = async (name: string) => {
    for (const statement of migrationSql(name)
      .split(/;\s*$/m)
      .filter((s) => s.replace(/--.*$/gm, "").trim()))
      await t.db.$executeRawUnsafe(statement);
  };
  const run = () => runMigration("20261204221500_bind_key_packages_and_shorten_hints");

  it("binds ids stored by name to the feeds where the owner owns them, drops the rest, and keeps bound entries", async () => {
    const row = await t.db.apiKey.create({
      data: {
        kind: "scoped",
        name: "stored before",
        ownerId: alice.id,
        secretHash: "h-stored-before",
        hint: "khk_…Ab12",
        scopes: '["push"]',
        packages: JSON.stringify(["Contoso.Core", "contoso.web", "Not.Owned", "nuget-b/Contoso.Core"]),
      },
    });
    await run();
    const after = await t.db.apiKey.findUniqueOrThrow({ where: { id: row.id } });
    expect((JSON.parse(after.packages) as string[]).sort()).toEqual(["nuget-b/Contoso.Core", "nuget/Contoso.Core", "nuget/Contoso.Web"]);
    expect(after.hint).toBe("khk_…Ab12");
    // Run twice, it changes nothing more.
    await run();
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: row.id } })).packages).toBe(after.packages);
  });

  it("shortens a custom system key's hint, and the name made from it, to the last 4 characters", async () => {
    const row = await t.db.apiKey.create({
      data: { kind: "system", name: "System key my-c…0001", secretHash: "h-custom-before", hint: "my-c…0001", apis: '["native"]', scopes: "[]" },
    });
    await run();
    expect(await t.db.apiKey.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ hint: "…0001", name: "System key …0001" });
  });

  it("shortens the hints the access log kept of custom and deleted keys, not of generated or legacy ones", async () => {
    const custom = await t.db.apiKey.create({
      data: { kind: "system", name: "custom logged", secretHash: "h-custom-logged", hint: "…0002", apis: '["native"]', scopes: "[]" },
    });
    const legacy = await t.db.apiKey.create({
      data: { kind: "legacy", name: "legacy logged", ownerId: alice.id, secretHash: "h-legacy-logged", hint: "0f8f…950e", scopes: "[]" },
    });
    const entry = (keyId: number, keyHint: string) =>
      t.db.accessLogEntry.create({
        data: { keyId, keyHint, keyStatus: "valid", surface: "native", method: "GET", path: "/api/json/Feeds_GetFeeds", status: 200, durationMs: 1 },
      });
    const logged = [
      await entry(custom.id, "my-c…0002"),
      await entry(legacy.id, "0f8f…950e"),
      await entry(987_654, "gone…0003"),
      await entry(custom.id, "khk_…Ab12"),
    ];
    await runMigration("20261204222500_shorten_custom_key_hints_in_access_log");
    const hints = await t.db.accessLogEntry.findMany({ where: { id: { in: logged.map((e) => e.id) } }, orderBy: { id: "asc" }, select: { keyHint: true } });
    expect(hints.map((h) => h.keyHint)).toEqual(["…0002", "0f8f…950e", "…0003", "khk_…Ab12"]);
  });
});
