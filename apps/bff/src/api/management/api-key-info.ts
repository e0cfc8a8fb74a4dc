// ProGet's ApiKeyInfo, the JSON shape of the API-keys management API, and how it maps
// onto Keyhouse's one key model (docs/README.md):
//
//   type "system"   → a system key with the given systemApis (required), optionally
//                      impersonating `user` and restricted to `feed`.
//   type "feed"     → a system key restricted to `feed` (required) with apis ["feeds"]
//                      and no user: every package permission on that one feed.
//   type "personal" → a system key impersonating `user` (required, or the calling user
//                      when the key acts as one) with systemApis (default ["feeds"]):
//                      it can do only what that user may.
//
// Listing maps back: legacy keys are "other", scoped keys and keys with a user are
// "personal" (user = the acting user), a feeds-only key on exactly one feed with no
// user is "feed", and any other system key is "system". systemApis use Keyhouse's API
// names (feeds, native, keys); ProGet's "full-control" is accepted as "native".
// packagePermissions are accepted for compatibility but a key made here always has
// every package permission its user has; answers list what the key really allows.
import { APIS, createSystemKeyInputSchema, type CreateSystemKeyInput } from "@keyhouse/shared";
import { z } from "zod";
import { badRequest } from "../../errors.ts";
import type { KeyView } from "../../keys/views.ts";
import type { KeyCaller } from "../../auth/caller.ts";

export const API_KEY_TYPES = ["system", "feed", "personal"] as const;
export const LOGGING = ["none", "request", "response", "both"] as const;
const PACKAGE_PERMISSIONS = ["view", "add", "promote", "delete", "push", "update", "unlist"] as const;

const text = (max: number, what: string) =>
  z
    .string({ error: `${what} must be text.` })
    .max(max, `${what} must be at most ${max} characters.`)
    .nullish();

export const apiKeyInfoCreateSchema = z
  .object({
    type: z.enum(API_KEY_TYPES, { error: 'The type must be "system", "feed" or "personal".' }).default("system"),
    key: text(200, "The key").describe("A custom key value (at least 20 printable characters without spaces). Leave out to have one generated."),
    displayName: text(64, "The display name").describe("A name for people."),
    description: text(1000, "The description"),
    systemApis: z
      .array(z.enum([...APIS, "full-control"], { error: 'Unknown API in systemApis: use "feeds", "native" (or "full-control") and "keys".' }), {
        error: "systemApis must be a list of API names.",
      })
      .max(10)
      .nullish()
      .describe('The API groups the key may call: "feeds", "native" (full control; ProGet\'s "full-control") and "keys". Required for a system key.'),
    packagePermissions: z
      .array(z.enum(PACKAGE_PERMISSIONS, { error: `Unknown package permission: use ${PACKAGE_PERMISSIONS.join(", ")}.` }), {
        error: "packagePermissions must be a list.",
      })
      .max(10)
      .nullish()
      .describe("Accepted for ProGet compatibility; the key gets every package permission of its user (see the answer)."),
    feed: text(100, "The feed").describe("The feed a feed key is for (required for type feed); restricts other types too."),
    expiration: text(40, "The expiration").describe("When the key stops working (ISO 8601, e.g. 2027-12-31). Leave out: never."),
    logging: z
      .enum(LOGGING, { error: 'logging must be "none", "request", "response" or "both".' })
      .nullish()
      .describe("Which bodies of calls made with the key are logged (default none)."),
    user: text(64, "The user name").describe("The user a personal key (or a system key) acts as, by exact user name."),
    allowedNetworks: z
      .array(z.string({ error: "allowedNetworks must be a list of networks, e.g. 198.51.100.0/24." }), {
        error: "allowedNetworks must be a list of networks, e.g. 198.51.100.0/24.",
      })
      .nullish()
      .describe("Keyhouse: the networks (CIDRs, IPv4 or IPv6, at most 50) the key may be used from. Leave out: anywhere."),
  })
  .describe("ProGet's ApiKeyInfo, as sent to /api/api-keys/create. Other properties (id, feedGroup, …) are ignored.");

export type ApiKeyInfoCreate = z.output<typeof apiKeyInfoCreateSchema>;

