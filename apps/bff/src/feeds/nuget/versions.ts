// NuGet versions as the v3 documents show them. The database keys versions by their
// normalized lower-case form (the flat container's spelling); documents show the
// normalized form with the publisher's casing, as nuget.org does ("1.0.0-Beta").
import { AppError } from "../../errors.ts";
import { compareNuGetVersions, normalizeNuGetVersion, parseNuGetVersion } from "../formats/nuget.ts";

export function displayVersion(version: string): string {
  try {
    const {
      numbers: [a, b, c, d],
      release,
    } = parseNuGetVersion(version);
    const core = d ? `${a}.${b}.${c}.${d}` : `${a}.${b}.${c}`;
    return release.length ? `${core}-${release.join(".")}` : core;
  } catch {
    return version;
  }
}

/** The lookup key for a version named in a URL; a string that is no version is a 400. */
export function versionKeyOf(version: string): string {
  try {
    return normalizeNuGetVersion(version);
  } catch {
    throw new AppError("BAD_REQUEST", `"${version.slice(0, 80)}" is not a valid NuGet version.`);
  }
}

export function isPrerelease(version: string): boolean {
  try {
    return parseNuGetVersion(version).release.length > 0;
  } catch {
    return false;
  }
}

/** Oldest first, NuGet's order; rows whose version no longer parses sort by text at the end. */
export function sortByVersion<T extends { versionLower: string }>(rows: T[]): T[] {
  return [...rows].sort((x, y) => {
    try {
      return compareNuGetVersions(x.versionLower, y.versionLower);
    } catch {
      return x.versionLower < y.versionLower ? -1 : x.versionLower > y.versionLower ? 1 : 0;
    }
  });
}
