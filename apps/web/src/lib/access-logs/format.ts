// How the access-log viewer shows an entry's fields. Pure functions, no React.

/** The fields of a row these helpers read; tRPC answers without a transformer, so `at` is an ISO string at run time. */
export type LogKeyFields = { keyId: number | null; keyName: string | null; keyHint: string | null; keyStatus: string };

export type StatusClassName = "2xx" | "3xx" | "4xx" | "5xx";

/** 200–299 → "2xx" … 500–599 → "5xx"; anything else (1xx, nonsense) → null. */
export function statusClassOf(status: number): StatusClassName | null {
  if (!Number.isInteger(status)) return null;
  if (status >= 200 && status < 300) return "2xx";
  if (status >= 300 && status < 400) return "3xx";
  if (status >= 400 && status < 500) return "4xx";
  if (status >= 500 && status < 600) return "5xx";
  return null;
}

export const STATUS_CLASS_LABELS: Record<StatusClassName, string> = {
  "2xx": "2xx Success",
  "3xx": "3xx Redirection",
  "4xx": "4xx Client error",
  "5xx": "5xx Server error",
};

export const SURFACE_LABELS: Record<string, string> = {
  feeds: "Feeds",
  native: "Native API",
  keys: "API-keys API",
};

const FAILED_KEY_LABELS: Record<string, string> = {
  unknown: "unknown key",
  malformed: "malformed key",
  ambiguous: "two different keys",
};

const STATUS_NOTES: Record<string, string> = {
  revoked: "revoked",
  expired: "expired",
};

/**
 * What the Key column says. A failed attempt with a key the server does not know (or
 * could not read) has no name: it is described instead. A known key that no longer
 * worked carries a note ("revoked", "expired").
 */
export function keyLabel(row: LogKeyFields): { name: string; hint: string | null; note: string | null; failed: boolean } {
  const failed = FAILED_KEY_LABELS[row.keyStatus];
  if (failed && row.keyName === null) return { name: failed, hint: row.keyHint, note: null, failed: true };
  const name = row.keyName ?? (row.keyId !== null ? `Key ${row.keyId}` : (failed ?? "no key"));
  return { name, hint: row.keyHint, note: STATUS_NOTES[row.keyStatus] ?? failed ?? null, failed: false };
}

/** "0.4 ms", "12 ms", "1.25 s", "12.5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "0 B", "512 B", "1.5 KB", "2.0 MB" (binary multiples, as the 64 KiB body limit). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const cacheKey = `${key}|${locale ?? ""}|${options.timeZone ?? ""}`;
  let f = formats.get(cacheKey);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formats.set(cacheKey, f);
  }
  return f;
}

/** "Mar 14, 2026" and "3:04:05 PM": a log entry's day and its time to the second; "Mar 14" for narrow screens. */
export function formatLogTime(value: Date | string, locale?: string, timeZone?: string): { day: string; shortDay: string; time: string; iso: string } {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return { day: "—", shortDay: "—", time: "", iso: "" };
  return {
    day: formatter("day", locale, { dateStyle: "medium", timeZone }).format(date),
    shortDay: formatter("shortDay", locale, { month: "short", day: "numeric", timeZone }).format(date),
    time: formatter("time", locale, { timeStyle: "medium", timeZone }).format(date),
    iso: date.toISOString(),
  };
}

// ---- Auto-refresh: newer entries on top of what is already loaded -------------------

export type LogPage<Row extends { id: number }> = {
  rows: Row[];
  nextCursor: number | null;
  /** Set when the page stopped searching before it was full: the time it searched back to (see scan.ts). */
  scannedTo?: Date | string | null;
};
export type LogPages<Row extends { id: number }> = { pages: LogPage<Row>[]; pageParams: unknown[] };

/**
 * Puts the entries of a freshly fetched first page that are newer than everything loaded
 * on top of the first loaded page, keeping the older pages (and their cursors, which are
 * entry IDs, so they stay valid). When every fresh entry is new there may be a gap
 * between them and what was loaded, so the fresh page replaces everything instead.
 *
 * Pages that stopped searching early may hold no rows. While nothing has been found yet,
 * what was searched is known from the cursors: a fresh page whose search reached into the
 * first loaded page's (its cursor between the first and the last loaded page's) adds its
 * entries on top and the search goes on where it was; one that searched further than
 * everything loaded, or not far enough to meet it, replaces everything.
 */
export function mergeNewerEntries<Row extends { id: number }>(current: LogPages<Row> | undefined, fresh: LogPage<Row>): LogPages<Row> {
  const first = current?.pages[0];
  if (!current || !first) return { pages: [fresh], pageParams: [null] };
  const onTop = (newer: Row[]): LogPages<Row> => ({
    pages: [{ ...first, rows: [...newer, ...first.rows] }, ...current.pages.slice(1)],
    pageParams: current.pageParams,
  });
  const newest = current.pages.find((p) => p.rows.length > 0)?.rows[0]?.id;
  if (newest === undefined) {
    // Nothing found yet. A fresh page with nothing either changes nothing, unless it searched further.
    const reachedFirst = first.nextCursor;
    const searchedTo = current.pages[current.pages.length - 1]!.nextCursor;
    const f = fresh.nextCursor;
    if (fresh.rows.length === 0) return f === null || (searchedTo !== null && f <= searchedTo) ? { pages: [fresh], pageParams: [null] } : current;
    if (f !== null && reachedFirst !== null && searchedTo !== null && f > searchedTo && f <= reachedFirst) return onTop(fresh.rows);
    return { pages: [fresh], pageParams: [null] };
  }
  const newer = fresh.rows.filter((r) => r.id > newest);
  if (newer.length === 0) return current;
  if (newer.length === fresh.rows.length) return { pages: [fresh], pageParams: [null] };
  return onTop(newer);
}

/** Every loaded row, newest first. */
export function flattenPages<Row extends { id: number }>(data: { pages: LogPage<Row>[] } | undefined): Row[] {
  if (!data) return [];
  const out: Row[] = [];
  for (const page of data.pages) for (const row of page.rows) out.push(row);
  return out;
}

/** A logged body for reading: JSON indented, anything else as it was logged. */
export function prettyBody(text: string): string {
  const t = text.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return text;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return text;
  }
}
