import type { AccessRequest } from "./authorize.ts";
import { z } from "zod";
import { APIS, KEY_KINDS, PACKAGES_PER_KEY_MAX, SCOPES, type Api, type KeyKind, type Scope } from "./constants.ts";
import { matchesAnyPackage } from "./glob.ts";
import { parseAddress } from "./networks.ts";
import { boundPackageEntry, packageIdsOnFeed, parsePackageEntry } from "./package-entries.ts";

// The least-privilege advisor (docs/advisor.md): what a key used, the rights it has but did
// not use, and a change that narrows it to what it used. Pure, so the server, the SPA and the
// property test share one definition; `narrowsOnly` is what the server checks before it
// applies any change, whatever the client sent.

/** What a decided request exercised; "push-version" is a push of a new version of an existing id (or an npm dist-tag move). */
export type UsedAction = "read" | "push-new" | "push-version" | "unlist";
export const USED_ACTIONS = ["read", "push-new", "push-version", "unlist"] as const satisfies readonly UsedAction[];

/** One allowed decision, as the access log keeps it for the usage summary. */
export type UsageFact = { surface: "feeds" | "native" | "keys"; feed: string | null; action: UsedAction | null; packageId: string | null };

/** The fact an allowed request leaves; null for the gate before an upload's body (the full decision follows). */
export function usageFactOf(req: AccessRequest): UsageFact | null {
  if (req.surface === "keys") return { surface: "keys", feed: null, action: null, packageId: null };
  if (!("feed" in req)) return { surface: "native", feed: null, action: null, packageId: null };
  if (req.action === "upload") return null;
  const action: UsedAction = req.action === "push" ? (req.packageExists ? "push-version" : "push-new") : req.action;
  const packageId = "packageId" in req && req.packageId !== undefined ? req.packageId : null;
  return { surface: req.surface, feed: req.feed, action, packageId };
}

/** The usage-summary rows one logged request adds (kind, value): what `adviseKey` reads back. */
export function usageKindsOf(fact: UsageFact, ip: string | null | undefined): [string, string][] {
  const out: [string, string][] = [
    ["surface", fact.surface],
    ["network", networkOf(ip)],
  ];
  if (fact.feed !== null) out.push(["feed", fact.feed]);
  if (fact.action !== null) out.push(["action", fact.action]);
  if (fact.feed !== null && fact.packageId !== null) out.push(["package", boundPackageEntry(fact.feed, fact.packageId)]);
  return out;
}

