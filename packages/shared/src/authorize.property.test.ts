import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccessRequest, CallerUserFacts, DenyReason, KeyFacts } from "./authorize.ts";
import { actingUserIdOf, authorize } from "./authorize.ts";
import { APIS, DAY_MS, KEY_KINDS, MESSAGES, SCOPES } from "./constants.ts";
import type { Scope } from "./constants.ts";

// docs/authorization.md written a second time, as plainly as possible and without the
// implementation's helpers (globs go through an escaped RegExp here), so the two
// can be compared on arbitrary inputs. It returns the first failing step, or null.
function reference(key: KeyFacts, req: AccessRequest, actor: CallerUserFacts | null, now: Date): DenyReason | null {
  if (key.revokedAt !== null) return "invalid";
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) return "invalid";

  if (req.surface === "native" && !key.apis.includes("native")) return "api";
  if (req.surface === "keys" && !key.apis.includes("keys") && !key.apis.includes("native")) return "api";
  if (req.surface === "feeds" && key.kind !== "legacy") {
    if (!key.apis.includes("feeds")) return "api";
    if (key.feeds !== null && !key.feeds.map((f) => f.toLowerCase()).includes(req.feed.toLowerCase())) return "feed";
  }

  if (req.surface === "feeds" && key.kind === "scoped") {
    const has = (s: Scope) => key.scopes.includes(s);
    if (req.action === "push" && !req.packageExists && !has("push")) return "scope";
    if (req.action === "push" && req.packageExists && !has("push") && !has("update")) return "scope";
    if (req.action === "unlist" && !has("unlist")) return "scope";
    if (req.action === "upload" && req.upload === "push" && !has("push") && !has("update")) return "scope";
    if (req.action === "upload" && req.upload === "npm-put" && !has("push") && !has("update") && !has("unlist")) return "scope";

    if (req.action !== "upload" && req.packageId !== undefined) {
      const id = req.packageId;
      const globRegex = (g: string) =>
        new RegExp(
          `^${g
            .split("*")
            .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
            .join(".*")}$`,
          "is",
        );
      const named = key.packages.some((p) => p.toLowerCase() === id.toLowerCase());
      if (!named && !key.globs.some((g) => globRegex(g).test(id))) return "package";
    }
  }

  let actingId: number | null;
  if (key.userId !== null) actingId = key.userId;
  else if (key.kind === "system") actingId = null;
  else actingId = key.ownerId;
  if (actingId === null) return key.kind === "system" ? null : "privilege";

  if (actor === null || actor.id !== actingId) return "privilege";
  if (actor.disabled) return "user-disabled";
  if (req.surface !== "feeds" || actor.isAdmin) return null;
  const privileges = actor.privileges ?? { view: false, add: false, unlist: false };
  if (req.action === "read") return privileges.view ? null : "privilege";
  if (req.action === "upload") return privileges.add || (req.upload === "npm-put" && privileges.unlist) ? null : "privilege";
  if (req.action === "push") {
    if (!privileges.add) return "privilege";
    return req.packageExists && !actor.ownsPackage ? "owner" : null;
  }
  if (!privileges.unlist) return "privilege";
  return actor.ownsPackage ? null : "owner";
}

