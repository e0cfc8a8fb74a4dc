// The access-log viewer's filters as URL search params, and the same filters as the
// logs.list input and the export links' query string.
//
// The routes validate search params on every navigation, and that code is part of the
// first page load (only route components are code-split), so parseAccessLogSearch is a
// zod-free mirror of accessLogFilterSchema from @keyhouse/shared: same fields, limits
// and fallbacks (search.test.ts proves the two agree; the BFF parses again with the
// schema itself). Paging (cursor, limit) never goes in the URL, and the times are kept
// as ISO strings rather than Date objects so the address stays readable.
import type { AccessLogFilterInput, StatusClass } from "@keyhouse/shared";
import type { SearchSchemaInput } from "@tanstack/react-router";
import { coerceNumber, oneOf } from "../search-params";

export const STATUS_CLASS_VALUES = ["2xx", "3xx", "4xx", "5xx"] as const satisfies readonly StatusClass[];
export const SURFACE_VALUES = ["feeds", "native", "keys"] as const;
export type Surface = (typeof SURFACE_VALUES)[number];

/** The filters a person can set; every field absent means "no filter". */
export type AccessLogSearch = {
  /** A key's ID. */
  key?: number;
  /** The acting user's exact user name. */
  user?: string;
  statusClass?: StatusClass;
  /** Upper case, letters only. */
  method?: string;
  /** Text the path and query contain. */
  path?: string;
  surface?: Surface;
  /** ISO 8601 instants. */
  from?: string;
  to?: string;
};

export const FILTER_KEYS = ["key", "user", "statusClass", "method", "path", "surface", "from", "to"] as const satisfies readonly (keyof AccessLogSearch)[];
/** Compile-time check that FILTER_KEYS names every field. */
const _allKeys: Record<keyof AccessLogSearch, true> = {
  key: true,
  user: true,
  statusClass: true,
  method: true,
  path: true,
  surface: true,
  from: true,
  to: true,
};
void _allKeys;

/** z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined) */
function positiveId(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = coerceNumber(v);
  return n !== undefined && Number.isInteger(n) && n > 0 && n <= Number.MAX_SAFE_INTEGER ? n : undefined;
}

/** z.string().trim().min(1).max(max).optional().catch(undefined) */
function text(v: unknown, max: number): string | undefined {
  if (typeof v !== "string") return undefined;
  const trimmed = v.trim();
  return trimmed.length >= 1 && trimmed.length <= max ? trimmed : undefined;
}

/** z.string().trim().regex(/^[A-Za-z]{1,16}$/).transform(toUpperCase).optional().catch(undefined) */
function method(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const trimmed = v.trim();
  return /^[A-Za-z]{1,16}$/.test(trimmed) ? trimmed.toUpperCase() : undefined;
}

/** The preprocessed z.coerce.date(): "" and null are "no filter"; anything new Date() takes is a time. As ISO. */
function instant(v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  let date: Date;
  try {
    date = new Date(v as string);
  } catch {
    return undefined;
  }
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Typed as taking the search params a link may set (each optional); at run time anything
 * from the address bar arrives here, and anything unusable is dropped like the schema drops it.
 */
export function parseAccessLogSearch(input: AccessLogSearch & SearchSchemaInput): AccessLogSearch {
  const raw = input as Record<string, unknown>;
  const parsed: AccessLogSearch = {
    key: positiveId(raw.key),
    user: text(raw.user, 64),
    statusClass: oneOf(STATUS_CLASS_VALUES, raw.statusClass),
    method: method(raw.method),
    path: text(raw.path, 200),
    surface: oneOf(SURFACE_VALUES, raw.surface),
    from: instant(raw.from),
    to: instant(raw.to),
  };
  return compact(parsed);
}

/** The same object without its undefined fields (so they stay out of URLs and query keys). */
export function compact(search: AccessLogSearch): AccessLogSearch {
  const out: Record<string, unknown> = {};
  for (const k of FILTER_KEYS) if (search[k] !== undefined) out[k] = search[k];
  return out as AccessLogSearch;
}

export function hasFilters(search: AccessLogSearch): boolean {
  return FILTER_KEYS.some((k) => search[k] !== undefined);
}

/** Account › Access logs shows the viewer's own keys' entries, admins included. */
export type ViewerMode = "admin" | "account";

/** The filters plus the scope, as logs.list takes them (without the cursor, which the infinite query adds). */
export function listInput(search: AccessLogSearch, mode: ViewerMode): AccessLogFilterInput {
  return { ...compact(search), scope: mode === "account" ? "mine" : "all" };
}

export type ExportFormat = "csv" | "ndjson";

/** "?statusClass=4xx&…" with the grid's filters and scope (the account viewer sees its own keys' entries), or "" with none. */
export function filterQuery(search: AccessLogSearch, mode: ViewerMode): string {
  const params = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = search[k];
    if (v !== undefined) params.set(k, String(v));
  }
  if (mode === "account") params.set("scope", "mine");
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** /exports/access-logs.csv?statusClass=4xx&… — the same filters and scope as the grid. */
export function exportUrl(format: ExportFormat, search: AccessLogSearch, mode: ViewerMode): string {
  return `/exports/access-logs.${format}${filterQuery(search, mode)}`;
}

// ---- Time range inputs (<input type="datetime-local">, local time to the minute) ----

const pad = (n: number) => String(n).padStart(2, "0");

/** An ISO instant as a datetime-local value ("2026-03-14T15:04"), in the browser's time zone. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A datetime-local value as an ISO instant: "from" at the start of that minute, "to" at
 * its end, so "to 15:04" includes a request at 15:04:30. Empty or unusable: no filter.
 */
export function fromLocalInput(value: string, edge: "from" | "to"): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, 0, 0);
  if (Number.isNaN(date.getTime()) || date.getMonth() !== mo - 1 || date.getDate() !== d) return undefined;
  if (edge === "to") date.setSeconds(59, 999);
  return date.toISOString();
}
