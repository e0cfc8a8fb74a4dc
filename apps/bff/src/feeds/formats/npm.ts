// Validating what `npm publish` (npm 10/11, via libnpmpublish) PUTs to /{name}:
//   { _id, name, description, "dist-tags": {tag: v}, versions: {v: manifest}, access,
//     _attachments: { "<name>-<v>.tgz": { content_type, data: <base64>, length } } }
// where manifest.dist carries the tarball's sha512 `integrity` and sha1 `shasum`. With
// --provenance a second attachment "<name>-<v>.sigstore" (a JSON bundle) rides along.
// The body arrives through readPublishBody (npm-publish-stream.ts): the tarball's data is
// then an AttachmentFile, already decoded to disk and hashed, never a string in memory.
import { open } from "node:fs/promises";
import { Gunzip } from "fflate";
import { FormatError, LIMITS, describeSize, guard } from "./errors.ts";
import { AttachmentFile } from "./npm-publish-stream.ts";
import { isVersionRange, parseSemver } from "./npm-version.ts";
import { TarReader } from "./tar.ts";

export { FormatError } from "./errors.ts";
export { compareSemver, isValidSemver, parseSemver } from "./npm-version.ts";
export type { Semver } from "./npm-version.ts";

export interface NpmPublish {
  name: string;
  version: string;
  /** versions[version] exactly as sent. */
  manifest: Record<string, unknown>;
  distTags: Record<string, string>;
  /** The decoded tarball on disk, with its size and digests. */
  tarball: AttachmentFile;
  /** "sha512-<base64>", computed from the tarball (and equal to what the client sent). */
  integrity: string;
  /** sha1 hex of the tarball. */
  shasum: string;
  readme?: string;
  deprecated?: string;
}

/** How much tarball we are willing to inflate while looking for package.json. */
export const NPM_MAX_UNPACKED_BYTES = 512 * 1024 * 1024;
const MAX_TAR_ENTRIES = 100_000;

/** Checks a publish body as readPublishBody returned it; reads package.json from the tarball file. */
export async function parseNpmPublish(body: unknown, urlName: string): Promise<NpmPublish> {
  const checked = guard("The publish request", () => checkPublishJson(body, urlName));
  const { name, version } = checked;
  const pkg = await readPackageJsonFromTarballFile(checked.tarball.path);
  if (pkg.name !== name) throw new FormatError(`The tarball's package.json names ${JSON.stringify(pkg.name)}, not "${name}".`);
  if (typeof pkg.version !== "string" || cleanVersion(pkg.version) !== version) {
    throw new FormatError(`The tarball's package.json has version ${JSON.stringify(pkg.version)}, not "${version}".`);
  }
  return checked;
}

/** Everything about a publish that the JSON alone can tell, the tarball's digests included. */
function checkPublishJson(body: unknown, urlName: string): NpmPublish {
  const name = npmNameFromPath(urlName);
  if (!isObject(body)) throw new FormatError("The publish request must be a JSON object.");
  if (body.name !== name) {
    throw new FormatError(`The package name in the request (${JSON.stringify(body.name)}) does not match the URL ("${name}").`);
  }
  if (body._id !== undefined && body._id !== name) throw new FormatError(`The request's _id must be "${name}".`);

  if (!isObject(body.versions)) throw new FormatError("The publish request has no versions object.");
  const versions = Object.keys(body.versions);
  if (versions.length !== 1) throw new FormatError(`A publish must contain exactly one version (this one has ${versions.length}).`);
  const version = versions[0]!;
  parseSemver(version);
  const manifest = body.versions[version];
  if (!isObject(manifest)) throw new FormatError(`versions["${version}"] must be an object.`);
  if (manifest.name !== name) throw new FormatError(`versions["${version}"].name must be "${name}".`);
  if (manifest.version !== version) throw new FormatError(`versions["${version}"].version must be "${version}".`);
  if (manifest._id !== undefined && manifest._id !== `${name}@${version}`) {
    throw new FormatError(`versions["${version}"]._id must be "${name}@${version}".`);
  }

  const distTags = readDistTags(body["dist-tags"], version);
  const tarball = readAttachment(body._attachments);
  const integrity = `sha512-${tarball.sha512}`;
  const shasum = tarball.sha1;
  checkDist(manifest.dist, version, integrity, shasum);

  const result: NpmPublish = { name, version, manifest, distTags, tarball, integrity, shasum };
  const readme = typeof manifest.readme === "string" ? manifest.readme : body.readme;
  if (typeof readme === "string" && readme) result.readme = readme;
  if (typeof manifest.deprecated === "string" && manifest.deprecated) result.deprecated = manifest.deprecated;
  return result;
}

