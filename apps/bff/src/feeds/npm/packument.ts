// Packuments: the registry document npm reads for a package, built from the package's
// rows. Only listed versions appear (an unpublished version is unlisted, so npm cannot
// see or install it), with tarball URLs on this server and deprecations from the rows.
import { createHash } from "node:crypto";
import type { NpmPackage, NpmVersionRow } from "../domain/npm.ts";
import { compareSemver, isValidSemver } from "../formats/npm.ts";
import { tarballFileName } from "./paths.ts";

export type { NpmPackage, NpmVersionRow } from "../domain/npm.ts";

/** Ascending by SemVer precedence; anything unparseable sorts first, by text. */
export function bySemver(a: string, b: string): number {
  const va = isValidSemver(a);
  const vb = isValidSemver(b);
  if (va && vb) return compareSemver(a, b);
  if (va !== vb) return va ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function listedVersions(pkg: NpmPackage): NpmVersionRow[] {
  return pkg.versions.filter((v) => v.listed).sort((a, b) => bySemver(a.version, b.version));
}

/**
 * The tags npm should see: those pointing at a listed version, and always a `latest`
 * when anything is listed (npm resolves a bare `npm install name` through it).
 */
export function visibleDistTags(pkg: NpmPackage, listed = listedVersions(pkg)): Record<string, string> {
  const versions = new Set(listed.map((v) => v.version));
  const tags: Record<string, string> = {};
  for (const t of [...pkg.distTags].sort((a, b) => (a.tag < b.tag ? -1 : 1))) {
    if (versions.has(t.version)) Object.defineProperty(tags, t.tag, { value: t.version, enumerable: true, writable: true, configurable: true });
  }
  if (!tags.latest && listed.length > 0) tags.latest = highestVersion(listed.map((v) => v.version))!;
  return tags;
}

/** The highest release, or the highest prerelease when there are only prereleases. */
export function highestVersion(versions: string[]): string | undefined {
  const sorted = [...versions].sort(bySemver);
  const releases = sorted.filter((v) => isValidSemver(v) && !v.replace(/\+.*$/, "").includes("-"));
  return releases.at(-1) ?? sorted.at(-1);
}

/**
 * CouchDB-style revision: a count and a digest of everything a client can change. It is
 * derived from the rows, so every instance computes the same one without storing it.
 */
export function revisionOf(pkg: NpmPackage): string {
  const h = createHash("sha256");
  for (const v of [...pkg.versions].sort((a, b) => a.id - b.id)) h.update(`${v.id}\0${v.listed ? 1 : 0}\0${v.deprecated ?? ""}\n`);
  for (const t of [...pkg.distTags].sort((a, b) => (a.tag < b.tag ? -1 : 1))) h.update(`${t.tag}\0${t.version}\n`);
  return `${pkg.versions.length + 1}-${h.digest("hex").slice(0, 32)}`;
}

function manifestOf(v: NpmVersionRow): Record<string, unknown> {
  try {
    const m = JSON.parse(v.metadata) as unknown;
    return m && typeof m === "object" && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What npm needs to find, download and verify one version's tarball. */
function distOf(pkg: NpmPackage, v: NpmVersionRow, manifest: Record<string, unknown>, baseUrl: string): Record<string, unknown> {
  const stored = (manifest.dist && typeof manifest.dist === "object" ? manifest.dist : {}) as Record<string, unknown>;
  // Registry signatures and attestations were made for another registry's URLs: drop them.
  const { signatures: _s, attestations: _a, tarball: _t, ...rest } = stored;
  return {
    ...rest,
    integrity: `sha512-${v.sha512}`,
    ...(typeof stored.shasum === "string" ? { shasum: stored.shasum } : {}),
    tarball: `${baseUrl}${pkg.name}/-/${tarballFileName(pkg.name, v.version)}`,
  };
}

/** One version as the full packument lists it (and as GET /{name}/{version} answers). */
export function versionManifest(pkg: NpmPackage, v: NpmVersionRow, baseUrl: string): Record<string, unknown> {
  const manifest = manifestOf(v);
  const { readme: _r, readmeFilename: _rf, deprecated: _d, _attachments: _at, ...rest } = manifest;
  return {
    ...rest,
    name: pkg.name,
    version: v.version,
    _id: `${pkg.name}@${v.version}`,
    ...(v.deprecated ? { deprecated: v.deprecated } : {}),
    dist: distOf(pkg, v, manifest, baseUrl),
  };
}

const HOISTED = ["description", "homepage", "keywords", "repository", "author", "bugs", "license", "contributors", "readmeFilename"] as const;
const ABBREVIATED = [
  "name",
  "version",
  "deprecated",
  "dependencies",
  "optionalDependencies",
  "devDependencies",
  "bundleDependencies",
  "bundledDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
  "acceptDependencies",
  "bin",
  "directories",
  "dist",
  "engines",
  "os",
  "cpu",
  "libc",
  "funding",
  "license",
  "_hasShrinkwrap",
  "hasInstallScript",
] as const;

function timesOf(pkg: NpmPackage) {
  // biome-ignore lint/complexity/useMathMinMax: Dates, whose Math.max is a number
  const modified = pkg.versions.reduce((m, v) => (v.createdAt > m ? v.createdAt : m), pkg.createdAt);
  return { created: pkg.createdAt.toISOString(), modified: modified.toISOString() };
}

export function fullPackument(pkg: NpmPackage, baseUrl: string): Record<string, unknown> {
  const listed = listedVersions(pkg);
  const tags = visibleDistTags(pkg, listed);
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = timesOf(pkg);
  for (const v of listed) {
    versions[v.version] = versionManifest(pkg, v, baseUrl);
    time[v.version] = v.createdAt.toISOString();
  }
  const latestRow = listed.find((v) => v.version === tags.latest);
  const latest = latestRow ? manifestOf(latestRow) : {};
  const hoisted: Record<string, unknown> = {};
  for (const field of HOISTED) if (latest[field] !== undefined) hoisted[field] = latest[field];
  return {
    _id: pkg.name,
    _rev: revisionOf(pkg),
    name: pkg.name,
    ...hoisted,
    "dist-tags": tags,
    versions,
    time,
    maintainers: pkg.owners.map((o) => ({ name: o.user.username })),
    ...(typeof latest.readme === "string" ? { readme: latest.readme } : {}),
  };
}

/** The install-only form npm asks for with Accept: application/vnd.npm.install-v1+json. */
export function abbreviatedPackument(pkg: NpmPackage, baseUrl: string): Record<string, unknown> {
  const listed = listedVersions(pkg);
  const versions: Record<string, unknown> = {};
  for (const v of listed) {
    const full = versionManifest(pkg, v, baseUrl);
    const small: Record<string, unknown> = {};
    for (const field of ABBREVIATED) if (full[field] !== undefined) small[field] = full[field];
    versions[v.version] = small;
  }
  return { name: pkg.name, modified: timesOf(pkg).modified, "dist-tags": visibleDistTags(pkg, listed), versions };
}
