// RubyGems: reading a pushed .gem and writing Bundler's compact index.
//
// A .gem is a plain (uncompressed) tar holding metadata.gz (the gemspec as Psych YAML with
// Ruby tags like !ruby/object:Gem::Specification), data.tar.gz (the files) and usually
// checksums.yaml.gz (digests of the other two). The YAML is read with the `yaml` package:
// Ruby tags become plain maps, and only the classes RubyGems' own safe loader permits are
// accepted — nothing here ever constructs objects from tags.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { YAMLMap, parseDocument } from "yaml";
import type { Tags } from "yaml";
import { FormatError, LIMITS, describeSize, guard } from "./errors.ts";
import { bytesAccess, hashFileRange, type RandomAccess, type RandomAccessFile } from "./random-access.ts";
import { TarReader, scanTar } from "./tar.ts";

export { FormatError } from "./errors.ts";

export interface GemDependency {
  name: string;
  /** Gem::Requirement#to_s form: ">= 1.0, < 2". */
  requirements: string;
  type: "runtime" | "development";
}

export interface GemInfo {
  name: string;
  version: string;
  platform: string;
  summary?: string;
  authors?: string[];
  dependencies: GemDependency[];
  requiredRubyVersion?: string;
  requiredRubygemsVersion?: string;
  /** sha256 hex of the whole .gem: the compact index's checksum. */
  sha256: string;
}

const SPEC_FILES = ["metadata.gz", "data.tar.gz", "checksums.yaml.gz"] as const;
/** The small spec files are read into memory; a larger one cannot hold a gemspec within LIMITS. */
const SPEC_FILE_LIMIT = LIMITS.manifestBytes + 64 * 1024;

type HashName = "sha1" | "sha256" | "sha512";
/** checksums.yaml.gz as hash → file → expected hex digest. */
type Checksums = Map<HashName, Map<string, string>>;

/** What the tar holds: the small spec files' bytes, and where data.tar.gz lies (never read into memory). */
type GemScan = { files: Map<string, Uint8Array>; data: { offset: number; size: number }; checksums: Checksums };

/** Reads a .gem held in memory. */
export function readGem(bytes: Uint8Array): GemInfo {
  return guard("The .gem", () => {
    const scan = scanGem(bytesAccess(bytes));
    const data = bytes.subarray(scan.data.offset, scan.data.offset + scan.data.size);
    return finishGem(scan, (hash) => createHash(hash).update(data).digest("hex"), createHash("sha256").update(bytes).digest("hex"));
  });
}

/**
 * Reads a .gem on disk: only the tar headers and the small spec files are read into
 * memory; data.tar.gz and the whole file are hashed as streams.
 */
export async function readGemFile(file: RandomAccessFile): Promise<GemInfo> {
  const scan = guard("The .gem", () => scanGem(file));
  const needed = [...scan.checksums].filter(([, files]) => files.has("data.tar.gz")).map(([hash]) => hash);
  const [data, whole] = await Promise.all([
    hashFileRange(file.path, scan.data.offset, scan.data.size, needed),
    hashFileRange(file.path, 0, file.size, ["sha256"]),
  ]);
  return guard("The .gem", () => finishGem(scan, (hash) => data[hash]!, whole.sha256!));
}

function scanGem(file: RandomAccess): GemScan {
  if (file.size === 0) throw new FormatError("The .gem is empty.");
  const files = new Map<string, Uint8Array>();
  const seen = new Set<string>();
  let data: GemScan["data"] | undefined;
  const reader: TarReader = new TarReader({
    what: "The .gem",
    maxEntries: LIMITS.archiveEntries,
    maxReadBytes: SPEC_FILE_LIMIT,
    visit: (h) => {
      if (!(SPEC_FILES as readonly string[]).includes(h.name)) return "skip";
      // Two copies of one file could make different readers see different gems.
      if (seen.has(h.name)) throw new FormatError(`The .gem contains ${h.name} more than once.`);
      seen.add(h.name);
      if (h.name !== "data.tar.gz") return "read";
      data = { offset: reader.position, size: h.size };
      return "skip";
    },
    onFile: (h, bytes) => void files.set(h.name, bytes),
  });
  scanTar(file, reader);
  if (!files.has("metadata.gz")) throw new FormatError("The .gem does not contain metadata.gz; build it with `gem build`.");
  if (!data) throw new FormatError("The .gem does not contain data.tar.gz; build it with `gem build`.");
  const gz = files.get("checksums.yaml.gz");
  return { files, data, checksums: gz ? readChecksums(gz) : new Map() };
}

