// Package glob patterns (docs/README.md): `*` is the only wildcard, matching is
// case-insensitive and covers the whole id. Matching is done by hand rather than via
// RegExp so nothing in an id or a pattern can act as regex syntax, and so the cost is
// bounded (O(pattern × id)) whatever the input.

/** Tests one character: letters, digits, ".", "-", "_", "*", "@" and "/". */
export const GLOB_PATTERN_CHARS = /^[A-Za-z0-9._*@/-]$/;

/** The characters of `glob` that a pattern may not contain, each once, in order of appearance. */
export function invalidGlobChars(glob: string): string[] {
  const bad = new Set<string>();
  for (const ch of glob) if (!GLOB_PATTERN_CHARS.test(ch)) bad.add(ch);
  return [...bad];
}

export function isValidGlob(glob: string): boolean {
  return glob !== "" && invalidGlobChars(glob).length === 0;
}

function fold(text: string): string {
  return text.toLowerCase();
}

export function matchesGlob(glob: string, packageId: string): boolean {
  const p = fold(glob);
  const s = fold(packageId);
  let pi = 0;
  let si = 0;
  // Where the last `*` was and how much of the id it has swallowed so far: on a
  // mismatch it swallows one more character and matching resumes after it.
  let starAt = -1;
  let starMatchedUpTo = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] === "*") {
      starAt = pi++;
      starMatchedUpTo = si;
    } else if (pi < p.length && p[pi] === s[si]) {
      pi++;
      si++;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      si = ++starMatchedUpTo;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

export function matchesAnyPackage(packageId: string, explicit: readonly string[], globs: readonly string[]): boolean {
  const id = fold(packageId);
  return explicit.some((candidate) => fold(candidate) === id) || globs.some((glob) => matchesGlob(glob, packageId));
}