export const apiKeyInfoSchema = z
  .object({
    id: z.number().int(),
    type: z.enum(["system", "feed", "personal", "other"]),
    key: z.string().optional().describe("The key itself: only in the answer of create, never again."),
    displayName: z.string(),
    description: z.string().nullable(),
    systemApis: z.array(z.enum(APIS)),
    packagePermissions: z.array(z.string()).describe('"view" and the key\'s scopes: push, update, unlist.'),
    feed: z.string().nullable().describe("The feed, when the key is restricted to exactly one."),
    feeds: z.array(z.string()).nullable().describe("Keyhouse: every feed the key is restricted to; null: every feed."),
    expiration: z.string().nullable(),
    logging: z.enum(LOGGING),
    user: z.string().nullable().describe("The user the key acts as; null: the API key user."),
    allowedNetworks: z.array(z.string()).describe("Keyhouse: the networks the key may be used from; empty: anywhere."),
    hint: z.string().describe("Keyhouse: the first and last characters of the key, to recognise it."),
    status: z.string().describe('Keyhouse: "Active", "Expires in N days", "Expired", "Revoked" or "Full access (legacy)".'),
  })
  .describe("ProGet's ApiKeyInfo as Keyhouse answers it.");

export type ApiKeyInfo = z.output<typeof apiKeyInfoSchema>;

function typeOf(k: KeyView): ApiKeyInfo["type"] {
  if (k.kind === "legacy") return "other";
  if (k.kind === "scoped" || k.user) return "personal";
  if (k.apis.length === 1 && k.apis[0] === "feeds" && k.feeds?.length === 1) return "feed";
  return "system";
}

function loggingOf(k: KeyView): ApiKeyInfo["logging"] {
  if (k.logRequestBody && k.logResponseBody) return "both";
  if (k.logRequestBody) return "request";
  if (k.logResponseBody) return "response";
  return "none";
}

export function apiKeyInfo(k: KeyView, value?: string): ApiKeyInfo {
  return {
    id: k.id,
    type: typeOf(k),
    ...(value ? { key: value } : {}),
    displayName: k.name,
    description: k.description,
    systemApis: k.apis,
    packagePermissions: ["view", ...k.scopes],
    feed: k.feeds?.length === 1 ? k.feeds[0]! : null,
    feeds: k.feeds,
    expiration: k.expiresAt?.toISOString() ?? null,
    logging: loggingOf(k),
    user: k.user?.username ?? (k.kind === "system" ? null : (k.owner?.username ?? null)),
    allowedNetworks: k.allowedNetworks,
    hint: k.hint,
    status: k.status.label,
  };
}

// Where each system-key field came from, to name the property in a 400.
const PROPERTY_OF: Record<string, string> = {
  customKey: "key",
  name: "displayName",
  description: "description",
  apis: "systemApis",
  user: "user",
  feeds: "feed",
  allowedNetworks: "allowedNetworks",
  expiresAt: "expiration",
};

/** The system-key input an ApiKeyInfo stands for (see the mapping above). */
export function systemKeyInputOf(info: ApiKeyInfoCreate, caller: KeyCaller) {
  const apis = info.systemApis?.map((a) => (a === "full-control" ? "native" : a));
  let input: CreateSystemKeyInput = {
    keyMode: info.key ? "custom" : "generate",
    customKey: info.key ?? undefined,
    name: info.displayName,
    description: info.description,
    feeds: info.feed ? [info.feed] : [],
    allowedNetworks: info.allowedNetworks ?? [],
    expiresAt: info.expiration ?? null,
    logRequestBody: info.logging === "request" || info.logging === "both",
    logResponseBody: info.logging === "response" || info.logging === "both",
    apis: [],
  };
  switch (info.type) {
    case "system":
      if (!apis?.length) throw badRequest('"systemApis" is required for a system key: choose from "feeds", "native" (full control) and "keys".');
      input = { ...input, apis, user: info.user };
      break;
    case "feed":
      if (!info.feed) throw badRequest('"feed" is required for a feed key: name the feed it is for.');
      if (apis && !(apis.length === 1 && apis[0] === "feeds"))
        throw badRequest('A feed key can only call the feeds API: leave "systemApis" out, or send ["feeds"].');
      if (info.user) throw badRequest('A feed key acts for no user: leave "user" out, or create a personal key.');
      input = { ...input, apis: ["feeds"] };
      break;
    case "personal": {
      const user = info.user || caller.user?.username;
      if (!user) throw badRequest('"user" is required for a personal key: name the user it acts as.');
      input = { ...input, apis: apis?.length ? apis : ["feeds"], user };
      break;
    }
  }
  const parsed = createSystemKeyInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    throw badRequest(`"${PROPERTY_OF[field] ?? field}": ${issue?.message ?? "is not valid."}`);
  }
  return parsed.data;
}
