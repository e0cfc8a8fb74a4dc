import { describe, expect, it } from "vitest";
import type { AccessRequest, CallerUserFacts, Decision, DenyReason, KeyFacts } from "./authorize.ts";
import { actingUserIdOf, authorize } from "./authorize.ts";
import { DAY_MS, MESSAGES } from "./constants.ts";

const now = new Date("2025-03-01T12:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms);

const ALICE = 1;
const BOB = 2;
const ADMIN = 3;

function scopedKey(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return {
    id: 10,
    kind: "scoped",
    revokedAt: null,
    expiresAt: at(30 * DAY_MS),
    apis: ["feeds"],
    scopes: ["push"],
    packages: ["Contoso.Core"],
    globs: [],
    feeds: null,
    ownerId: ALICE,
    userId: null,
    ...overrides,
  };
}

function systemKey(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return scopedKey({ kind: "system", apis: ["native"], scopes: [], packages: [], ownerId: null, expiresAt: null, ...overrides });
}

// Stored as scoped-less, api-less and restricted, to show that none of it matters for a legacy key on a feed.
function legacyKey(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return scopedKey({ kind: "legacy", apis: [], scopes: [], packages: [], feeds: ["nuget"], ownerId: BOB, expiresAt: null, ...overrides });
}

const everything = { view: true, add: true, unlist: true };

function user(id: number, username: string, overrides: Partial<CallerUserFacts> = {}): CallerUserFacts {
  return { id, username, disabled: false, isAdmin: false, privileges: everything, ownsPackage: true, ...overrides };
}
const alice = (overrides: Partial<CallerUserFacts> = {}) => user(ALICE, "alice", overrides);
const bob = (overrides: Partial<CallerUserFacts> = {}) => user(BOB, "bob", overrides);
const admin = (overrides: Partial<CallerUserFacts> = {}) => user(ADMIN, "admin", { isAdmin: true, privileges: null, ownsPackage: false, ...overrides });

const read = (packageId?: string, feed = "npm"): AccessRequest =>
  packageId === undefined ? { surface: "feeds", feed, action: "read" } : { surface: "feeds", feed, action: "read", packageId };
const pushNew = (packageId = "Contoso.Core", feed = "npm"): AccessRequest => ({ surface: "feeds", feed, action: "push", packageId, packageExists: false });
const pushExisting = (packageId = "Contoso.Core", feed = "npm"): AccessRequest => ({ surface: "feeds", feed, action: "push", packageId, packageExists: true });
const unlist = (packageId = "Contoso.Core", feed = "npm"): AccessRequest => ({ surface: "feeds", feed, action: "unlist", packageId });
const upload = (kind: "push" | "npm-put", feed = "npm"): AccessRequest => ({ surface: "feeds", feed, action: "upload", upload: kind });
const native: AccessRequest = { surface: "native" };
const nativeRead = (feed = "npm"): AccessRequest => ({ surface: "native", feed, action: "read" });
const nativeUnlist = (packageId = "Contoso.Core", feed = "npm"): AccessRequest => ({ surface: "native", feed, action: "unlist", packageId });
const keysApi: AccessRequest = { surface: "keys" };

type Expected = { allowed: true; actingUserId: number | null; warning?: string | null } | { allowed: false; reason: DenyReason; message: string };

type Case = [name: string, key: KeyFacts, req: AccessRequest, actor: CallerUserFacts | null, expected: Expected];

const allowAs = (actingUserId: number | null, warning: string | null = null): Expected => ({ allowed: true, actingUserId, warning });
const denied = (reason: DenyReason, message: string): Expected => ({ allowed: false, reason, message });

const cases: Case[] = [
  // 1. A valid key.
  ["a scoped key pushes a new id it names", scopedKey(), pushNew(), alice(), allowAs(ALICE)],
  ["a revoked key is invalid", scopedKey({ revokedAt: at(-1) }), pushNew(), alice(), denied("invalid", MESSAGES.invalidKey)],
  ["a key is expired from its expiry instant", scopedKey({ expiresAt: now }), pushNew(), alice(), denied("invalid", MESSAGES.invalidKey)],
  ["an expired system key is invalid", systemKey({ expiresAt: at(-DAY_MS) }), native, null, denied("invalid", MESSAGES.invalidKey)],
  ["a revoked legacy key is invalid", legacyKey({ revokedAt: at(-1) }), pushExisting(), bob(), denied("invalid", MESSAGES.invalidKey)],
  [
    "invalidity wins over every other failure",
    scopedKey({ revokedAt: at(-1), apis: [], scopes: [] }),
    unlist("Other"),
    null,
    denied("invalid", MESSAGES.invalidKey),
  ],

  // 2. APIs and feeds.
  ["feeds need the feeds API", scopedKey({ apis: ["native"] }), read(), alice(), denied("api", "This API key cannot call the feeds API.")],
  [
    "a feed restriction keeps the key off other feeds",
    scopedKey({ feeds: ["nuget"] }),
    pushNew(),
    alice(),
    denied("feed", 'This API key is restricted to other feeds and cannot be used on feed "npm".'),
  ],
  ["feed names compare case-insensitively", scopedKey({ feeds: ["nuget", "NPM"] }), pushNew(), alice(), allowAs(ALICE)],
  ["the Native API needs native", scopedKey({ apis: ["feeds", "keys"] }), native, alice(), denied("api", "This API key cannot call the Native API.")],
  [
    "the management API needs keys or native",
    scopedKey({ apis: ["feeds"] }),
    keysApi,
    alice(),
    denied("api", 'This API key cannot call the API-keys management API: it needs the "keys" or "native" API.'),
  ],
  ["the management API accepts keys", systemKey({ apis: ["keys"] }), keysApi, null, allowAs(null)],
  ["the management API accepts native", systemKey({ apis: ["native"] }), keysApi, null, allowAs(null)],
  ["a legacy key ignores its APIs and feed restriction on feeds", legacyKey(), pushExisting("Fabrikam.Logging"), bob(), allowAs(BOB)],
  ["a legacy key still needs native for the Native API", legacyKey(), native, bob(), denied("api", "This API key cannot call the Native API.")],
  ["a legacy key with native may call the Native API as its owner", legacyKey({ apis: ["native"] }), native, bob(), allowAs(BOB)],

  // 3. Scopes.
  ["reads need no scope", scopedKey({ scopes: [] }), read("Contoso.Core"), alice(), allowAs(ALICE)],
  [
    "a new id needs push, update is not enough",
    scopedKey({ scopes: ["update", "unlist"] }),
    pushNew(),
    alice(),
    denied("scope", 'This API key does not have the "push" scope, which is needed to push a new package ID.'),
  ],
  ["a new version is allowed with update", scopedKey({ scopes: ["update"] }), pushExisting(), alice(), allowAs(ALICE)],
  ["a new version is allowed with push", scopedKey({ scopes: ["push"] }), pushExisting(), alice(), allowAs(ALICE)],
  [
    "a new version needs push or update",
    scopedKey({ scopes: ["unlist"] }),
    pushExisting(),
    alice(),
    denied("scope", 'This API key cannot push new versions: it needs the "push" or "update" scope.'),
  ],
  ["unlisting needs unlist", scopedKey({ scopes: ["push", "update"] }), unlist(), alice(), denied("scope", 'This API key does not have the "unlist" scope.')],
  ["unlisting with unlist", scopedKey({ scopes: ["unlist"] }), unlist(), alice(), allowAs(ALICE)],
  ["a system key has every scope", systemKey({ apis: ["feeds"] }), unlist("Anything"), null, allowAs(null)],
  [
    "the scope is checked before the package",
    scopedKey({ scopes: [] }),
    pushNew("Other"),
    alice(),
    denied("scope", 'This API key does not have the "push" scope, which is needed to push a new package ID.'),
  ],

  // 4. Packages.
  [
    "a package the key does not name",
    scopedKey(),
    pushNew("Contoso.Web"),
    alice(),
    denied("package", 'This API key is not allowed for package "Contoso.Web".'),
  ],
  ["explicit ids compare case-insensitively", scopedKey(), pushNew("contoso.CORE"), alice(), allowAs(ALICE)],
  ["a glob covers the package", scopedKey({ packages: [], globs: ["Contoso.*"] }), pushNew("Contoso.Web"), alice(), allowAs(ALICE)],
  [
    "no packages and no globs deny by default",
    scopedKey({ packages: [], globs: [] }),
    pushNew(),
    alice(),
    denied("package", 'This API key is not allowed for package "Contoso.Core".'),
  ],
  [
    "reads of a named package are limited too",
    scopedKey(),
    read("Fabrikam.Logging"),
    alice(),
    denied("package", 'This API key is not allowed for package "Fabrikam.Logging".'),
  ],
  ["reads that name no package skip the package check", scopedKey({ packages: [] }), read(), alice(), allowAs(ALICE)],
  ["a legacy key covers every package", legacyKey(), unlist("Anything.At.All"), bob(), allowAs(BOB)],
  ["the package is checked before the user", scopedKey(), pushNew("Other"), null, denied("package", 'This API key is not allowed for package "Other".')],

  // 5. The acting user.
  ["a key acts as its owner", scopedKey(), read("Contoso.Core"), alice(), allowAs(ALICE)],
  ["a key with a user acts as that user", scopedKey({ userId: BOB }), pushNew(), bob(), allowAs(BOB)],
  [
    "the acting user must be the one looked up",
    scopedKey({ userId: BOB }),
    pushNew(),
    alice(),
    denied("privilege", "The user this API key acts as does not exist."),
  ],
  ["the acting user must exist", scopedKey(), pushNew(), null, denied("privilege", "The user this API key acts as does not exist.")],
  ["only a system key may act as the API key user", scopedKey({ ownerId: null }), pushNew(), null, denied("privilege", "This API key has no user to act as.")],
  ["an ownerless legacy key acts as nobody", legacyKey({ ownerId: null }), read(), null, denied("privilege", "This API key has no user to act as.")],
  ["a disabled user", scopedKey(), pushNew(), alice({ disabled: true }), denied("user-disabled", 'User "alice" is disabled.')],
  [
    "a disabled user even for an admin",
    scopedKey({ ownerId: ADMIN }),
    pushNew(),
    admin({ disabled: true }),
    denied("user-disabled", 'User "admin" is disabled.'),
  ],
  [
    "reads need view",
    scopedKey(),
    read(),
    alice({ privileges: { view: false, add: true, unlist: true } }),
    denied("privilege", 'User "alice" does not have the "view" privilege on feed "npm".'),
  ],
  [
    "pushes need add",
    scopedKey(),
    pushNew(),
    alice({ privileges: { view: true, add: false, unlist: true } }),
    denied("privilege", 'User "alice" does not have the "add" privilege on feed "npm".'),
  ],
  [
    "unlisting needs unlist",
    scopedKey({ scopes: ["unlist"] }),
    unlist(),
    alice({ privileges: { view: true, add: true, unlist: false } }),
    denied("privilege", 'User "alice" does not have the "unlist" privilege on feed "npm".'),
  ],
  [
    "no privileges on the feed at all",
    scopedKey(),
    read(undefined, "gems"),
    alice({ privileges: null }),
    denied("privilege", 'User "alice" does not have the "view" privilege on feed "gems".'),
  ],
  [
    "an impersonated user's privileges count, not the owner's",
    systemKey({ apis: ["feeds"], userId: BOB }),
    pushNew("Fabrikam.Logging"),
    bob({ privileges: { view: true, add: false, unlist: false } }),
    denied("privilege", 'User "bob" does not have the "add" privilege on feed "npm".'),
  ],
  [
    "a new version needs an owner",
    scopedKey(),
    pushExisting(),
    alice({ ownsPackage: false }),
    denied("owner", 'User "alice" is not an owner of package "Contoso.Core".'),
  ],
  [
    "unlisting needs an owner",
    scopedKey({ scopes: ["unlist"] }),
    unlist(),
    alice({ ownsPackage: false }),
    denied("owner", 'User "alice" is not an owner of package "Contoso.Core".'),
  ],
  ["a new id needs no owner", scopedKey(), pushNew(), alice({ ownsPackage: false }), allowAs(ALICE)],
  ["reads need no owner", scopedKey(), read("Contoso.Core"), alice({ ownsPackage: false }), allowAs(ALICE)],
  ["admins have every privilege and own everything", scopedKey({ ownerId: ADMIN, scopes: ["unlist"] }), unlist(), admin(), allowAs(ADMIN)],
  [
    "a legacy key acts as its owner, with the owner's privileges",
    legacyKey(),
    unlist("Contoso.Core"),
    bob({ ownsPackage: false }),
    denied("owner", 'User "bob" is not an owner of package "Contoso.Core".'),
  ],
  ["the API key user needs no user at all", systemKey({ apis: ["feeds"] }), pushExisting("X"), null, allowAs(null)],
  ["the API key user on the Native API", systemKey(), native, null, allowAs(null)],
  ["the Native API checks only that the user exists", systemKey({ userId: ALICE }), native, alice({ privileges: null, ownsPackage: false }), allowAs(ALICE)],
  [
    "the Native API refuses a disabled user",
    systemKey({ userId: ALICE }),
    native,
    alice({ disabled: true }),
    denied("user-disabled", 'User "alice" is disabled.'),
  ],
  [
    "the management API refuses a missing user",
    scopedKey({ apis: ["keys"] }),
    keysApi,
    null,
    denied("privilege", "The user this API key acts as does not exist."),
  ],

  // The gate before an upload's body: every step without the package.
  [
    "an upload passes with update alone: it may be a new version",
    scopedKey({ scopes: ["update"], packages: ["Other"] }),
    upload("push"),
    alice({ ownsPackage: false }),
    allowAs(ALICE),
  ],
  [
    "a push upload needs push or update",
    scopedKey({ scopes: ["unlist"] }),
    upload("push"),
    alice(),
    denied("scope", 'This API key cannot push packages: it needs the "push" or "update" scope.'),
  ],
  ["an npm publish PUT passes with unlist alone: it may be a deprecation", scopedKey({ scopes: ["unlist"] }), upload("npm-put"), alice(), allowAs(ALICE)],
  [
    "an npm publish PUT needs some write scope",
    scopedKey({ scopes: [] }),
    upload("npm-put"),
    alice(),
    denied("scope", 'This API key cannot publish or change packages: it needs the "push", "update" or "unlist" scope.'),
  ],
  [
    "an upload checks the feed restriction",
    scopedKey({ feeds: ["gems"] }),
    upload("push"),
    alice(),
    denied("feed", 'This API key is restricted to other feeds and cannot be used on feed "npm".'),
  ],
  ["an upload checks the API group", scopedKey({ apis: ["native"] }), upload("push"), alice(), denied("api", "This API key cannot call the feeds API.")],
  ["an upload checks the revocation", scopedKey({ revokedAt: at(-1) }), upload("push"), alice(), denied("invalid", MESSAGES.invalidKey)],
  [
    "a push upload needs the add privilege",
    scopedKey(),
    upload("push"),
    alice({ privileges: { view: true, add: false, unlist: true } }),
    denied("privilege", 'User "alice" does not have the "add" privilege on feed "npm".'),
  ],
  [
    "an npm publish PUT passes with the unlist privilege",
    scopedKey({ scopes: ["push", "unlist"] }),
    upload("npm-put"),
    alice({ privileges: { view: true, add: false, unlist: true } }),
    allowAs(ALICE),
  ],
  [
    "an npm publish PUT needs add or unlist",
    scopedKey(),
    upload("npm-put"),
    alice({ privileges: { view: true, add: false, unlist: false } }),
    denied("privilege", 'User "alice" does not have the "add" or "unlist" privilege on feed "npm".'),
  ],
  ["an upload checks the acting user exists", scopedKey(), upload("push"), null, denied("privilege", "The user this API key acts as does not exist.")],
  ["an upload checks the acting user is enabled", scopedKey(), upload("push"), alice({ disabled: true }), denied("user-disabled", 'User "alice" is disabled.')],
  ["a legacy key passes the upload gate as its owner", legacyKey(), upload("push"), bob({ ownsPackage: false }), allowAs(BOB)],
  ["the API key user passes the upload gate", systemKey({ apis: ["feeds"] }), upload("push"), null, allowAs(null)],

  // Warnings on allowed requests.
  [
    "10 days before expiry",
    scopedKey({ expiresAt: at(10 * DAY_MS) }),
    pushNew(),
    alice(),
    allowAs(ALICE, "This API key expires in 10 days, on 2025-03-11. Create a new key before then."),
  ],
  [
    "a few hours before expiry",
    scopedKey({ expiresAt: at(3 * 60 * 60 * 1000) }),
    pushNew(),
    alice(),
    allowAs(ALICE, "This API key expires in 1 day, on 2025-03-01. Create a new key before then."),
  ],
  ["more than 10 days before expiry", scopedKey({ expiresAt: at(10 * DAY_MS + 1) }), pushNew(), alice(), allowAs(ALICE, null)],
  ["a key that never expires", systemKey(), native, null, allowAs(null, null)],

  // The Native API on a feed's packages: the feeds' restriction, privilege and ownership steps.
  [
    "the Native API reads a feed the user may view",
    systemKey({ userId: ALICE }),
    nativeRead(),
    alice({ privileges: { view: true, add: false, unlist: false } }),
    allowAs(ALICE),
  ],
  [
    "the Native API reads a feed only with the view privilege",
    systemKey({ userId: ALICE }),
    nativeRead(),
    alice({ privileges: { view: false, add: true, unlist: true } }),
    denied("privilege", 'User "alice" does not have the "view" privilege on feed "npm".'),
  ],
  [
    "the Native API on a feed a restricted key does not name",
    systemKey({ feeds: ["nuget"] }),
    nativeRead("npm"),
    null,
    denied("feed", 'This API key is restricted to other feeds and cannot be used on feed "npm".'),
  ],
  ["a restricted key on its own feed, in any case", systemKey({ feeds: ["NuGet"] }), nativeUnlist("Contoso.Core", "nuget"), null, allowAs(null)],
  [
    "the feed restriction applies to a legacy key on the Native API",
    legacyKey({ apis: ["native"] }),
    nativeRead("npm"),
    bob(),
    denied("feed", 'This API key is restricted to other feeds and cannot be used on feed "npm".'),
  ],
  [
    "the API step comes before the feed",
    systemKey({ apis: ["feeds"], feeds: ["nuget"] }),
    nativeRead("npm"),
    null,
    denied("api", "This API key cannot call the Native API."),
  ],
  [
    "a Native unlist needs the unlist privilege",
    systemKey({ userId: ALICE }),
    nativeUnlist(),
    alice({ privileges: { view: true, add: true, unlist: false } }),
    denied("privilege", 'User "alice" does not have the "unlist" privilege on feed "npm".'),
  ],
  [
    "a Native unlist needs ownership",
    systemKey({ userId: ALICE }),
    nativeUnlist("Fabrikam.Core"),
    alice({ ownsPackage: false }),
    denied("owner", 'User "alice" is not an owner of package "Fabrikam.Core".'),
  ],
  ["a Native unlist by an owner with the privilege", systemKey({ userId: ALICE }), nativeUnlist(), alice(), allowAs(ALICE)],
  ["an administrator unlists through the Native API without privileges or ownership", systemKey({ userId: ADMIN }), nativeUnlist(), admin(), allowAs(ADMIN)],
  ["the API key user unlists through the Native API", systemKey(), nativeUnlist(), null, allowAs(null)],
  [
    "a disabled user unlists nothing through the Native API",
    systemKey({ userId: ALICE }),
    nativeUnlist(),
    alice({ disabled: true }),
    denied("user-disabled", 'User "alice" is disabled.'),
  ],
];

function summary(decision: Decision): Expected {
  return decision.allowed
    ? { allowed: true, actingUserId: decision.actingUserId, warning: decision.warning }
    : { allowed: false, reason: decision.reason, message: decision.message };
}

describe("authorize", () => {
  it.each(cases)("%s", (_name, key, req, actor, expected) => {
    const decision = authorize(key, req, actor, now);
    expect(summary(decision)).toEqual(expected.allowed ? { warning: null, ...expected } : expected);
    if (!decision.allowed) expect(decision.status).toBe(403);
  });

  it("the table covers every reason", () => {
    const reasons = new Set(cases.map(([, , , , expected]) => (expected.allowed ? "allowed" : expected.reason)));
    expect([...reasons].sort()).toEqual(["allowed", "api", "feed", "invalid", "owner", "package", "privilege", "scope", "user-disabled"].sort());
  });
});

describe("actingUserIdOf", () => {
  it.each([
    ["a scoped key acts as its owner", scopedKey(), ALICE],
    ["a scoped key with a user acts as that user", scopedKey({ userId: BOB }), BOB],
    ["a legacy key acts as its owner", legacyKey(), BOB],
    ["a system key with a user acts as that user", systemKey({ ownerId: ALICE, userId: BOB }), BOB],
    ["a system key with no user is the API key user, even with an owner", systemKey({ ownerId: ALICE }), null],
  ])("%s", (_name, key, expected) => {
    expect(actingUserIdOf(key)).toBe(expected);
  });
});