function finishGem(scan: GemScan, dataDigest: (hash: HashName) => string, sha256: string): GemInfo {
  verifyChecksums(scan.checksums, (file, hash) => {
    if (file === "data.tar.gz") return dataDigest(hash);
    const bytes = scan.files.get(file);
    return bytes && createHash(hash).update(bytes).digest("hex");
  });
  let yaml: string;
  try {
    yaml = new TextDecoder("utf-8", { fatal: true }).decode(gunzip(scan.files.get("metadata.gz")!, LIMITS.manifestBytes, "metadata.gz"));
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError("The gemspec in metadata.gz is not UTF-8 text.");
  }
  return { ...readGemspecYaml(yaml), sha256 };
}

function gunzip(data: Uint8Array, limit: number, name: string): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: limit });
  } catch (err) {
    if (err instanceof RangeError) throw new FormatError(`${name} is larger than ${describeSize(limit)} when decompressed.`);
    throw new FormatError(`${name} in the .gem is not valid gzip data.`);
  }
}

const HASHES: Record<string, HashName> = { SHA1: "sha1", SHA256: "sha256", SHA512: "sha512" };

/** checksums.yaml.gz: {SHA256: {"metadata.gz": hex, "data.tar.gz": hex}, SHA512: {...}}. */
function readChecksums(gz: Uint8Array): Checksums {
  const doc = parseDocument(gunzip(gz, 64 * 1024, "checksums.yaml.gz").toString("utf8"), { schema: "failsafe", uniqueKeys: false });
  const sums = doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 10 });
  if (!isMap(sums)) throw new FormatError("checksums.yaml.gz in the .gem is not a YAML mapping.");
  const out: Checksums = new Map();
  for (const [algorithm, digests] of Object.entries(sums)) {
    const hash = HASHES[algorithm];
    if (!hash || !isMap(digests)) continue; // unknown algorithms are skipped, as RubyGems does
    const files = new Map<string, string>();
    for (const [file, expected] of Object.entries(digests)) if (typeof expected === "string") files.set(file, expected.toLowerCase());
    out.set(hash, files);
  }
  return out;
}

function verifyChecksums(sums: Checksums, digest: (file: string, hash: HashName) => string | undefined): void {
  const names = Object.fromEntries(Object.entries(HASHES).map(([k, v]) => [v, k]));
  for (const [hash, files] of sums) {
    for (const [file, expected] of files) {
      const actual = digest(file, hash);
      if (actual !== undefined && actual !== expected) {
        throw new FormatError(`${file} does not match its ${names[hash]} checksum in checksums.yaml.gz; the .gem is damaged.`);
      }
    }
  }
}

// ---- the gemspec -----------------------------------------------------------------------

// Gem::SafeYAML's permitted classes; any other !ruby/… tag is refused, as RubyGems would.
const RUBY_CLASSES = ["Gem::Specification", "Gem::Version", "Gem::Version::Requirement", "Gem::Requirement", "Gem::Dependency", "Gem::Platform"];
const RUBY_TAGS: Tags = [
  ...RUBY_CLASSES.map((c) => ({ tag: `!ruby/object:${c}`, collection: "map" as const, nodeClass: YAMLMap })),
  // Psych writes strings that are not valid UTF-8 as !binary base64.
  { tag: "!binary", resolve: (s: string) => Buffer.from(s.replace(/\s+/g, ""), "base64").toString("utf8") },
  { tag: "!ruby/sym", resolve: (s: string) => s },
  { tag: "!ruby/symbol", resolve: (s: string) => s },
];

