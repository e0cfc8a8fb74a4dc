import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adviseKey, narrowsOnly, usageFactOf, usageKindsOf, type KeyRights, type KeyUsageReport } from "./advisor.ts";
import { authorize, type AccessRequest, type CallerUserFacts, type KeyFacts } from "./authorize.ts";
import { APIS, SCOPES, type KeyKind } from "./constants.ts";
import { compileNetworks } from "./networks.ts";

// The advisor's promise (docs/advisor.md), checked with the one authorize(): a key narrowed
// by its suggestion still allows every request it was allowed in the window, and allows
// nothing it did not allow before.

const now = new Date("2026-06-01T12:00:00.000Z");
const FEEDS = ["nuget", "npm", "Gems"];
const IDS = ["Contoso.Core", "Contoso.Web", "contoso.data", "Other.Lib", "@c/x", "x"];
const GLOBS = ["*", "Contoso.*", "Other*", "*.Core", "@c/*", "contoso.d*"];
const IPS = ["198.51.100.7", "198.51.100.200", "203.0.113.9", "2001:db8:1:2::5", "::ffff:192.0.2.1"];

const subset = <T>(xs: readonly T[], min = 0) => fc.subarray([...xs], { minLength: min });
const entry = fc.tuple(fc.constantFrom(...FEEDS, null), fc.constantFrom(...IDS)).map(([f, id]) => (f === null ? id : `${f}/${id}`));

const rightsArb = fc.record({
  apis: subset(APIS, 1),
  scopes: subset(SCOPES, 1),
  packages: fc.uniqueArray(entry, { maxLength: 4 }),
  globs: subset(GLOBS),
  feeds: fc.option(subset(FEEDS, 1), { nil: null }),
  allowedNetworks: fc.option(fc.constantFrom(["198.51.100.0/24"], ["0.0.0.0/0", "::/0"]), { nil: null }),
}) satisfies fc.Arbitrary<KeyRights>;

const requestArb: fc.Arbitrary<AccessRequest> = fc.oneof(
  fc.record({
    surface: fc.constant("feeds" as const),
    feed: fc.constantFrom(...FEEDS),
    action: fc.constant("read" as const),
    packageId: fc.constantFrom(...IDS),
  }),
  fc.record({ surface: fc.constant("feeds" as const), feed: fc.constantFrom(...FEEDS), action: fc.constant("read" as const) }),
  fc.record({
    surface: fc.constant("feeds" as const),
    feed: fc.constantFrom(...FEEDS),
    action: fc.constant("push" as const),
    packageId: fc.constantFrom(...IDS),
    packageExists: fc.boolean(),
  }),
  fc.record({
    surface: fc.constant("feeds" as const),
    feed: fc.constantFrom(...FEEDS),
    action: fc.constant("unlist" as const),
    packageId: fc.constantFrom(...IDS),
  }),
  fc.record({
    surface: fc.constant("feeds" as const),
    feed: fc.constantFrom(...FEEDS),
    action: fc.constant("upload" as const),
    upload: fc.constantFrom("push" as const, "npm-put" as const),
  }),
  fc.constant({ surface: "native" as const }),
  fc.record({ surface: fc.constant("native" as const), feed: fc.constantFrom(...FEEDS), action: fc.constant("read" as const) }),
  fc.record({
    surface: fc.constant("native" as const),
    feed: fc.constantFrom(...FEEDS),
    action: fc.constant("unlist" as const),
    packageId: fc.constantFrom(...IDS),
  }),
  fc.constant({ surface: "keys" as const }),
);

const admin: CallerUserFacts = { id: 1, username: "alice", disabled: false, isAdmin: true, privileges: null, ownsPackage: true };

function facts(kind: KeyKind, r: KeyRights): KeyFacts {
  return {
    id: 7,
    kind,
    revokedAt: null,
    expiresAt: null,
    apis: r.apis,
    scopes: r.scopes,
    packages: r.packages,
    globs: r.globs,
    feeds: r.feeds,
    ownerId: 1,
    userId: kind === "system" ? null : 1,
    networks: r.allowedNetworks ? compileNetworks(r.allowedNetworks) : null,
  };
}

