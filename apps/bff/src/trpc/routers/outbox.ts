// The Outbox screen: notices kept or sent. Users see their own; admins see everyone's.
import { z } from "zod";
import { listOutbox } from "../../notifications/outbox-view.ts";
import { protectedProcedure, router } from "../init.ts";

export const outboxRouter = router({
  list: protectedProcedure
    .input(
      z
        .object({
          limit: z
            .number()
            .int("The limit must be a whole number.")
            .min(1, "The limit must be between 1 and 200.")
            .max(200, "The limit must be between 1 and 200.")
            .default(50),
        })
        .default({ limit: 50 }),
    )
    .output(
      z.object({
        smtpConfigured: z.boolean(),
        items: z.array(
          z.object({
            id: z.number(),
            createdAt: z.date(),
            toAddress: z.string(),
            subject: z.string(),
            body: z.string(),
            kind: z.string(),
            status: z.enum(["pending", "sent", "failed"]),
            attempts: z.number(),
            lastError: z.string().nullable(),
            sentAt: z.date().nullable(),
          }),
        ),
      }),
    )
    .query(async ({ ctx, input }) => ({
      smtpConfigured: Boolean(ctx.config.smtpUrl),
      items: await listOutbox(ctx.db, { userId: ctx.user.role === "admin" ? null : ctx.user.id, limit: input.limit }),
    })),
});
