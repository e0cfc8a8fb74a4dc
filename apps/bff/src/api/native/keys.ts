// ApiKeys_* and ApiKeyAccessLogs_*: adapters over keys/ (lifecycle, system keys, views).
// An impersonated user reaches only the keys they own; administrators and the API key
// user reach every key, and only they create or change system keys.
import {
  ACCESS_LOG_PAGE_MAX,
  accessLogFilterSchema,
  APIS,
  createSystemKeyInputSchema,
  keyUsageAdviceSchema,
  OLD_VALUE_OVERLAPS,
  type OldValueOverlapHours,
  updateSystemKeyInputSchema,
} from "@keyhouse/shared";
import { z } from "zod";
import { badRequest } from "../../errors.ts";
import { requireGrantWithinCaller, requireKeyOnCallerFeeds, requireKeyWithinCaller } from "../../keys/key-bounds.ts";
import { keyUsageAdvice } from "../../keys/advisor.ts";
import { deleteKey, revokeKey } from "../../keys/lifecycle.ts";
import { reachableKey, reachableKeys } from "../../keys/reach.ts";
import { createSystemKey, updateSystemKey } from "../../keys/system.ts";
import { newestEntriesOnFeeds } from "../../logs/feed-entries.ts";
import { listAccessLogs } from "../../logs/query.ts";
import type { AccessLogRow } from "../../logs/rows.ts";
import { callerOnLogsOf, requireFullControl, callerOf } from "../access.ts";
import { arg } from "../args.ts";
import { defineMethod, type NativeContext } from "./method.ts";
import { accessLogRow, accessLogRowSchema, apiKeyRow, apiKeyRowSchema } from "./rows.ts";

const keyId = (description = "The key's ID.") => arg.integer({ description, required: true });

const visibleKeys = (ctx: NativeContext) => reachableKeys(ctx.db, callerOf(ctx.caller, ctx.ip), ctx.now);
const visibleKey = (ctx: NativeContext, id: number) => reachableKey(ctx.db, callerOf(ctx.caller, ctx.ip), id, ctx.now);

const keyDeps = (ctx: NativeContext) => ({ db: ctx.db, secret: ctx.services.config.secret });

export const getApiKeys = defineMethod({
  name: "ApiKeys_GetApiKeys",
  summary: "Lists API keys (never their values).",
  description: "Administrators and the API key user get every key; an impersonated user gets the keys they own.",
  args: z.object({}),
  row: apiKeyRowSchema,
  run: async (ctx) => (await visibleKeys(ctx)).map((k) => apiKeyRow(k)),
});

export const getApiKey = defineMethod({
  name: "ApiKeys_GetApiKey",
  summary: "One API key by ID (never its value).",
  description: "An impersonated user can get only keys they own; any other ID answers 404.",
  args: z.object({ ApiKey_Id: keyId() }),
  row: apiKeyRowSchema,
  run: async (ctx, a) => [apiKeyRow(await visibleKey(ctx, a.ApiKey_Id))],
});

export const getUsage = defineMethod({
  name: "ApiKeys_GetUsage",
  summary: "What an API key used in the last 90 days, and the least-privilege advice.",
  description:
    "Scopes exercised, packages per feed, APIs, feeds and networks over the window (90 days, at most LOG_RETENTION_DAYS), the rights the key has but did not use, and a suggestion that only narrows it (docs/advisor.md); the same answer as GET /api/api-keys/usage. An impersonated user can read only keys they own; any other ID answers 404.",
  args: z.object({ ApiKey_Id: keyId() }),
  row: keyUsageAdviceSchema,
  run: async (ctx, a) => [await keyUsageAdvice(ctx.db, callerOf(ctx.caller, ctx.ip), a.ApiKey_Id, ctx.services.config.logRetentionDays, ctx.now)],
});

// Where each system-key field comes from, to name the argument in a 400.
const ARGUMENT_OF: Record<string, string> = {
  id: "ApiKey_Id",
  customKey: "Key_Text",
  name: "Key_Name",
  description: "ApiKey_Description",
  apis: "Systems_Apis_Csv",
  user: "User_Name",
  feeds: "Feeds_Csv",
  allowedNetworks: "AllowedNetworks_Csv",
  expiresAt: "Expiration_Date",
  keepOldValueHours: "KeepOldValue_Hours",
  logRequestBody: "LogRequestBody_Indicator",
  logResponseBody: "LogResponseBody_Indicator",
};

function systemKeyInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = String(issue?.path[0] ?? "");
  throw badRequest(`Argument "${ARGUMENT_OF[field] ?? field}": ${issue?.message ?? "is not valid."}`);
}

// Regenerate › "Keep the old value working for": the same choices as the screens.
const KEEP_OLD_VALUE_HOURS = OLD_VALUE_OVERLAPS.map((o) => o.hours) as [OldValueOverlapHours, ...OldValueOverlapHours[]];

