// Strict SemVer 2.0.0, as the npm registry requires of published versions: no "v"
// prefix, no leading zeros, no surrounding spaces, at most 256 characters (node-semver's
// limit), numbers that fit a JS safe integer.
import { FormatError } from "./errors.ts";

export interface Semver {
  major: number;
  minor: number;
  patch: number;
  /** Numeric identifiers as numbers, the rest as strings. */
  prerelease: (string | number)[];
  build: string[];
}

const NUM = "0|[1-9]\\d*";
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(`^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`);

export function parseSemver(v: string): Semver {
  const m = typeof v === "string" && v.length <= 256 ? SEMVER.exec(v) : null;
  const invalid = () => new FormatError(`"${String(v).slice(0, 80)}" is not a valid semantic version (like 1.2.3 or 1.2.3-beta.1).`);
  if (!m) throw invalid();
  const num = (s: string) => {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw invalid();
    return n;
  };
  return {
    major: num(m[1]!),
    minor: num(m[2]!),
    patch: num(m[3]!),
    prerelease: m[4] ? m[4].split(".").map((id) => (/^\d+$/.test(id) ? num(id) : id)) : [],
    build: m[5] ? m[5].split(".") : [],
  };
}

export function isValidSemver(v: string): boolean {
  try {
    parseSemver(v);
    return true;
  } catch {
    return false;
  }
}

/** -1, 0 or 1 by SemVer precedence; build metadata does not count. */
export function compareSemver(a: string, b: string): -1 | 0 | 1 {
  const x = parseSemver(a);
  const y = parseSemver(b);
  const c = cmp(x.major, y.major) || cmp(x.minor, y.minor) || cmp(x.patch, y.patch);
  if (c) return c;
  // A version without prerelease ranks above any prerelease of it.
  if (!x.prerelease.length || !y.prerelease.length) return cmp(y.prerelease.length, x.prerelease.length);
  for (let i = 0; i < Math.min(x.prerelease.length, y.prerelease.length); i++) {
    const [p, q] = [x.prerelease[i]!, y.prerelease[i]!];
    if (typeof p !== typeof q) return typeof p === "number" ? -1 : 1; // numeric < alphanumeric
    const d = cmp(p, q);
    if (d) return d;
  }
  return cmp(x.prerelease.length, y.prerelease.length);
}

function cmp<T extends string | number>(a: T, b: T): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}