function readDistTags(value: unknown, version: string): Record<string, string> {
  if (!isObject(value) || Object.keys(value).length === 0)
    throw new FormatError(`The publish request needs a "dist-tags" entry such as {"latest": "${version}"}.`);
  for (const [tag, v] of Object.entries(value)) {
    if (!isValidDistTag(tag))
      throw new FormatError(`"${tag.slice(0, 80)}" is not a valid dist-tag: use URL-safe characters and nothing that reads as a version range.`);
    if (v !== version) throw new FormatError(`The dist-tag "${tag}" must point at the version being published (${version}).`);
  }
  // fromEntries defines own properties, so even a "__proto__" tag cannot touch a prototype.
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

/** npm refuses tags that are valid semver ranges ("1.x", "^2", "v1"). */
export function isValidDistTag(tag: string): boolean {
  return tag.length > 0 && tag.length <= 128 && encodeURIComponent(tag) === tag && !isVersionRange(tag);
}

function readAttachment(value: unknown): AttachmentFile {
  if (!isObject(value)) throw new FormatError("The publish request has no _attachments (the package tarball).");
  // Provenance bundles are JSON attachments next to the tarball; they are not the package.
  const keys = Object.keys(value).filter((k) => !k.endsWith(".sigstore"));
  if (keys.length !== 1) throw new FormatError(`A publish must carry exactly one tarball in _attachments (this one has ${keys.length}).`);
  const att = value[keys[0]!];
  // readPublishBody decoded (and checked) the base64 on its way to disk.
  if (!isObject(att) || !(att.data instanceof AttachmentFile)) throw new FormatError("The tarball attachment has no base64 data.");
  const tarball = att.data;
  if (tarball.size === 0) throw new FormatError("The tarball attachment is empty.");
  if (att.length !== tarball.size) {
    throw new FormatError(`The tarball attachment's length (${JSON.stringify(att.length)}) does not match its data (${tarball.size} bytes).`);
  }
  return tarball;
}

function checkDist(dist: unknown, version: string, integrity: string, shasum: string): void {
  const where = `versions["${version}"].dist`;
  if (!isObject(dist) || typeof dist.integrity !== "string") throw new FormatError(`${where}.integrity is missing.`);
  // Subresource-integrity strings may list several hashes, each possibly with "?options".
  const sha512s = dist.integrity
    .trim()
    .split(/\s+/)
    .filter((h) => h.startsWith("sha512-"))
    .map((h) => h.replace(/\?.*$/, ""));
  if (sha512s.length === 0) throw new FormatError(`${where}.integrity has no sha512 hash.`);
  if (!sha512s.includes(integrity)) throw new FormatError(`The tarball does not match ${where}.integrity (its sha512 is ${integrity}).`);
  if (dist.shasum !== undefined && (typeof dist.shasum !== "string" || dist.shasum.toLowerCase() !== shasum)) {
    throw new FormatError(`The tarball does not match ${where}.shasum (its sha1 is ${shasum}).`);
  }
}

/** npm itself publishes semver.clean(version): "v1.0.0" in package.json becomes "1.0.0". */
function cleanVersion(v: string): string {
  return v.trim().replace(/^[=v]+/, "");
}

// ---- names -----------------------------------------------------------------------------

/** The rules validate-npm-package-name applies to new packages; undefined when valid. */
export function npmNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (name.length > 214) return "it is longer than 214 characters";
  if (name.trim() !== name) return "it has leading or trailing spaces";
  if (name.startsWith(".") || name.startsWith("_")) return 'it starts with "." or "_"';
  if (name.toLowerCase() !== name) return "it contains capital letters";
  if (["node_modules", "favicon.ico"].includes(name)) return "that name is reserved";
  if (/[~'!()*]/.test(name.split("/").pop()!)) return "it contains one of ~'!()*";
  if (encodeURIComponent(name) === name) return undefined;
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (scoped && encodeURIComponent(scoped[1]!) === scoped[1] && encodeURIComponent(scoped[2]!) === scoped[2]) return undefined;
  return "it may only contain URL-safe characters (and one / after an @scope)";
}

export function isValidNpmName(name: string): boolean {
  return npmNameProblem(name) === undefined;
}

/** "@scope%2fname", "@scope%2Fname" or "@scope/name" → "@scope/name", validated. */
export function npmNameFromPath(pathSegment: string): string {
  let name: string;
  try {
    name = decodeURIComponent(pathSegment);
  } catch {
    throw new FormatError(`"${pathSegment.slice(0, 80)}" is not a valid URL-encoded package name.`);
  }
  const problem = npmNameProblem(name);
  if (problem) throw new FormatError(`"${name.slice(0, 80)}" is not a valid npm package name: ${problem}.`);
  return name;
}

// ---- the tarball -----------------------------------------------------------------------

/**
 * Finds package/package.json in a .tgz fed to it in pieces. Inflates in small steps and
 * stops as soon as the file is found, so a large or bomb-like tarball costs only what
 * precedes package.json, and only package.json is kept.
 */
class PackageJsonFinder {
  private found: Uint8Array | undefined;
  private readonly tar: TarReader;
  private readonly gunzip: Gunzip;
  private unpacked = 0;

  constructor({ maxUnpackedBytes = NPM_MAX_UNPACKED_BYTES, maxEntries = MAX_TAR_ENTRIES }: TarballLimits) {
    this.tar = new TarReader({
      what: "The package tarball",
      maxEntries,
      maxReadBytes: LIMITS.manifestBytes,
      visit: (h) => (h.name.replace(/^\.\//, "") === "package/package.json" ? "read" : "skip"),
      onFile: (_h, data) => {
        this.found = data;
        return "stop";
      },
    });
    this.gunzip = new Gunzip((chunk) => {
      this.unpacked += chunk.length;
      if (this.unpacked > maxUnpackedBytes) {
        throw new FormatError(`The package tarball unpacks to more than ${describeSize(maxUnpackedBytes)} before reaching package/package.json.`);
      }
      this.tar.push(chunk);
    });
  }

  get done(): boolean {
    return this.tar.done;
  }

  /** At most INFLATE_STEP bytes at a time: ≤ ~16 MiB of output per step even at deflate's best ratio. */
  push(gz: Uint8Array, final: boolean): void {
    for (let i = 0; i < gz.length && !this.tar.done; i += INFLATE_STEP) {
      try {
        this.gunzip.push(gz.subarray(i, i + INFLATE_STEP), final && i + INFLATE_STEP >= gz.length);
      } catch (err) {
        if (err instanceof FormatError) throw err;
        throw new FormatError("The package tarball is damaged (its gzip data is invalid or truncated).");
      }
    }
  }

  result(): Record<string, unknown> {
    if (!this.tar.done) this.tar.finish();
    if (!this.found) throw new FormatError("The package tarball does not contain package/package.json.");
    let pkg: unknown;
    try {
      pkg = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(this.found));
    } catch {
      throw new FormatError("package/package.json in the tarball is not valid JSON.");
    }
    if (!isObject(pkg)) throw new FormatError("package/package.json in the tarball is not a JSON object.");
    return pkg;
  }
}

type TarballLimits = { maxUnpackedBytes?: number; maxEntries?: number };

const INFLATE_STEP = 16 * 1024;
const READ_STEP = 64 * 1024;

const isGzip = (head: Uint8Array, size: number) => size >= 18 && head[0] === 0x1f && head[1] === 0x8b;
const notGzip = () => new FormatError("The package tarball is not gzip-compressed.");

/** package/package.json from a .tgz in memory. */
export function readPackageJsonFromTarball(tgz: Uint8Array, limits: TarballLimits = {}): Record<string, unknown> {
  return guard("The package tarball", () => {
    if (!isGzip(tgz, tgz.length)) throw notGzip();
    const finder = new PackageJsonFinder(limits);
    finder.push(tgz, true);
    return finder.result();
  });
}

/** package/package.json from a .tgz file, read a piece at a time. */
export async function readPackageJsonFromTarballFile(file: string, limits: TarballLimits = {}): Promise<Record<string, unknown>> {
  const fh = await open(file, "r");
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(READ_STEP);
    const finder = guard("The package tarball", () => new PackageJsonFinder(limits));
    for (let pos = 0; pos < size && !finder.done; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(READ_STEP, size - pos), pos);
      if (bytesRead === 0) break;
      if (pos === 0 && !isGzip(buf, size)) throw notGzip();
      pos += bytesRead;
      guard("The package tarball", () => finder.push(buf.subarray(0, bytesRead), pos >= size));
    }
    if (size === 0) throw notGzip();
    return guard("The package tarball", () => finder.result());
  } finally {
    await fh.close();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