const createOrUpdateArgs = z.object({
  ApiKey_Id: arg.integer({ description: "The key to change; leave out to create a new system key." }),
  Key_Name: arg.text({ description: "A name for people (at most 64 characters). Defaults to the description.", max: 64 }),
  ApiKey_Description: arg.text({ description: "What the key is for.", max: 1000 }),
  Key_Text: arg.text({
    description: "A custom key value (at least 20 printable characters without spaces, not starting with khk_). Leave out to have one generated.",
    max: 200,
    trim: false,
  }),
  Regenerate_Indicator: arg.boolean({ description: "On update: replace the key's value with a newly generated one." }),
  KeepOldValue_Hours: arg.integerOf(KEEP_OLD_VALUE_HOURS, {
    description:
      "With a new value (Regenerate_Indicator or Key_Text on update): how many hours the replaced value keeps working beside it: 0 (not at all, the default), 1, 24 or 168. " +
      "Until then the old value works with a warning header saying when it stops (docs/presenting-keys.md).",
  }),
  Systems_Apis_Csv: arg.list({ description: "The API groups the key may call: feeds, native (full control), keys. Required to create.", values: APIS }),
  User_Name: arg.text({ description: "Impersonate this user (exact user name). Empty: the API key user, with every privilege.", max: 64 }),
  Feeds_Csv: arg.list({ description: "Restrict the key to these feeds. Empty: every feed." }),
  AllowedNetworks_Csv: arg.list({ description: "The networks (CIDRs, IPv4 or IPv6, at most 50) the key may be used from. Empty: anywhere." }),
  Expiration_Date: arg.date({ description: "When the key stops working. Empty: never." }),
  LogRequestBody_Indicator: arg.boolean({ description: "Log request bodies of calls made with this key." }),
  LogResponseBody_Indicator: arg.boolean({ description: "Log response bodies of calls made with this key." }),
});

const GRANT_ARGUMENTS = { feeds: "Feeds_Csv", user: "User_Name" };

/** Absent keeps the current value; null or "" clears it. */
const pick = <T>(given: T | undefined, current: T): T => (given === undefined ? current : given);

export const createOrUpdateApiKey = defineMethod({
  name: "ApiKeys_CreateOrUpdateApiKey",
  summary: "Creates a system key, or changes one (ApiKey_Id given).",
  description:
    "Needs an administrator or the API key user. A key gives at most its own APIs (any with native), feeds and user: a key restricted to some feeds " +
    "makes keys restricted to some of them, and a key that acts as a user makes keys that act as that user; it changes only keys it could have made. " +
    "On update, arguments left out keep their values, and null or an empty value clears one. " +
    "The answer's Key_Text holds the key's value only when this call generated or set it.",
  args: createOrUpdateArgs,
  row: apiKeyRowSchema,
  run: async (ctx, a) => {
    requireFullControl(ctx.caller, "create or change system keys");
    const viewer = callerOf(ctx.caller, ctx.ip);
    const keyMode = a.Key_Text ? "custom" : a.Regenerate_Indicator ? "generate" : undefined;
    const common = {
      customKey: a.Key_Text || undefined,
      logRequestBody: a.LogRequestBody_Indicator,
      logResponseBody: a.LogResponseBody_Indicator,
    };
    // Rotation with overlap applies to a value being replaced; anywhere else it would be silently ignored.
    if (a.KeepOldValue_Hours !== undefined && (a.ApiKey_Id === undefined || !keyMode))
      throw badRequest(
        'Argument "KeepOldValue_Hours" applies only when an existing key gets a new value: give ApiKey_Id with Regenerate_Indicator=true (or a new Key_Text).',
      );
    if (a.ApiKey_Id === undefined) {
      if (!a.Systems_Apis_Csv?.length) throw badRequest('Argument "Systems_Apis_Csv" is required to create a key: choose from feeds, native and keys.');
      const input = systemKeyInput(createSystemKeyInputSchema, {
        ...common,
        keyMode: keyMode === "custom" ? "custom" : "generate",
        name: a.Key_Name,
        description: a.ApiKey_Description,
        apis: a.Systems_Apis_Csv,
        user: a.User_Name,
        feeds: a.Feeds_Csv ?? [],
        allowedNetworks: a.AllowedNetworks_Csv ?? [],
        expiresAt: a.Expiration_Date ?? null,
        logRequestBody: a.LogRequestBody_Indicator ?? false,
        logResponseBody: a.LogResponseBody_Indicator ?? false,
      });
      requireGrantWithinCaller(ctx.caller, input, GRANT_ARGUMENTS);
      const { key, value } = await createSystemKey(keyDeps(ctx), viewer, input, ctx.now);
      ctx.services.keys.invalidate();
      return [apiKeyRow(key, value)];
    }
    const current = await visibleKey(ctx, a.ApiKey_Id);
    requireKeyWithinCaller(ctx.caller, current);
    const input = systemKeyInput(updateSystemKeyInputSchema, {
      ...common,
      id: a.ApiKey_Id,
      keyMode: keyMode ?? "keep",
      keepOldValueHours: a.KeepOldValue_Hours,
      name: pick(a.Key_Name, current.name),
      description: pick(a.ApiKey_Description, current.description),
      apis: pick(a.Systems_Apis_Csv, current.apis) ?? [],
      user: pick(a.User_Name, current.user?.username ?? null),
      feeds: pick(a.Feeds_Csv, current.feeds) ?? [],
      allowedNetworks: pick(a.AllowedNetworks_Csv, current.allowedNetworks) ?? [],
      expiresAt: pick(a.Expiration_Date, current.expiresAt?.toISOString() ?? null),
      logRequestBody: pick(a.LogRequestBody_Indicator, current.logRequestBody),
      logResponseBody: pick(a.LogResponseBody_Indicator, current.logResponseBody),
    });
    requireGrantWithinCaller(ctx.caller, input, GRANT_ARGUMENTS);
    const { key, value } = await updateSystemKey(keyDeps(ctx), viewer, input, ctx.now);
    ctx.services.keys.invalidate();
    return [apiKeyRow(key, value)];
  },
});

