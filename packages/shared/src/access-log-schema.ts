import { z } from "zod";
import { APIS } from "./constants.ts";
import { configureZod } from "./zod-config.ts";

configureZod();

// Filters of the access-log grid (docs/access-logs.md): the SPA's URL search params, the tRPC
// input of logs.list and the query string of the CSV/NDJSON exports. Every field falls
// back to "no filter" (or its default) when it is missing or not valid, so a hand-edited
// URL never breaks the page.

export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** Where a logged request came in: the feeds, the Native API or the key-management API. */
export const ACCESS_LOG_SURFACES = APIS;

export const ACCESS_LOG_PAGE_DEFAULT = 100;
export const ACCESS_LOG_PAGE_MAX = 500;

/** "" and null (an empty date box, a cleared param) mean "no filter", not 1970. */
const optionalDate = z
  .preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.date())
  .optional()
  .catch(undefined);
const optionalId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional().catch(undefined);

export const accessLogFilterSchema = z.object({
  /** Entries of this key (its ID). */
  key: optionalId,
  /** Entries where this user acted (exact user name). */
  user: optionalText(64),
  /** Admins: "mine" narrows to entries of their own keys. Everyone else only ever sees their own keys' entries. */
  scope: z.enum(["all", "mine"]).default("all").catch("all"),
  statusClass: z.enum(STATUS_CLASSES).optional().catch(undefined),
  /** HTTP method, e.g. GET (any case). */
  method: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{1,16}$/)
    .transform((m) => m.toUpperCase())
    .optional()
    .catch(undefined),
  /** Text the path and query contain, ignoring case. */
  path: optionalText(200),
  surface: z.enum(ACCESS_LOG_SURFACES).optional().catch(undefined),
  /** Requests at or after this time. */
  from: optionalDate,
  /** Requests at or before this time. */
  to: optionalDate,
  /**
   * Keyset pagination: entries older than (with an ID below) this one — a page's
   * nextCursor, which is its last row's ID or, when the page stopped searching early
   * (scannedTo), the lowest ID it searched.
   */
  cursor: optionalId,
  limit: z.coerce.number().int().min(1).max(ACCESS_LOG_PAGE_MAX).default(ACCESS_LOG_PAGE_DEFAULT).catch(ACCESS_LOG_PAGE_DEFAULT),
});

export type AccessLogFilterInput = z.input<typeof accessLogFilterSchema>;
export type AccessLogFilter = z.output<typeof accessLogFilterSchema>;