/** The fields feeds need from a gemspec's YAML (the text of metadata.gz). */
export function readGemspecYaml(yaml: string): Omit<GemInfo, "sha256"> {
  // failsafe: every scalar stays a string, so a version like 1.10 never becomes the number 1.1.
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(yaml, { schema: "failsafe", customTags: RUBY_TAGS, uniqueKeys: false, strict: false, prettyErrors: false });
  } catch (err) {
    // The parser recurses per nesting level; absurd nesting overflows the stack.
    if (err instanceof RangeError) throw new FormatError("The gemspec in metadata.gz is nested too deeply.");
    throw err;
  }
  const error = doc.errors[0];
  if (error) throw new FormatError(`The gemspec in metadata.gz is not valid YAML (${error.message.split("\n")[0]!.slice(0, 160)}).`);
  for (const w of doc.warnings) {
    if (w.code === "TAG_RESOLVE_FAILED") {
      const tag = /tag: (\S+)/.exec(w.message)?.[1] ?? "an unknown tag";
      throw new FormatError(`The gemspec in metadata.gz uses the YAML tag ${tag.slice(0, 80)}, which RubyGems does not allow.`);
    }
  }
  let spec: unknown;
  try {
    spec = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    if (err instanceof RangeError) throw new FormatError("The gemspec in metadata.gz is nested too deeply.");
    throw new FormatError("The gemspec in metadata.gz uses too many YAML aliases.");
  }
  if (!isMap(spec)) throw new FormatError("The gemspec in metadata.gz is not a Gem::Specification.");

  const name = str(spec.name);
  if (!name) throw new FormatError("The gemspec has no name.");
  const nameProblem = gemNameProblem(name);
  if (nameProblem) throw new FormatError(`"${name.slice(0, 80)}" is not a valid gem name: ${nameProblem}.`);
  const version = str(isMap(spec.version) ? spec.version.version : spec.version);
  if (!version) throw new FormatError("The gemspec has no version.");
  if (!isValidGemVersion(version)) throw new FormatError(`"${version.slice(0, 80)}" is not a valid gem version.`);
  const platform = readPlatform(spec.platform);

  const info: Omit<GemInfo, "sha256"> = { name, version, platform, dependencies: readDependencies(spec.dependencies) };
  const summary = str(spec.summary);
  if (summary) info.summary = summary;
  const authors = Array.isArray(spec.authors) ? spec.authors.map(str).filter((a): a is string => !!a) : str(spec.authors) ? [str(spec.authors)!] : [];
  if (authors.length) info.authors = authors;
  const ruby = readRequirement(spec.required_ruby_version, "required_ruby_version");
  if (ruby) info.requiredRubyVersion = ruby;
  const rubygems = readRequirement(spec.required_rubygems_version, "required_rubygems_version");
  if (rubygems) info.requiredRubygemsVersion = rubygems;
  return info;
}

function readPlatform(value: unknown): string {
  // Usually "ruby" or "x86_64-linux"; very old gems wrote a Gem::Platform object.
  const platform = isMap(value) ? [value.cpu, value.os, value.version].map(str).filter(Boolean).join("-") : (str(value) ?? "ruby");
  if (!platform) return "ruby";
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(platform)) throw new FormatError(`"${platform.slice(0, 80)}" is not a valid gem platform.`);
  return platform;
}

function readDependencies(value: unknown): GemDependency[] {
  if (value === undefined || value === null || value === "") return [];
  if (!Array.isArray(value)) throw new FormatError("The gemspec's dependencies are not a list.");
  return value.map((d): GemDependency => {
    if (!isMap(d)) throw new FormatError("The gemspec has a dependency that is not a Gem::Dependency.");
    const name = str(d.name);
    if (!name || !/^[A-Za-z0-9_.-]{1,255}$/.test(name))
      throw new FormatError(`The gemspec has a dependency with an invalid name "${String(name ?? "").slice(0, 80)}".`);
    const type = (str(d.type) ?? ":runtime").replace(/^:/, "");
    if (type !== "runtime" && type !== "development") throw new FormatError(`The dependency "${name}" has an unknown type "${type.slice(0, 40)}".`);
    // Very old gems only wrote version_requirements.
    const requirements = readRequirement(d.requirement ?? d.version_requirements, `the dependency "${name}"`) ?? ">= 0";
    return { name, requirements, type };
  });
}

const OPERATORS = new Set(["=", "!=", ">", "<", ">=", "<=", "~>"]);

/** A Gem::Requirement map → its to_s form (">= 1.0, < 2"); undefined when absent. */
function readRequirement(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const reqs = isMap(value) ? value.requirements : undefined;
  if (!Array.isArray(reqs) || reqs.length === 0 || reqs.length > 20) throw new FormatError(`The gemspec's ${what} is not a valid Gem::Requirement.`);
  return reqs
    .map((r) => {
      const [op, v] = Array.isArray(r) ? r : [];
      const version = str(isMap(v) ? v.version : v);
      if (typeof op !== "string" || !OPERATORS.has(op) || !version || !isValidGemVersion(version)) {
        throw new FormatError(`The gemspec's ${what} has an invalid requirement.`);
      }
      return `${op} ${version}`;
    })
    .join(", ");
}

