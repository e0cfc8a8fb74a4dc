// The access log's rows as the grid, the Native API and the exports read them.
import type { AccessLogFilter } from "@keyhouse/shared";
import { z } from "zod";
import type { Prisma } from "../db/client.ts";

export type Provider = "sqlite" | "postgres";

/** The filters without the paging fields, as the exports take them. */
export type AccessLogWhere = Omit<AccessLogFilter, "cursor" | "limit">;

export const accessLogRowSchema = z.object({
  id: z.number(),
  at: z.date(),
  keyId: z.number().nullable(),
  keyName: z.string().nullable(),
  keyHint: z.string().nullable(),
  keyStatus: z.string(),
  ownerId: z.number().nullable(),
  userId: z.number().nullable(),
  username: z.string().nullable(),
  surface: z.string(),
  feed: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  status: z.number(),
  durationMs: z.number(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  bytesIn: z.number(),
  bytesOut: z.number(),
});
export type AccessLogRow = z.infer<typeof accessLogRowSchema>;

export const accessLogEntrySchema = accessLogRowSchema.extend({ requestBody: z.string().nullable(), responseBody: z.string().nullable() });
export type AccessLogEntryView = z.infer<typeof accessLogEntrySchema>;

/**
 * One page of the grid. `nextCursor` is null on the last page. `scannedTo` is set when the
 * page stopped searching before it was full (the budget ran out): every entry at or after
 * that time (exactly: with an ID at or above nextCursor) has been searched, and the page
 * holds all the matches among them; more may come from nextCursor on.
 */
export const accessLogPageSchema = z.object({ rows: z.array(accessLogRowSchema), nextCursor: z.number().nullable(), scannedTo: z.date().nullable() });
export type AccessLogPage = z.infer<typeof accessLogPageSchema>;

/** Every column but the bodies, which can be 64 KiB each. */
export const ROW_SELECT = {
  id: true,
  at: true,
  keyId: true,
  keyName: true,
  keyHint: true,
  keyStatus: true,
  ownerId: true,
  userId: true,
  username: true,
  surface: true,
  feed: true,
  method: true,
  path: true,
  status: true,
  durationMs: true,
  ip: true,
  userAgent: true,
  bytesIn: true,
  bytesOut: true,
} as const satisfies Prisma.AccessLogEntrySelect;

export const COLUMNS = Object.keys(ROW_SELECT)
  .map((c) => `"${c}"`)
  .join(", ");
export const TABLE = `"AccessLogEntry"`;
/** The largest ID PostgreSQL's integer column holds; cursors beyond it mean "from the newest". */
export const MAX_ID = 2_147_483_647;
