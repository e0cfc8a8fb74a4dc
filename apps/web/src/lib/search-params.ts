// Pieces of the zod-free search-param parsers (access-logs/search.ts, admin-keys/search.ts).
// They run on every navigation and are part of the first page load, hence no zod here.

/** z.enum(values) on an unknown value: the value when it is one of them, else undefined. */
export function oneOf<T extends string>(values: readonly T[], v: unknown): T | undefined {
  return typeof v === "string" && (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

/**
 * What z.coerce.number() makes of a value (Number(v)), or undefined when Number() throws
 * (a symbol, an object whose valueOf throws); NaN and fractions are the caller's to check.
 */
export function coerceNumber(v: unknown): number | undefined {
  try {
    return Number(v);
  } catch {
    return undefined;
  }
}