const now = new Date("2025-03-01T12:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms);

const PACKAGE_IDS = ["Contoso.Core", "contoso.web", "Fabrikam.Logging", "@contoso/core", "Odd.(Pkg)+[1]"];
const userIdArb = fc.option(fc.integer({ min: 1, max: 3 }), { nil: null });

// Offsets cluster around the interesting instants: now, and the end of the warning window.
const expiryArb = fc.option(
  fc.oneof(
    fc.constantFrom(0, 1, -1, 10 * DAY_MS, 10 * DAY_MS + 1),
    fc.integer({ min: -2 * DAY_MS, max: 12 * DAY_MS }),
    fc.integer({ min: -30 * DAY_MS, max: 400 * DAY_MS }),
  ),
  { nil: null },
);

const keyArb: fc.Arbitrary<KeyFacts> = fc.record({
  id: fc.constant(1),
  kind: fc.constantFrom(...KEY_KINDS),
  revokedAt: fc.option(fc.constant(at(-DAY_MS)), { nil: null, freq: 2 }),
  expiresAt: expiryArb.map((offset) => (offset === null ? null : at(offset))),
  apis: fc.subarray([...APIS]),
  scopes: fc.subarray([...SCOPES]),
  packages: fc.subarray(["Contoso.Core", "CONTOSO.WEB", "Fabrikam.Logging"]),
  globs: fc.subarray(["Contoso.*", "*", "*.logging", "@contoso/*", "Odd.(*"]),
  feeds: fc.option(fc.subarray(["nuget", "NPM", "gems"]), { nil: null }),
  ownerId: userIdArb,
  userId: userIdArb,
});

const actorArb: fc.Arbitrary<CallerUserFacts | null> = fc.option(
  fc.record({
    id: fc.integer({ min: 1, max: 3 }),
    username: fc.constantFrom("alice", "bob", "admin"),
    disabled: fc.boolean(),
    isAdmin: fc.boolean(),
    privileges: fc.option(fc.record({ view: fc.boolean(), add: fc.boolean(), unlist: fc.boolean() }), { nil: null }),
    ownsPackage: fc.boolean(),
  }),
  { nil: null, freq: 5 },
);

const feedArb = fc.constantFrom("nuget", "npm", "gems");
const packageIdArb = fc.constantFrom(...PACKAGE_IDS);
const requestArb: fc.Arbitrary<AccessRequest> = fc.oneof(
  fc.record({ surface: fc.constant("feeds" as const), feed: feedArb, action: fc.constant("read" as const) }),
  fc.record({ surface: fc.constant("feeds" as const), feed: feedArb, action: fc.constant("read" as const), packageId: packageIdArb }),
  fc.record({
    surface: fc.constant("feeds" as const),
    feed: feedArb,
    action: fc.constant("push" as const),
    packageId: packageIdArb,
    packageExists: fc.boolean(),
  }),
  fc.record({ surface: fc.constant("feeds" as const), feed: feedArb, action: fc.constant("unlist" as const), packageId: packageIdArb }),
  fc.record({
    surface: fc.constant("feeds" as const),
    feed: feedArb,
    action: fc.constant("upload" as const),
    upload: fc.constantFrom("push" as const, "npm-put" as const),
  }),
  fc.constant({ surface: "native" as const }),
  fc.constant({ surface: "keys" as const }),
);

// Draws the actor as the key's acting user most of the time, so later steps get exercised.
const caseArb = fc.tuple(keyArb, requestArb, actorArb, fc.boolean()).map(([key, req, actor, lookUpActingUser]) => {
  const actingId = actingUserIdOf(key);
  const fixed = lookUpActingUser && actor !== null && actingId !== null ? { ...actor, id: actingId } : actor;
  return { key, req, actor: fixed };
});

const neededScope = (req: AccessRequest): Scope[] | null => {
  if (req.surface !== "feeds" || req.action === "read") return null;
  if (req.action === "unlist") return ["unlist"];
  if (req.action === "upload") return req.upload === "push" ? ["push", "update"] : ["push", "update", "unlist"];
  return req.packageExists ? ["push", "update"] : ["push"];
};

describe("authorize (properties)", () => {
  it("agrees with the reference on every combination, reason included", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        const decision = authorize(key, req, actor, now);
        const expected = reference(key, req, actor, now);
        seen.add(decision.allowed ? "allowed" : decision.reason);
        if (expected === null) {
          expect(decision).toMatchObject({ allowed: true, actingUserId: actingUserIdOf(key) });
        } else {
          expect(decision).toMatchObject({ allowed: false, status: 403, reason: expected });
        }
      }),
      { numRuns: 5000 },
    );
    // The generators must reach every outcome, or the agreement above proves little.
    expect([...seen].sort()).toEqual(["allowed", "api", "feed", "invalid", "owner", "package", "privilege", "scope", "user-disabled"].sort());
  });

  it("never allows a revoked or expired key, and says so with the product's message", () => {
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        const dead = key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now);
        const decision = authorize(key, req, actor, now);
        expect(!decision.allowed && decision.reason === "invalid").toBe(dead);
        if (dead) expect(decision).toMatchObject({ message: MESSAGES.invalidKey });
      }),
      { numRuns: 1000 },
    );
  });

  it("never allows a scoped key without the scope the action needs", () => {
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        const needed = neededScope(req);
        fc.pre(key.kind === "scoped" && needed !== null && !needed.some((s) => key.scopes.includes(s)));
        expect(authorize(key, req, actor, now).allowed).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("is monotonic: taking away scopes, APIs, packages, globs or feeds never turns a denial into an allow", () => {
    const fewer = <T>(items: T[]) => fc.subarray(items);
    fc.assert(
      fc.property(
        caseArb.chain((c) =>
          fc.record({
            c: fc.constant(c),
            scopes: fewer(c.key.scopes),
            apis: fewer(c.key.apis),
            packages: fewer(c.key.packages),
            globs: fewer(c.key.globs),
            feeds: c.key.feeds === null ? fc.option(fc.subarray(["nuget", "npm"]), { nil: null }) : fewer(c.key.feeds),
          }),
        ),
        ({ c: { key, req, actor }, ...narrower }) => {
          const narrowKey = { ...key, ...narrower };
          if (authorize(narrowKey, req, actor, now).allowed) expect(authorize(key, req, actor, now).allowed).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("is monotonic in the user: taking away privileges, ownership or admin never helps", () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), fc.boolean(), ({ key, req, actor }, dropPrivileges, dropOwnership) => {
        fc.pre(actor !== null);
        const weaker = {
          ...actor,
          isAdmin: false,
          privileges: dropPrivileges ? null : actor.privileges,
          ownsPackage: dropOwnership ? false : actor.ownsPackage,
        };
        if (authorize(key, req, weaker, now).allowed) expect(authorize(key, req, actor, now).allowed).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("never fails the API key user (a system key with no user) on privilege, ownership or a disabled user", () => {
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        fc.pre(key.kind === "system" && key.userId === null);
        const decision = authorize(key, req, actor, now);
        if (!decision.allowed) expect(["invalid", "api", "feed"]).toContain(decision.reason);
        else expect(decision.actingUserId).toBeNull();
        // Whoever the caller passes as actor is ignored.
        expect(authorize(key, req, null, now)).toEqual(decision);
      }),
      { numRuns: 1000 },
    );
  });

  it("never fails a legacy key on scope or package, nor on API or feed on the feeds", () => {
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        fc.pre(key.kind === "legacy");
        const decision = authorize(key, req, actor, now);
        if (decision.allowed) return;
        expect(["scope", "package"]).not.toContain(decision.reason);
        if (req.surface === "feeds") expect(["api", "feed"]).not.toContain(decision.reason);
      }),
      { numRuns: 1000 },
    );
  });

  it("never lets an acting user that is missing, someone else or disabled through", () => {
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        const actingId = actingUserIdOf(key);
        fc.pre(actingId !== null && (actor === null || actor.id !== actingId || actor.disabled));
        expect(authorize(key, req, actor, now).allowed).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("warns exactly when an allowed key is within 10 days of expiry", () => {
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        const decision = authorize(key, req, actor, now);
        fc.pre(decision.allowed);
        const soon = key.expiresAt !== null && key.expiresAt.getTime() - now.getTime() <= 10 * DAY_MS;
        expect(decision.allowed && decision.warning !== null).toBe(soon);
        if (decision.allowed && decision.warning !== null) {
          expect(decision.warning).toMatch(/^This API key expires in (1 day|([2-9]|10) days), on \d{4}-\d\d-\d\d\. Create a new key before then\.$/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("names what is missing in every denial", () => {
    fc.assert(
      fc.property(caseArb, ({ key, req, actor }) => {
        const decision = authorize(key, req, actor, now);
        if (decision.allowed) return;
        expect(decision.message.length).toBeGreaterThan(0);
        if (decision.reason === "package" && req.surface === "feeds" && req.action !== "upload") expect(decision.message).toContain(`"${req.packageId}"`);
        if (decision.reason === "feed" && req.surface === "feeds") expect(decision.message).toContain(`"${req.feed}"`);
        if (decision.reason === "user-disabled" || decision.reason === "owner") expect(decision.message).toContain(`"${actor?.username}"`);
      }),
      { numRuns: 1000 },
    );
  });

  it("the upload pre-check refuses only what every write the upload could turn out to be would refuse", () => {
    // The pre-check answers before the package id is known; it must never turn away an
    // upload that the full decision, on some package, would have allowed.
    const writesOf = (feed: string, upload: "push" | "npm-put"): AccessRequest[] =>
      PACKAGE_IDS.flatMap((packageId) => [
        { surface: "feeds" as const, feed, action: "push" as const, packageId, packageExists: false },
        { surface: "feeds" as const, feed, action: "push" as const, packageId, packageExists: true },
        ...(upload === "npm-put" ? [{ surface: "feeds" as const, feed, action: "unlist" as const, packageId }] : []),
      ]);
    fc.assert(
      fc.property(caseArb, feedArb, fc.constantFrom("push" as const, "npm-put" as const), ({ key, actor }, feed, upload) => {
        const pre = authorize(key, { surface: "feeds", feed, action: "upload", upload }, actor, now);
        fc.pre(!pre.allowed);
        for (const ownsPackage of [true, false]) {
          const owner = actor && { ...actor, ownsPackage };
          for (const write of writesOf(feed, upload)) expect(authorize(key, write, owner, now).allowed).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