/** The network an address is counted in: its /24 (IPv4) or /48 (IPv6); "" when it is not an address. */
export function networkOf(ip: string | null | undefined): string {
  if (!ip) return "";
  const a = parseAddress(ip);
  if (a === null) return "";
  if (a >> 32n === 0xffffn) {
    const v4 = Number(a & 0xffffffffn) >>> 0;
    return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.0/24`;
  }
  const groups = [0, 1, 2].map((i) => ((a >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return `${groups.join(":")}::/48`;
}

export type UsageCount = { value: string; count: number; firstAt: string; lastAt: string };

/** A key's use over the window, read from the usage summary (never from the log itself). */
export type KeyUsageReport = {
  windowDays: number;
  /** The first day counted (YYYY-MM-DD, UTC). */
  since: string;
  firstUsedAt: string | null;
  lastUsedAt: string | null;
  requests: number;
  refused: number;
  surfaces: UsageCount[];
  feeds: UsageCount[];
  actions: UsageCount[];
  /** "feed/id" entries. */
  packages: UsageCount[];
  /** /24 and /48 networks; "" counts requests whose address was not known. */
  networks: UsageCount[];
  /** Kinds that reached their cap of distinct values on some day: their list is incomplete, so the advisor leaves them as they are. */
  incomplete: string[];
};

/** The rights the advisor may narrow; the shape of an ApiKey's columns. */
export type KeyRights = {
  apis: Api[];
  scopes: Scope[];
  packages: string[];
  globs: string[];
  /** null: every feed. */
  feeds: string[] | null;
  /** null: anywhere. */
  allowedNetworks: string[] | null;
};

export type Advice = {
  /** No use at all in the window: offer "Revoke". */
  unused: boolean;
  /** Rights the key has but did not use, in words ("Scope: Unlist", "Package: nuget/Contoso.Web", "Every feed"). */
  unusedRights: string[];
  /** The narrowed rights, or null when there is nothing to narrow. */
  suggestion: KeyRights | null;
  /** The change in one line: "Narrow to: Push on Contoso.Core". */
  summary: string | null;
};

/** Explicit packages up to this many; more share a prefix glob when one exists. */
const EXPLICIT_MAX = 20;

const fold = (s: string) => s.toLowerCase();
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.some((y) => fold(x) === fold(y)));

/** The scopes the used actions need, narrowest first (update in place of push when no new id was pushed). */
function neededScopes(kind: KeyKind, rights: KeyRights, actions: Set<string>): Scope[] {
  if (kind !== "scoped") return rights.scopes;
  const out: Scope[] = [];
  if (actions.has("push-new")) out.push("push");
  else if (actions.has("push-version")) out.push(rights.scopes.includes("update") || rights.scopes.includes("push") ? "update" : "push");
  if (actions.has("unlist")) out.push("unlist");
  // A key needs one scope (docs/authorization.md); a read-only key keeps its narrowest.
  if (out.length === 0) out.push(rights.scopes.includes("update") || rights.scopes.includes("push") ? "update" : (rights.scopes[0] ?? "update"));
  return out.filter((s) => rights.scopes.includes(s) || (s === "update" && rights.scopes.includes("push")));
}

/** The longest common prefix of the ids (case-insensitive) cut after its last separator, as the ids spell it. */
function prefixGlob(ids: string[]): string | null {
  if (ids.length === 0) return null;
  let prefix = ids[0]!;
  for (const id of ids) {
    let i = 0;
    while (i < prefix.length && i < id.length && fold(prefix[i]!) === fold(id[i]!)) i++;
    prefix = prefix.slice(0, i);
  }
  const cut = Math.max(prefix.lastIndexOf("."), prefix.lastIndexOf("-"), prefix.lastIndexOf("/"), prefix.lastIndexOf("_"));
  return cut > 0 ? `${prefix.slice(0, cut + 1)}*` : null;
}

/** Whether every id `narrow` matches is matched by `broad` (conservative: `*`, equal, or a trailing-star prefix). */
function globCovers(broad: string, narrow: string): boolean {
  if (broad === "*" || fold(broad) === fold(narrow)) return true;
  const star = broad.indexOf("*");
  if (star !== broad.length - 1) return false;
  const literal = narrow.includes("*") ? narrow.slice(0, narrow.indexOf("*")) : narrow;
  return fold(literal).startsWith(fold(broad.slice(0, -1)));
}

/** Whether the key's packages allow `id` on `feed` (an entry bound to another feed does not). */
function packageAllowed(rights: Pick<KeyRights, "packages" | "globs">, feed: string | null, id: string): boolean {
  const explicit =
    feed === null
      ? rights.packages.filter((e) => parsePackageEntry(e).feed === null).map((e) => parsePackageEntry(e).id)
      : packageIdsOnFeed(rights.packages, feed);
  return matchesAnyPackage(id, explicit, rights.globs);
}

/**
 * Why `next` is not a narrowing of `current` for a key of `kind`, or null when it only
 * narrows: everything `next` allows, `current` allowed (docs/advisor.md).
 */
export function narrowsOnly(kind: KeyKind, current: KeyRights, next: KeyRights): string | null {
  if (kind === "legacy") return "A legacy key has every right and cannot be narrowed; make a scoped key instead.";
  if (next.apis.length === 0) return "A key needs at least one API.";
  const extraApi = next.apis.find((a) => !current.apis.includes(a));
  if (extraApi) return `The change would add the "${extraApi}" API.`;
  if (kind === "scoped") {
    if (next.scopes.length === 0) return "A key needs at least one scope.";
    const extra = next.scopes.find((s) => !current.scopes.includes(s) && !(s === "update" && current.scopes.includes("push")));
    if (extra) return `The change would add the "${extra}" scope.`;
    if (next.packages.length === 0 && next.globs.length === 0) return "A key needs at least one package or glob.";
    for (const entry of next.packages) {
      const e = parsePackageEntry(entry);
      if (!packageAllowed(current, e.feed, e.id)) return `The change would add package "${entry}".`;
    }
    const glob = next.globs.find((g) => !current.globs.some((b) => globCovers(b, g)));
    if (glob) return `The change would add the glob "${glob}".`;
  } else if (!sameSet(next.scopes, current.scopes) || !sameSet(next.packages, current.packages) || !sameSet(next.globs, current.globs)) {
    return "Only a scoped key has scopes and packages to narrow.";
  }
  if (current.feeds !== null) {
    if (next.feeds === null) return "The change would allow every feed.";
    const feed = next.feeds.find((f) => !current.feeds!.some((c) => fold(c) === fold(f)));
    if (feed) return `The change would add feed "${feed}".`;
  }
  if (next.feeds !== null && next.feeds.length === 0) return "A feed restriction needs at least one feed.";
  if (current.allowedNetworks && current.allowedNetworks.length > 0) {
    if (!next.allowedNetworks || next.allowedNetworks.length === 0) return "The change would allow every network.";
    const net = next.allowedNetworks.find((n) => !current.allowedNetworks!.includes(n));
    if (net) return `The change would add network ${net}.`;
  }
  return null;
}

const SCOPE_WORD: Record<Scope, string> = { push: "Push", update: "Update", unlist: "Unlist" };

function describe(kind: KeyKind, next: KeyRights, current: KeyRights): string {
  const parts: string[] = [];
  if (kind === "scoped") {
    const what = next.scopes.map((s) => SCOPE_WORD[s]).join(", ");
    const on = [...next.packages.map((e) => parsePackageEntry(e).id), ...next.globs].join(", ");
    parts.push(`${what} on ${on}`);
  } else if (!sameSet(next.apis, current.apis)) parts.push(`the ${next.apis.join(", ")} API${next.apis.length > 1 ? "s" : ""}`);
  if (kind === "scoped" && !sameSet(next.apis, current.apis)) parts.push(`the ${next.apis.join(", ")} API${next.apis.length > 1 ? "s" : ""}`);
  if (next.feeds !== null && (current.feeds === null || !sameSet(next.feeds, current.feeds)))
    parts.push(`feed${next.feeds.length > 1 ? "s" : ""} ${next.feeds.join(", ")}`);
  if (next.allowedNetworks && !current.allowedNetworks?.length) parts.push(`from ${next.allowedNetworks.join(", ")}`);
  return `Narrow to: ${parts.join("; ")}`;
}

/** The advice for a key of `kind` with `rights`, from its usage over the window. */
export function adviseKey(kind: KeyKind, rights: KeyRights, usage: KeyUsageReport): Advice {
  const unused = usage.requests === 0 || (usage.surfaces.length === 0 && usage.actions.length === 0);
  const unusedRights: string[] = [];
  if (unused) return { unused: true, unusedRights: [`Everything: no use in the last ${usage.windowDays} days`], suggestion: null, summary: null };
  if (kind === "legacy") return { unused: false, unusedRights: ["A legacy key has every right"], suggestion: null, summary: null };

  const incomplete = new Set(usage.incomplete);
  const surfaces = new Set(usage.surfaces.map((s) => s.value));
  const actions = new Set(usage.actions.map((a) => a.value));

  // APIs: a management call is allowed by "keys" or "native"; keep the one the key has, "keys" first.
  const neededApis = new Set<Api>();
  if (surfaces.has("feeds")) neededApis.add("feeds");
  if (surfaces.has("native")) neededApis.add("native");
  if (surfaces.has("keys")) neededApis.add(rights.apis.includes("keys") ? "keys" : "native");
  const apis = incomplete.has("surface") ? rights.apis : rights.apis.filter((a) => neededApis.has(a));
  for (const a of rights.apis) if (!apis.includes(a)) unusedRights.push(`API: ${a}`);

  const scopes = incomplete.has("action") ? rights.scopes : neededScopes(kind, rights, actions);
  if (kind === "scoped") for (const s of rights.scopes) if (!scopes.includes(s)) unusedRights.push(`Scope: ${SCOPE_WORD[s]}`);

  // Packages: what was touched, as entries bound to their feed (or one prefix glob when there are many).
  let packages = rights.packages;
  let globs = rights.globs;
  const used = usage.packages.map((p) => parsePackageEntry(p.value)).filter((p) => p.feed !== null) as { feed: string; id: string }[];
  if (kind === "scoped" && !incomplete.has("package") && used.length > 0) {
    const entries = [...new Map(used.map((p) => [fold(boundPackageEntry(p.feed, p.id)), boundPackageEntry(p.feed, p.id)])).values()];
    const glob = entries.length > EXPLICIT_MAX ? prefixGlob(used.map((p) => p.id)) : null;
    if (glob && rights.globs.some((b) => globCovers(b, glob)) && !rights.globs.some((g) => fold(g) === fold(glob))) {
      packages = [];
      globs = [glob];
    } else if (entries.length <= PACKAGES_PER_KEY_MAX) {
      packages = entries;
      globs = [];
    }
    for (const g of rights.globs) if (!globs.some((x) => fold(x) === fold(g))) unusedRights.push(g === "*" ? "Every package (*)" : `Glob: ${g}`);
    for (const e of rights.packages) if (!packages.some((x) => fold(x) === fold(e))) unusedRights.push(`Package: ${e}`);
  }

  // Feeds: those used on either surface (the Native API decides on feeds too).
  let feeds = rights.feeds;
  const usedFeeds = usage.feeds.map((f) => f.value);
  if (!incomplete.has("feed") && usedFeeds.length > 0) {
    if (rights.feeds === null) {
      feeds = usedFeeds;
      unusedRights.push("Every feed");
    } else {
      feeds = rights.feeds.filter((f) => usedFeeds.some((u) => fold(u) === fold(f)));
      for (const f of rights.feeds) if (!feeds.includes(f)) unusedRights.push(`Feed: ${f}`);
    }
  }

  // Networks: only added to a key that may be used from anywhere, and only when every address was known.
  let allowedNetworks = rights.allowedNetworks;
  const nets = usage.networks.map((n) => n.value);
  if (!rights.allowedNetworks?.length && !incomplete.has("network") && nets.length > 0 && !nets.includes("") && nets.length <= 50) {
    allowedNetworks = nets;
    unusedRights.push("Every network");
  }

  const next: KeyRights = { apis, scopes, packages, globs, feeds, allowedNetworks };
  const changed =
    !sameSet(next.apis, rights.apis) ||
    !sameSet(next.scopes, rights.scopes) ||
    !sameSet(next.packages, rights.packages) ||
    !sameSet(next.globs, rights.globs) ||
    (next.feeds === null) !== (rights.feeds === null) ||
    (next.feeds !== null && !sameSet(next.feeds, rights.feeds!)) ||
    (next.allowedNetworks?.length ?? 0) !== (rights.allowedNetworks?.length ?? 0);
  if (!changed || narrowsOnly(kind, rights, next) !== null) return { unused: false, unusedRights, suggestion: null, summary: null };
  return { unused: false, unusedRights, suggestion: next, summary: describe(kind, next, rights) };
}

// The shapes on the wire: tRPC .input()/.output(), the Native and management APIs.
const usageCountSchema = z.object({ value: z.string(), count: z.number().int(), firstAt: z.string(), lastAt: z.string() });
export const keyUsageReportSchema = z.object({
  windowDays: z.number().int(),
  since: z.string(),
  firstUsedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  requests: z.number().int(),
  refused: z.number().int(),
  surfaces: z.array(usageCountSchema),
  feeds: z.array(usageCountSchema),
  actions: z.array(usageCountSchema),
  packages: z.array(usageCountSchema),
  networks: z.array(usageCountSchema),
  incomplete: z.array(z.string()),
}) satisfies z.ZodType<KeyUsageReport>;

const listOf = (what: string) =>
  z
    .array(z.string({ error: `${what} must be a list of strings.` }).max(300, `Each of ${what} is at most 300 characters.`), {
      error: `${what} must be a list of strings.`,
    })
    .max(PACKAGES_PER_KEY_MAX);
export const keyRightsSchema = z.object({
  apis: z.array(z.enum(APIS, { error: 'Unknown API: use "feeds", "native" or "keys".' })),
  scopes: z.array(z.enum(SCOPES, { error: 'Unknown scope: use "push", "update" or "unlist".' })),
  packages: listOf("packages"),
  globs: listOf("globs"),
  feeds: listOf("feeds").nullable(),
  allowedNetworks: listOf("allowedNetworks").nullable(),
}) satisfies z.ZodType<KeyRights>;

export const adviceSchema = z.object({
  unused: z.boolean(),
  unusedRights: z.array(z.string()),
  suggestion: keyRightsSchema.nullable(),
  summary: z.string().nullable(),
});

/** What "What this key used" shows, and ApiKeys_GetUsage and GET /api/api-keys/usage answer. */
export const keyUsageAdviceSchema = z.object({
  keyId: z.number().int(),
  kind: z.enum(KEY_KINDS),
  rights: keyRightsSchema,
  usage: keyUsageReportSchema,
  advice: adviceSchema,
});
export type KeyUsageAdvice = z.infer<typeof keyUsageAdviceSchema>;

const KEY_ID = "The key ID must be a positive whole number.";
export const narrowKeyInputSchema = z.object({
  id: z.number({ error: KEY_ID }).int(KEY_ID).positive(KEY_ID),
  /** The rights the person confirmed; the server applies them only if they narrow the key as it is now. */
  rights: keyRightsSchema,
});
