// Admin › API keys: thin adapters over keys/admin-list.ts, keys/system.ts and the
// owner lifecycle functions run with every key in reach.
import { adminKeyListInputSchema, adminUpdateScopedKeyInputSchema, createSystemKeyFormSchema, updateSystemKeyInputSchema } from "@keyhouse/shared";
import { z } from "zod";
import { listAllKeys } from "../../keys/admin-list.ts";
import { adminKeyOptions } from "../../keys/admin-options.ts";
import { adminUpdateScopedKey } from "../../keys/admin-scoped.ts";
import type { Caller } from "../../auth/caller.ts";
import { deleteKey, revokeKey } from "../../keys/lifecycle.ts";
import { createSystemKey, updateSystemKey } from "../../keys/system.ts";
import { keyViewSchema } from "../../keys/views.ts";
import { adminProcedure, router } from "../init.ts";

const idInput = z.object({
  id: z
    .number({ error: "The key ID must be a positive whole number." })
    .int("The key ID must be a positive whole number.")
    .positive("The key ID must be a positive whole number."),
});

const adminKeysProcedure = adminProcedure.use(async ({ ctx, next, type }) => {
  const caller: Caller = { id: ctx.user.id, username: ctx.user.username, ip: ctx.ip, isAdmin: true, allKeys: true };
  const result = await next({ ctx: { ...ctx, caller, keyDeps: { db: ctx.db, secret: ctx.config.secret } } });
  // This instance forgets cached keys at once; others within the cache's one second.
  if (type === "mutation") ctx.services?.keys.invalidate();
  return result;
});

export const adminKeysRouter = router({
  list: adminKeysProcedure
    .input(adminKeyListInputSchema)
    .output(z.object({ rows: z.array(keyViewSchema.extend({ unusedRights: z.array(z.string()) })), total: z.number(), page: z.number(), pageSize: z.number() }))
    .query(({ ctx, input }) => listAllKeys(ctx.db, input, ctx.config.provider, new Date(), ctx.config.logRetentionDays)),

  /** Users and feeds for the form's "User" and "Feeds" fields. */
  options: adminKeysProcedure
    .input(z.void())
    .output(
      z.object({
        users: z.array(z.object({ id: z.number(), username: z.string(), displayName: z.string() })),
        feeds: z.array(z.object({ name: z.string(), type: z.string() })),
      }),
    )
    .query(({ ctx }) => adminKeyOptions(ctx.db)),

  create: adminKeysProcedure
    // A description is required here (the screen's schema); the Native and management APIs keep ProGet's optional one.
    .input(createSystemKeyFormSchema)
    .output(z.object({ key: keyViewSchema, value: z.string() }))
    .mutation(({ ctx, input }) => createSystemKey(ctx.keyDeps, ctx.caller, input)),

  update: adminKeysProcedure
    .input(updateSystemKeyInputSchema)
    .output(z.object({ key: keyViewSchema, value: z.string().nullable() }))
    .mutation(({ ctx, input }) => updateSystemKey(ctx.keyDeps, ctx.caller, input)),

  /** A user's scoped key: its packages and glob, and optionally a new lifetime. */
  updateScoped: adminKeysProcedure
    .input(adminUpdateScopedKeyInputSchema)
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => adminUpdateScopedKey(ctx.db, ctx.caller, input)),

  revoke: adminKeysProcedure
    .input(idInput.extend({ reason: z.string().trim().max(200, "The reason must be at most 200 characters.").optional() }))
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => revokeKey(ctx.db, ctx.caller, input.id, input.reason)),

  delete: adminKeysProcedure
    .input(idInput)
    .output(z.object({ id: z.number() }))
    .mutation(async ({ ctx, input }) => {
      await deleteKey(ctx.db, ctx.caller, input.id);
      return { id: input.id };
    }),
});
