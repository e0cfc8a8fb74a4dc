// Account › API keys: a package owner's own keys. Thin adapters over keys/lifecycle.ts
// and keys/reach.ts.
import {
  createKeyInputSchema,
  keyUsageAdviceSchema,
  narrowKeyInputSchema,
  updateKeyAlertsInputSchema,
  updateKeyNetworksInputSchema,
  updateKeyPackagesInputSchema,
  regenerateKeyInputSchema,
} from "@keyhouse/shared";
import { keyUsageAdvice, narrowKey } from "../../keys/advisor.ts";
import { z } from "zod";
import {
  createScopedKey,
  deleteKey,
  listOwnedPackages,
  regenerateKey,
  revokeAllLegacyKeys,
  revokeKey,
  updateKeyAlerts,
  updateKeyNetworks,
  updateKeyPackages,
} from "../../keys/lifecycle.ts";
import { reachableKeys } from "../../keys/reach.ts";
import type { Caller } from "../../auth/caller.ts";
import { keyViewSchema } from "../../keys/views.ts";
import { listFeedSummaries } from "../../feeds/catalog.ts";
import { protectedProcedure, router } from "../init.ts";

// The same words as updateKeyPackagesInputSchema's, for every way an id can be wrong
// (missing, not a number, not whole, not positive).
const KEY_ID_MESSAGE = "The key ID must be a positive whole number.";
const idInput = z.object({ id: z.number({ error: KEY_ID_MESSAGE }).int(KEY_ID_MESSAGE).positive(KEY_ID_MESSAGE) });
const keyWithValue = z.object({ key: keyViewSchema, value: z.string() });

/** Account procedures reach only the caller's own keys, admins included. */
const ownerProcedure = protectedProcedure.use(async ({ ctx, next, type }) => {
  const caller: Caller = { id: ctx.user.id, username: ctx.user.username, ip: ctx.ip, isAdmin: ctx.user.role === "admin", allKeys: false };
  const result = await next({ ctx: { ...ctx, caller, keyDeps: { db: ctx.db, secret: ctx.config.secret } } });
  // This instance forgets cached keys at once; others within the cache's one second.
  if (type === "mutation") ctx.services?.keys.invalidate();
  return result;
});

export const keysRouter = router({
  list: ownerProcedure
    .input(z.void())
    .output(z.array(keyViewSchema))
    .query(({ ctx }) => reachableKeys(ctx.db, ctx.caller)),

  ownedPackages: ownerProcedure
    .input(z.void())
    .output(z.array(z.object({ id: z.number(), name: z.string(), feed: z.string(), feedType: z.string() })))
    .query(({ ctx }) => listOwnedPackages(ctx.db, ctx.user.id)),

  /** What the "How to use" snippets need: PUBLIC_URL (null: the SPA uses its own origin) and the feeds. */
  usage: protectedProcedure
    .input(z.void())
    .output(z.object({ publicUrl: z.string().nullable(), feeds: z.array(z.object({ name: z.string(), type: z.string() })) }))
    .query(async ({ ctx }) => ({
      publicUrl: ctx.config.publicUrl?.replace(/\/+$/, "") ?? null,
      feeds: await listFeedSummaries(ctx.db),
    })),

  /** The only answer, with regenerate's, that carries a key value. */
  create: ownerProcedure
    .input(createKeyInputSchema)
    .output(keyWithValue)
    .mutation(({ ctx, input }) => createScopedKey(ctx.keyDeps, ctx.caller, input)),

  updatePackages: ownerProcedure
    .input(updateKeyPackagesInputSchema)
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => updateKeyPackages(ctx.db, ctx.caller, input)),

  updateNetworks: ownerProcedure
    .input(updateKeyNetworksInputSchema)
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => updateKeyNetworks(ctx.db, ctx.caller, input)),

  /** Edit › "Alert me about new networks". */
  updateAlerts: ownerProcedure
    .input(updateKeyAlertsInputSchema)
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => updateKeyAlerts(ctx.db, ctx.caller, input)),

  /** "What this key used": its use over the window and the advisor's suggestion (docs/advisor.md). */
  used: ownerProcedure
    .input(idInput)
    .output(keyUsageAdviceSchema)
    .query(({ ctx, input }) => keyUsageAdvice(ctx.db, ctx.caller, input.id, ctx.config.logRetentionDays)),

  /** Applies the advisor's suggestion as confirmed; refused unless it only narrows the key. */
  narrow: ownerProcedure
    .input(narrowKeyInputSchema)
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => narrowKey(ctx.db, ctx.caller, input)),

  regenerate: ownerProcedure
    .input(regenerateKeyInputSchema)
    .output(keyWithValue)
    .mutation(({ ctx, input }) => regenerateKey(ctx.keyDeps, ctx.caller, input.id, new Date(), input.keepOldValueHours)),

  revoke: ownerProcedure
    .input(idInput.extend({ reason: z.string().trim().max(200, "The reason must be at most 200 characters.").optional() }))
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => revokeKey(ctx.db, ctx.caller, input.id, input.reason)),

  delete: ownerProcedure
    .input(idInput)
    .output(z.object({ id: z.number() }))
    .mutation(async ({ ctx, input }) => {
      await deleteKey(ctx.db, ctx.caller, input.id);
      return { id: input.id };
    }),

  revokeAllLegacy: ownerProcedure
    .input(z.void())
    .output(z.object({ revoked: z.number() }))
    .mutation(async ({ ctx }) => ({ revoked: await revokeAllLegacyKeys(ctx.db, ctx.caller) })),
});
