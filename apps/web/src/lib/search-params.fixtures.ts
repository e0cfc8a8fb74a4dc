// For the tests that hold a zod-free search-param parser to the schema it mirrors
// (access-logs/search.test.ts, admin-keys/search.test.ts): the inputs to compare on.

// Values every field is tried with, besides its own: blanks, numbers written oddly, and
// values no URL produces (a link's search object can hold anything).
export const BLANK_VALUES: readonly unknown[] = [undefined, null, "", " "];
export const NUMBER_LIKE_VALUES: readonly unknown[] = [-1, 2.5, "3", " 7 ", "2.0", "1e2", "0x10"];
export const NON_URL_VALUES: readonly unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, true, false, [], ["2"], ["a", "b"], {}, { a: 1 }];

/** Every field alone with every value, each with a label for the failure message. */
export function* eachFieldWithEachValue(fields: readonly string[], values: readonly unknown[]): Generator<[label: string, input: Record<string, unknown>]> {
  for (const field of fields) {
    for (const value of values) yield [`${field}=${JSON.stringify(value)}`, { [field]: value }];
  }
}

/**
 * `count` random mixes: `base` (params the parser must drop) plus about half of the
 * fields, each with one of the values. The seed is fixed, so a failure repeats.
 */
export function* randomMixes(
  fields: readonly string[],
  values: readonly unknown[],
  { seed, count, base }: { seed: number; count: number; base: Record<string, unknown> },
): Generator<Record<string, unknown>> {
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < count; i++) {
    const input = { ...base };
    for (const field of fields) if (next() % 2) input[field] = values[next() % values.length];
    yield input;
  }
}
