// The access-log grid (PRODUCT §9): thin adapters over logs/query.ts. Users see their
// own keys' entries; administrators see every entry.
import { accessLogFilterSchema } from "@keyhouse/shared";
import { z } from "zod";
import { accessLogEntrySchema, accessLogRowSchema, getAccessLogEntry, listAccessLogs, type LogViewer } from "../../logs/query.ts";
import { protectedProcedure, router } from "../init.ts";

const logsProcedure = protectedProcedure.use(({ ctx, next }) => {
  const viewer: LogViewer = { id: ctx.user.id, isAdmin: ctx.user.role === "admin" };
  return next({ ctx: { ...ctx, viewer } });
});

export const logsRouter = router({
  /** One page, newest first; pass nextCursor back as cursor for the next. */
  list: logsProcedure
    .input(accessLogFilterSchema.prefault({}))
    .output(z.object({ rows: z.array(accessLogRowSchema), nextCursor: z.number().nullable() }))
    .query(({ ctx, input }) => listAccessLogs(ctx.db, ctx.viewer, input, ctx.config.provider)),

  /** One entry with its request and response bodies. */
  get: logsProcedure
    .input(z.object({ id: z.number({ error: "The entry ID must be a positive whole number." }).int("The entry ID must be a positive whole number.").positive("The entry ID must be a positive whole number.") }))
    .output(accessLogEntrySchema)
    .query(({ ctx, input }) => getAccessLogEntry(ctx.db, ctx.viewer, input.id)),
});
