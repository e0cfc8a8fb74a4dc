// The system query options of a v2 request ($filter, $orderby, $select, $skip, $top,
// $inlinecount), read from the query string and checked before any database work.
import { ODataError, parseCount, parseFilter, parseOrderBy, parseSelect, type Expr, type OrderBy } from "./parse.ts";
import { SCHEMA } from "./package-entry.ts";

/** One page holds at most this many entries; a longer answer ends with a next link. */
export const PAGE_SIZE = 100;
/** A $top above this is refused rather than served page by page. */
export const MAX_TOP = 10_000;
export const MAX_SKIP = 1_000_000;

export type QueryOptions = { filter: Expr | null; orderBy: OrderBy; select: string[] | null; skip: number; top: number | undefined; inlineCount: boolean };

const KNOWN = new Set(["$filter", "$orderby", "$select", "$skip", "$top", "$inlinecount", "$format"]);

export function queryParam(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === "string" ? s : undefined;
}

export function queryOptions(query: Record<string, unknown>): QueryOptions {
  for (const name of Object.keys(query)) {
    if (name.startsWith("$") && !KNOWN.has(name))
      throw new ODataError(`The query option ${name.slice(0, 40)} is not supported here; use $filter, $orderby, $select, $skip, $top or $inlinecount.`);
  }
  const format = queryParam(query, "$format");
  if (format !== undefined && format !== "atom") throw new ODataError(`$format may only be atom; this feed answers in Atom XML.`);
  const inline = queryParam(query, "$inlinecount");
  if (inline !== undefined && inline !== "allpages" && inline !== "none")
    throw new ODataError(`$inlinecount must be allpages or none, not "${inline.slice(0, 40)}".`);
  const filter = queryParam(query, "$filter");
  const orderBy = queryParam(query, "$orderby");
  const select = queryParam(query, "$select");
  return {
    filter: filter ? parseFilter(filter, SCHEMA) : null,
    orderBy: orderBy ? parseOrderBy(orderBy, SCHEMA) : [],
    select: select ? parseSelect(select, SCHEMA) : null,
    skip: parseCount("$skip", queryParam(query, "$skip"), MAX_SKIP) ?? 0,
    top: parseCount("$top", queryParam(query, "$top"), MAX_TOP),
    inlineCount: inline === "allpages",
  };
}

/** The page to answer and, when the request asked for more than one page holds, where the rest starts. */
export function page<T>(rows: T[], o: Pick<QueryOptions, "skip" | "top">): { rows: T[]; next: { skip: number; top: number | undefined } | null } {
  const wanted = o.top ?? Number.POSITIVE_INFINITY;
  const size = Math.min(wanted, PAGE_SIZE);
  const slice = rows.slice(o.skip, o.skip + size);
  const more = o.skip + slice.length < rows.length && wanted > size;
  return { rows: slice, next: more ? { skip: o.skip + slice.length, top: o.top === undefined ? undefined : o.top - slice.length } : null };
}
