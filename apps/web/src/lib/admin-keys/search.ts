// The admin key grid's URL search params. The route validates them on every navigation,
// and that code is part of the first page load (only route components are code-split),
// so this is a zod-free mirror of adminKeyListInputSchema from @keyhouse/shared: same
// fields, same limits, same fallbacks. search.test.ts proves the two agree; the BFF
// validates again with the schema itself.
import type { AdminKeyListInput } from "@keyhouse/shared";
import type { SearchSchemaInput } from "@tanstack/react-router";
import { coerceNumber, oneOf } from "../search-params";

export type AdminKeySearch = AdminKeyListInput;
export type KeyKindFilter = NonNullable<AdminKeySearch["kind"]>;
export type ApiFilter = NonNullable<AdminKeySearch["api"]>;
export type StatusFilter = NonNullable<AdminKeySearch["status"]>;
export type SortKey = AdminKeySearch["sort"];

/** Makes the compiler fail when a list below and the schema's enum differ. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_check: T) => undefined;

export const KIND_VALUES = ["scoped", "system", "legacy"] as const;
export const API_VALUES = ["feeds", "native", "keys"] as const;
export const STATUS_VALUES = ["active", "expiring", "expired", "revoked", "legacy"] as const;
export const SORT_VALUES = ["created", "name", "expires", "lastUsed"] as const;
same<Same<(typeof KIND_VALUES)[number], KeyKindFilter>>(true);
same<Same<(typeof API_VALUES)[number], ApiFilter>>(true);
same<Same<(typeof STATUS_VALUES)[number], StatusFilter>>(true);
same<Same<(typeof SORT_VALUES)[number], SortKey>>(true);

export const SEARCH_DEFAULTS = { sort: "created", dir: "desc", page: 1, pageSize: 25 } as const satisfies Partial<AdminKeySearch>;

/** z.string().trim().max(n).optional().catch(undefined) */
function text(v: unknown, max: number): string | undefined {
  if (typeof v !== "string") return undefined;
  const trimmed = v.trim();
  return trimmed.length <= max ? trimmed : undefined;
}

/** z.coerce.number().int().min(min).max(max).default(d).catch(d) */
function whole(v: unknown, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  const n = coerceNumber(v);
  return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/**
 * Typed as taking the search params a link may set (each optional); at run time anything
 * from the address bar arrives here, and anything unusable falls back like the schema's.
 */
export function parseAdminKeySearch(input: Partial<AdminKeySearch> & SearchSchemaInput): AdminKeySearch {
  const raw = input as Record<string, unknown>;
  const search: AdminKeySearch = {
    sort: oneOf(SORT_VALUES, raw.sort) ?? SEARCH_DEFAULTS.sort,
    dir: oneOf(["asc", "desc"] as const, raw.dir) ?? SEARCH_DEFAULTS.dir,
    page: whole(raw.page, 1, 100_000, SEARCH_DEFAULTS.page),
    pageSize: whole(raw.pageSize, 5, 100, SEARCH_DEFAULTS.pageSize),
  };
  const optional = {
    kind: oneOf(KIND_VALUES, raw.kind),
    owner: text(raw.owner, 64),
    user: text(raw.user, 64),
    api: oneOf(API_VALUES, raw.api),
    status: oneOf(STATUS_VALUES, raw.status),
    feed: text(raw.feed, 100),
    text: text(raw.text, 200),
  };
  // z.literal(true).optional().catch(undefined): the router gives ?broader=true as the boolean.
  if (raw.broader === true) search.broader = true;
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (search as Record<string, unknown>)[k] = v;
  return search;
}

/** The filters a person set (not sorting or paging), for "Clear filters" and the empty state. */
export const FILTER_KEYS = ["kind", "owner", "user", "api", "status", "feed", "text", "broader"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export function hasFilters(search: AdminKeySearch): boolean {
  return FILTER_KEYS.some((k) => search[k] !== undefined && search[k] !== "");
}
