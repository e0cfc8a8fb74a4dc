// GetUpdates(): for each installed id and version, the newer listed versions, within
// the caller's version constraint when one is given (packages.config allowedVersions).
import { compareNuGetVersions, parseNuGetVersion } from "../../formats/nuget.ts";
import type { V2Package } from "./package-entry.ts";
import { ODataError } from "./parse.ts";

export type UpdateQuery = { ids: string[]; versions: string[]; constraints: string[]; includePrerelease: boolean; includeAllVersions: boolean };

function validVersion(v: string, what: string): string {
  try {
    parseNuGetVersion(v);
    return v;
  } catch {
    throw new ODataError(`GetUpdates(): "${v.slice(0, 60)}" in ${what} is not a NuGet version.`);
  }
}

const split = (s: string) => (s === "" ? [] : s.split("|").map((x) => x.trim()));

export function updateQuery(raw: {
  packageIds: string;
  versions: string;
  versionConstraints: string;
  includePrerelease: boolean;
  includeAllVersions: boolean;
}): UpdateQuery {
  const ids = split(raw.packageIds);
  const versions = split(raw.versions).map((v) => validVersion(v, "versions"));
  const constraints = split(raw.versionConstraints);
  if (ids.length !== versions.length)
    throw new ODataError(`GetUpdates() needs one version per package id: packageIds names ${ids.length}, versions ${versions.length}.`);
  if (constraints.length && constraints.length !== ids.length) {
    throw new ODataError(`GetUpdates(): versionConstraints must have one entry per package id (empty for none): ${constraints.length} for ${ids.length} ids.`);
  }
  for (const c of constraints) if (c) rangeCheck(c);
  return { ids, versions, constraints, includePrerelease: raw.includePrerelease, includeAllVersions: raw.includeAllVersions };
}

type Range = { lo?: string; loInclusive: boolean; hi?: string; hiInclusive: boolean };

/** "1.0" (at least 1.0), "[1.0]", "[1.0,2.0)", "(,2.0]"… as packages.config writes them. */
function rangeCheck(text: string): Range {
  const t = text.trim();
  const bad = () => new ODataError(`GetUpdates(): "${t.slice(0, 60)}" in versionConstraints is not a version range such as [1.0,2.0).`);
  if (/^[^[(]/.test(t)) return { lo: validOr(t, bad), loInclusive: true, hiInclusive: false };
  const m = /^([[(])\s*([^,\s]*)\s*(?:,\s*([^\s\])]*)\s*)?([\])])$/.exec(t);
  if (!m) throw bad();
  if (m[3] === undefined) {
    const v = validOr(m[2]!, bad);
    return { lo: v, loInclusive: true, hi: v, hiInclusive: true };
  }
  return { lo: m[2] ? validOr(m[2], bad) : undefined, loInclusive: m[1] === "[", hi: m[3] ? validOr(m[3], bad) : undefined, hiInclusive: m[4] === "]" };
}

function validOr(v: string, bad: () => Error): string {
  try {
    parseNuGetVersion(v);
    return v;
  } catch {
    throw bad();
  }
}

function inRange(version: string, r: Range): boolean {
  if (r.lo !== undefined) {
    const c = compareNuGetVersions(version, r.lo);
    if (c < 0 || (c === 0 && !r.loInclusive)) return false;
  }
  if (r.hi !== undefined) {
    const c = compareNuGetVersions(version, r.hi);
    if (c > 0 || (c === 0 && !r.hiInclusive)) return false;
  }
  return true;
}

/** The updates among listed entries, newest last per id (all of them, or only the newest). */
export function updatesFor(entries: V2Package[], q: UpdateQuery): V2Package[] {
  const out: V2Package[] = [];
  q.ids.forEach((id, i) => {
    const installed = q.versions[i]!;
    const constraint = q.constraints[i] ? rangeCheck(q.constraints[i]!) : null;
    const newer = entries
      .filter((p) => p.Listed && p.Id.toLowerCase() === id.toLowerCase() && (q.includePrerelease || !p.IsPrerelease))
      .filter((p) => compareNuGetVersions(p.Version, installed) > 0 && (!constraint || inRange(p.Version, constraint)))
      .sort((a, b) => compareNuGetVersions(a.Version, b.Version));
    out.push(...(q.includeAllVersions ? newer : newer.slice(-1)));
  });
  return out;
}
