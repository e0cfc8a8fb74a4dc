// Dates as the screens show them. Kept free of @keyhouse/shared so pages that only
// format dates do not pull the schema library into their chunk.

// tRPC answers without a transformer, so the Date-typed fields arrive as ISO strings.
export type DateLike = Date | string;

export function toDate(value: DateLike): Date {
  return value instanceof Date ? value : new Date(value);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const cacheKey = `${locale ?? ""}|${JSON.stringify(options)}`;
  let format = dateFormats.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(cacheKey, format);
  }
  return format;
}

/** "Mar 14, 2026": the day only, for created and expiry dates. */
export function formatDate(value: DateLike, locale?: string, timeZone?: string): string {
  return formatter(locale, { dateStyle: "medium", timeZone }).format(toDate(value));
}

/** "Mar 14, 2026, 3:04 PM": for events where the time of day matters (last used, notices). */
export function formatDateTime(value: DateLike, locale?: string, timeZone?: string): string {
  return formatter(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(toDate(value));
}

/** "3:04 PM": the time of day alone, shown under a date. */
export function formatTime(value: DateLike, locale?: string, timeZone?: string): string {
  return formatter(locale, { timeStyle: "short", timeZone }).format(toDate(value));
}
