// The access-log grid (docs/access-logs.md): thin adapters over logs/query.ts. Users see their
// own keys' entries; administrators see every entry.
import { accessLogFilterSchema } from "@keyhouse/shared";
import { z } from "zod";
import { getAccessLogEntry, listAccessLogs } from "../../logs/query.ts";
import type { CallerOnLogs } from "../../auth/caller.ts";
import { accessLogEntrySchema, accessLogPageSchema } from "../../logs/rows.ts";
import { protectedProcedure, router } from "../init.ts";

const logsProcedure = protectedProcedure.use(({ ctx, next }) => {
  const caller: CallerOnLogs = { id: ctx.user.id, isAdmin: ctx.user.role === "admin" };
  return next({ ctx: { ...ctx, caller } });
});

export const logsRouter = router({
  /**
   * One page, newest first; pass nextCursor back as cursor for the next. A page that had
   * to stop searching before it was full (a filter matching little of a large log) has
   * scannedTo, the time it searched back to, and may hold fewer rows than asked, even none.
   */
  list: logsProcedure
    .input(accessLogFilterSchema.prefault({}))
    .output(accessLogPageSchema)
    .query(({ ctx, input }) => listAccessLogs(ctx.db, ctx.caller, input, ctx.config.provider)),

  /** One entry with its request and response bodies. */
  get: logsProcedure
    .input(
      z.object({
        id: z
          .number({ error: "The entry ID must be a positive whole number." })
          .int("The entry ID must be a positive whole number.")
          .positive("The entry ID must be a positive whole number."),
      }),
    )
    .output(accessLogEntrySchema)
    .query(({ ctx, input }) => getAccessLogEntry(ctx.db, ctx.caller, input.id)),
});
