// Where to go after signing in comes from the URL, so anything that could leave the
// origin must be refused: "//evil.example" and "/\evil.example" are protocol-relative to
// browsers, and the URL parser strips tabs and newlines ("/\t/evil.example").
export function safeRedirectPath(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return undefined;
  if (!value.startsWith("/") || value.startsWith("//")) return undefined;
  if (value.includes("\\")) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  return value;
}

export const DEFAULT_AFTER_SIGN_IN = "/account/api-keys";

export type LoginSearch = { redirect?: string };

/**
 * The /login route's search validator. Hand-written rather than zod so the validator,
 * which stays in the entry chunk, pulls no schema library into the first load.
 * The key is always present: the router merges the raw search params under the
 * validated ones, so leaving it out would let an unsafe raw value through.
 */
export function validateLoginSearch(search: Record<string, unknown>): LoginSearch {
  return { redirect: safeRedirectPath(search.redirect) };
}

/** Where a successful sign-in goes; checked again here because it feeds a navigation. */
export function afterSignInPath(search: LoginSearch): string {
  return safeRedirectPath(search.redirect) ?? DEFAULT_AFTER_SIGN_IN;
}