/** What the usage summary would read back after these allowed requests. */
function reportOf(made: { req: AccessRequest; ip: string }[]): KeyUsageReport {
  const rows = new Map<string, Map<string, number>>();
  for (const { req, ip } of made) {
    const fact = usageFactOf(req);
    if (!fact) continue;
    for (const [kind, value] of usageKindsOf(fact, ip)) {
      const m = rows.get(kind) ?? new Map<string, number>();
      m.set(value, (m.get(value) ?? 0) + 1);
      rows.set(kind, m);
    }
  }
  const list = (kind: string) =>
    [...(rows.get(kind) ?? new Map<string, number>())].map(([value, count]) => ({ value, count, firstAt: now.toISOString(), lastAt: now.toISOString() }));
  return {
    windowDays: 90,
    since: "2026-03-03",
    firstUsedAt: made.length ? now.toISOString() : null,
    lastUsedAt: made.length ? now.toISOString() : null,
    requests: made.length,
    refused: 0,
    surfaces: list("surface"),
    feeds: list("feed"),
    actions: list("action"),
    packages: list("package"),
    networks: list("network"),
    incomplete: [],
  };
}

describe("the advisor's suggestion", () => {
  it("still allows every request the key was allowed in the window, and allows nothing new", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<KeyKind>("scoped", "system"),
        rightsArb,
        fc.array(fc.tuple(requestArb, fc.constantFrom(...IPS)), { maxLength: 12 }),
        fc.array(fc.tuple(requestArb, fc.constantFrom(...IPS)), { maxLength: 20 }),
        (kind, rights, history, probes) => {
          const before = facts(kind, rights);
          const allowed = (k: KeyFacts, req: AccessRequest, ip: string) => authorize(k, req, admin, now, ip).allowed;
          // Uploads are the gate before the body; the full decision that follows is what the key "made".
          const made = history
            .filter(([req, ip]) => !(req.surface === "feeds" && req.action === "upload") && allowed(before, req, ip))
            .map(([req, ip]) => ({ req, ip }));
          const advice = adviseKey(kind, rights, reportOf(made));
          if (advice.suggestion === null) return;
          expect(narrowsOnly(kind, rights, advice.suggestion)).toBeNull();
          const after = facts(kind, advice.suggestion);
          for (const { req, ip } of made) expect(allowed(after, req, ip), JSON.stringify({ req, ip, rights, next: advice.suggestion })).toBe(true);
          for (const [req, ip] of [...history, ...probes])
            if (allowed(after, req, ip)) expect(allowed(before, req, ip), JSON.stringify({ req, ip })).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("offers Revoke for a key with no use, and a narrowing it names", () => {
    const rights: KeyRights = { apis: ["feeds"], scopes: ["push", "unlist"], packages: [], globs: ["*"], feeds: null, allowedNetworks: null };
    expect(adviseKey("scoped", rights, reportOf([])).unused).toBe(true);
    const advice = adviseKey(
      "scoped",
      rights,
      reportOf([{ req: { surface: "feeds", feed: "nuget", action: "push", packageId: "Contoso.Core", packageExists: true }, ip: "198.51.100.7" }]),
    );
    expect(advice.suggestion).toEqual({
      apis: ["feeds"],
      scopes: ["update"],
      packages: ["nuget/Contoso.Core"],
      globs: [],
      feeds: ["nuget"],
      allowedNetworks: ["198.51.100.0/24"],
    });
    expect(advice.summary).toBe("Narrow to: Update on Contoso.Core; feed nuget; from 198.51.100.0/24");
    expect(advice.unusedRights).toEqual(["Scope: Push", "Scope: Unlist", "Every package (*)", "Every feed", "Every network"]);
  });
});

describe("narrowsOnly", () => {
  const rights: KeyRights = {
    apis: ["feeds"],
    scopes: ["update"],
    packages: ["nuget/Contoso.Core"],
    globs: ["Contoso.*"],
    feeds: ["nuget"],
    allowedNetworks: ["198.51.100.0/24"],
  };
  it.each([
    [{ scopes: ["push"] }, 'The change would add the "push" scope.'],
    [{ apis: ["feeds", "native"] }, 'The change would add the "native" API.'],
    [{ globs: ["*"] }, 'The change would add the glob "*".'],
    [{ packages: ["npm/Other.Lib"] }, 'The change would add package "npm/Other.Lib".'],
    [{ feeds: null }, "The change would allow every feed."],
    [{ allowedNetworks: null }, "The change would allow every network."],
  ] as const)("refuses %j", (change, message) => {
    expect(narrowsOnly("scoped", rights, { ...rights, ...change } as KeyRights)).toBe(message);
  });
  it("takes a narrower glob and an id the old glob matched", () => {
    expect(narrowsOnly("scoped", rights, { ...rights, globs: ["Contoso.Co*"], packages: ["nuget/contoso.web"] })).toBeNull();
  });
});