export const deleteApiKey = defineMethod({
  name: "ApiKeys_DeleteApiKey",
  summary: "Deletes an API key.",
  description:
    "An impersonated user can delete only keys they own; a key restricted to some feeds only keys restricted to some of them. Answers an empty array.",
  args: z.object({ ApiKey_Id: keyId() }),
  row: apiKeyRowSchema,
  run: async (ctx, a) => {
    if (ctx.caller.feeds !== null) requireKeyOnCallerFeeds(ctx.caller, await visibleKey(ctx, a.ApiKey_Id));
    await deleteKey(ctx.db, callerOf(ctx.caller, ctx.ip), a.ApiKey_Id);
    ctx.services.keys.invalidate();
    return [];
  },
});

export const revokeApiKey = defineMethod({
  name: "ApiKeys_RevokeApiKey",
  summary: "Revokes an API key: it stops working at once and stays listed.",
  description: "An impersonated user can revoke only keys they own; a key restricted to some feeds only keys restricted to some of them.",
  args: z.object({ ApiKey_Id: keyId(), Revoked_Reason: arg.text({ description: "Why, for the key's history.", max: 200 }) }),
  row: apiKeyRowSchema,
  run: async (ctx, a) => {
    if (ctx.caller.feeds !== null) requireKeyOnCallerFeeds(ctx.caller, await visibleKey(ctx, a.ApiKey_Id));
    const key = await revokeKey(ctx.db, callerOf(ctx.caller, ctx.ip), a.ApiKey_Id, a.Revoked_Reason ?? undefined, ctx.now);
    ctx.services.keys.invalidate();
    return [apiKeyRow(key)];
  },
});

const DEFAULT_LOG_COUNT = 100;
const MAX_LOG_COUNT = 1000;

/**
 * The newest `count` entries the caller may read, of one key or of all. The reader's
 * pages are smaller than a Native API answer may be, and a page may stop short of full
 * (even empty) when its search budget runs out, so this follows the cursor until it has
 * `count` entries or the reader has none older.
 */
async function newestEntries(ctx: NativeContext, keyId: number | undefined, count: number): Promise<AccessLogRow[]> {
  const viewer = callerOnLogsOf(ctx.caller);
  // A key restricted to some feeds reads only entries of requests to those feeds (docs/authorization.md).
  if (ctx.caller.feeds !== null) return newestEntriesOnFeeds(ctx.db, viewer, ctx.caller.feeds, keyId, count);
  const rows: AccessLogRow[] = [];
  let cursor: number | undefined;
  while (rows.length < count) {
    const filter = accessLogFilterSchema.parse({ key: keyId, cursor, limit: Math.min(count - rows.length, ACCESS_LOG_PAGE_MAX) });
    const page = await listAccessLogs(ctx.db, viewer, filter, ctx.services.config.provider);
    rows.push(...page.rows);
    // Cursors only go down, to older entries; one that does not would never end.
    if (page.nextCursor === null || (cursor !== undefined && page.nextCursor >= cursor)) break;
    cursor = page.nextCursor;
  }
  return rows.slice(0, count);
}

export const getAccessLogs = defineMethod({
  name: "ApiKeyAccessLogs_GetLogs",
  summary: "Access-log entries, newest first (optionally of one key).",
  description:
    "Administrators and the API key user read every entry; an impersonated user reads the entries of the keys they own only, " +
    "and an ApiKey_Id of a key they do not own answers 404. A key restricted to some feeds reads only the entries of requests to those feeds. " +
    "Paths are stored with secrets removed; no entry holds a key.",
  args: z.object({
    ApiKey_Id: arg.integer({ description: "Only this key's entries." }),
    Count: arg.integer({ description: `At most this many entries, the newest (default ${DEFAULT_LOG_COUNT}).`, max: MAX_LOG_COUNT }),
  }),
  row: accessLogRowSchema,
  run: async (ctx, a) => {
    // Another user's key answers 404 like a missing one, rather than an empty list that would confirm it exists.
    if (a.ApiKey_Id !== undefined) await visibleKey(ctx, a.ApiKey_Id);
    const entries = await newestEntries(ctx, a.ApiKey_Id, a.Count ?? DEFAULT_LOG_COUNT);
    return entries.map(accessLogRow);
  },
});