// ---- names and versions ----------------------------------------------------------------

/** RubyGems' rules for a gem name; undefined when valid. */
export function gemNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return 'use only letters, digits, ".", "-" and "_"';
  if (name.length > 255) return "it is longer than 255 characters";
  if (!/[A-Za-z]/.test(name)) return "it must include at least one letter";
  if (/^[._-]/.test(name)) return 'it cannot begin with ".", "-" or "_"';
  return undefined;
}

export function isValidGemName(name: string): boolean {
  return gemNameProblem(name) === undefined;
}

/** Gem::Version::VERSION_PATTERN, without the surrounding whitespace Ruby tolerates. */
export function isValidGemVersion(v: string): boolean {
  return v.length <= 128 && /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.test(v);
}

// ---- compact index ---------------------------------------------------------------------

export interface CompactVersionsEntry {
  name: string;
  versions: { number: string; platform: string }[];
  /** MD5 hex of this gem's info file. */
  infoChecksum: string;
}

/**
 * /versions: "created_at: <iso8601>\n---\n" then "name v1,v2-platform info_md5" per gem.
 * Bundler ignores everything up to the "---" line.
 */
export function compactVersionsFile(gems: CompactVersionsEntry[], createdAt: Date): string {
  let out = `created_at: ${createdAt.toISOString().replace(/\.\d{3}Z$/, "Z")}\n---\n`;
  for (const gem of gems) {
    if (gem.versions.length === 0) continue;
    token(gem.name, "gem name");
    token(gem.infoChecksum, "info checksum");
    out += `${gem.name} ${gem.versions.map(numberAndPlatform).join(",")} ${gem.infoChecksum}\n`;
  }
  return out;
}

export interface CompactInfoVersion {
  number: string;
  platform: string;
  /** Development dependencies are left out, as rubygems.org does. */
  dependencies: { name: string; requirements: string; type?: "runtime" | "development" }[];
  /** sha256 hex of the .gem. */
  checksum: string;
  requiredRuby?: string;
  requiredRubygems?: string;
}

/**
 * /info/{gem}: "---\n" then one line per version:
 *   "1.0.0 dep:< 2&>= 1,other:>= 0|checksum:<sha256>,ruby:>= 2.7,rubygems:>= 3"
 * Dependencies sorted by name; each requirement list split on ", ", sorted, joined by "&".
 */
export function compactInfoFile(versions: CompactInfoVersion[]): string {
  let out = "---\n";
  for (const v of versions) {
    const deps = v.dependencies
      .filter((d) => d.type !== "development")
      .map((d) => `${token(d.name, "dependency name")}:${requirementList(d.requirements)}`)
      .sort();
    let line = `${numberAndPlatform(v)} ${deps.join(",")}|checksum:${token(v.checksum, "checksum")}`;
    if (v.requiredRuby && v.requiredRuby !== ">= 0") line += `,ruby:${requirementList(v.requiredRuby)}`;
    if (v.requiredRubygems && v.requiredRubygems !== ">= 0") line += `,rubygems:${requirementList(v.requiredRubygems)}`;
    out += `${line}\n`;
  }
  return out;
}

function numberAndPlatform(v: { number: string; platform: string }): string {
  token(v.number, "version");
  return !v.platform || v.platform === "ruby" ? v.number : `${v.number}-${token(v.platform, "platform")}`;
}

function requirementList(requirements: string): string {
  const parts = requirements
    .split(/,\s*/)
    .map((r) => r.trim())
    .filter(Boolean);
  for (const p of parts) if (/[&|,:\n]/.test(p)) throw new FormatError(`"${p}" cannot be written to the compact index.`);
  return parts.length ? parts.sort().join("&") : ">= 0";
}

/** Index lines are split on spaces, commas, colons and pipes: values must not contain them. */
function token(value: string, what: string): string {
  if (!value || /[\s,:|&]/.test(value)) throw new FormatError(`The ${what} "${String(value).slice(0, 80)}" cannot be written to the compact index.`);
  return value;
}

// ---- helpers ---------------------------------------------------------------------------

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}
