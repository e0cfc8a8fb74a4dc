// npm versions by npm's own `semver` package, so the feed accepts and orders exactly what
// the npm CLI does. Published versions must be in canonical form: npm publishes
// semver.clean(version), so "v1.2.3", "=1.2.3" or " 1.2.3 " never arrive from it.
import semver from "semver";
import { FormatError } from "./errors.ts";

export interface Semver {
  major: number;
  minor: number;
  patch: number;
  /** Numeric identifiers as numbers, the rest as strings. */
  prerelease: (string | number)[];
  build: string[];
}

function canonical(v: semver.SemVer): string {
  return v.build.length ? `${v.version}+${v.build.join(".")}` : v.version;
}

export function parseSemver(v: string): Semver {
  const parsed = typeof v === "string" ? semver.parse(v) : null;
  if (!parsed || canonical(parsed) !== v) {
    throw new FormatError(`"${String(v).slice(0, 80)}" is not a valid semantic version (like 1.2.3 or 1.2.3-beta.1).`);
  }
  return { major: parsed.major, minor: parsed.minor, patch: parsed.patch, prerelease: [...parsed.prerelease], build: [...parsed.build] };
}

export function isValidSemver(v: string): boolean {
  const parsed = typeof v === "string" ? semver.parse(v) : null;
  return parsed !== null && canonical(parsed) === v;
}

/** -1, 0 or 1 by SemVer precedence; build metadata does not count. */
export function compareSemver(a: string, b: string): -1 | 0 | 1 {
  // Refuse what semver would quietly clean ("v1.2.3"), as validation does.
  parseSemver(a);
  parseSemver(b);
  return semver.compare(a, b);
}

/** npm refuses dist-tags that read as a version range ("1.x", "^2", "v1", "x"), by this same test. */
export function isVersionRange(tag: string): boolean {
  return semver.validRange(tag) !== null;
}
