// Reading what `nuget push` / `dotnet nuget push` upload: a .nupkg (an OPC zip) whose
// root-level .nuspec names the package. Also NuGet's version rules, which are looser
// than SemVer (1–4 numeric parts, legacy leading zeros) and compare case-insensitively.
import { FormatError, LIMITS, guard } from "./errors.ts";
import { listZip, readZipEntry } from "./zip.ts";
import { toAccess, type RandomAccess } from "./random-access.ts";
import { child, parseXml } from "./xml.ts";
import type { XmlElement } from "./xml.ts";

export { FormatError } from "./errors.ts";

export interface NuGetDependency {
  id: string;
  /** The version range as written (e.g. "[1.0.0, 2.0.0)"); "" means any version. */
  range: string;
  targetFramework?: string;
}

export interface Nupkg {
  id: string;
  /** The version as written in the .nuspec. */
  version: string;
  /** normalizeNuGetVersion(version): the identity used for lookups and flat-container URLs. */
  normalizedVersion: string;
  description?: string;
  authors?: string;
  title?: string;
  tags?: string;
  dependencies: NuGetDependency[];
  nuspec: string;
}

/** Reads the .nuspec of a .nupkg, in memory or on disk (only the zip directory and the manifest are read). */
export function readNupkg(input: Uint8Array | RandomAccess): Nupkg {
  const bytes = toAccess(input);
  return guard("The package", () => {
    const entries = listZip(bytes);
    // NuGet reads the manifest from the package root; several there is ambiguous.
    const nuspecs = entries.filter((e) => !e.name.includes("/") && !e.name.includes("\\") && e.name.toLowerCase().endsWith(".nuspec"));
    if (nuspecs.length === 0) throw new FormatError("The package does not contain a .nuspec manifest.");
    if (nuspecs.length > 1) throw new FormatError("The package contains more than one .nuspec manifest at its root.");
    const nuspec = decodeXmlBytes(readZipEntry(bytes, nuspecs[0]!, LIMITS.manifestBytes));
    return { ...readNuspec(nuspec), nuspec };
  });
}

/** Reads the metadata NuGet feeds need from .nuspec XML text. */
export function readNuspec(xml: string): Omit<Nupkg, "nuspec"> {
  const root = parseXml(xml, "The .nuspec");
  if (root.name !== "package") throw new FormatError("The .nuspec's root element must be <package>.");
  const metadata = child(root, "metadata");
  if (!metadata) throw new FormatError("The .nuspec is missing <metadata>.");
  const text = (name: string) => {
    const el = child(metadata, name);
    const value = el?.text.trim();
    return value ? value : undefined;
  };
  const id = text("id");
  if (!id) throw new FormatError("The .nuspec is missing <id>.");
  if (!isValidNuGetId(id)) {
    throw new FormatError(
      `"${clip(id)}" is not a valid NuGet package id: use letters, digits, ".", "-" and "_" (at most 100 characters, not starting or ending with "." or "-").`,
    );
  }
  const version = text("version");
  if (!version) throw new FormatError("The .nuspec is missing <version>.");
  const normalizedVersion = normalizeNuGetVersion(version);
  const result: Omit<Nupkg, "nuspec"> = { id, version, normalizedVersion, dependencies: readDependencies(metadata) };
  for (const key of ["description", "authors", "title", "tags"] as const) {
    const value = text(key);
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function readDependencies(metadata: XmlElement): NuGetDependency[] {
  const deps: NuGetDependency[] = [];
  const add = (el: XmlElement, targetFramework?: string) => {
    const id = el.attrs.id?.trim();
    if (!id || !isValidNuGetId(id)) throw new FormatError(`The .nuspec has a <dependency> with a missing or invalid id "${clip(id ?? "")}".`);
    const range = (el.attrs.version ?? "").trim();
    if (range && !isValidNuGetRange(range)) throw new FormatError(`The dependency "${id}" has an invalid version range "${clip(range)}".`);
    deps.push(targetFramework ? { id, range, targetFramework } : { id, range });
  };
  // Either flat <dependency> elements (old style) or <group targetFramework="…"> wrappers.
  for (const el of child(metadata, "dependencies")?.children ?? []) {
    if (el.name === "dependency") add(el);
    if (el.name === "group") {
      const tfm = el.attrs.targetFramework?.trim() || undefined;
      for (const d of el.children) if (d.name === "dependency") add(d, tfm);
    }
  }
  return deps;
}

// ---- ids and versions ------------------------------------------------------------------

/** NuGet's PackageIdValidator: word characters separated by single "." or "-"; ≤ 100 chars. */
export function isValidNuGetId(id: string): boolean {
  return id.length <= 100 && /^[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*$/.test(id);
}

export interface NuGetVersion {
  /** major, minor, patch, revision */
  numbers: [number, number, number, number];
  release: string[];
  metadata?: string;
}

const VERSION = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseNuGetVersion(v: string): NuGetVersion {
  const m = v.length <= 256 ? VERSION.exec(v.trim()) : null;
  const nums = m ? [m[1], m[2], m[3], m[4]].map((s) => (s === undefined ? 0 : Number(s))) : [];
  // NuGet stores each part as an Int32.
  if (!m || nums.some((n) => n > 0x7fffffff)) throw new FormatError(`"${clip(v)}" is not a valid NuGet version.`);
  return {
    numbers: nums as [number, number, number, number],
    release: m[5] ? m[5].split(".") : [],
    ...(m[6] ? { metadata: m[6] } : {}),
  };
}

export function isValidNuGetVersion(v: string): boolean {
  try {
    parseNuGetVersion(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * NuGet's normalized form, lowercased: "01.2.0.0-Beta+abc" → "1.2.0-beta". Leading zeros
 * go, a zero 4th part goes, build metadata goes; lowercase because NuGet versions compare
 * case-insensitively and the flat container addresses them in lowercase.
 */
export function normalizeNuGetVersion(v: string): string {
  const {
    numbers: [a, b, c, d],
    release,
  } = parseNuGetVersion(v);
  const core = d ? `${a}.${b}.${c}.${d}` : `${a}.${b}.${c}`;
  return (release.length ? `${core}-${release.join(".")}` : core).toLowerCase();
}

/** Negative, zero or positive, like a sort comparator; build metadata is ignored. */
export function compareNuGetVersions(a: string, b: string): number {
  const x = parseNuGetVersion(a);
  const y = parseNuGetVersion(b);
  for (let i = 0; i < 4; i++) {
    const d = x.numbers[i]! - y.numbers[i]!;
    if (d) return Math.sign(d);
  }
  // A release (no label) sorts after all of its prereleases.
  if (!x.release.length || !y.release.length) return Math.sign(y.release.length - x.release.length);
  for (let i = 0; i < Math.min(x.release.length, y.release.length); i++) {
    const c = compareLabel(x.release[i]!, y.release[i]!);
    if (c) return c;
  }
  return Math.sign(x.release.length - y.release.length);
}

function compareLabel(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    const [x, y] = [a.replace(/^0+(?=\d)/, ""), b.replace(/^0+(?=\d)/, "")];
    return x.length !== y.length ? Math.sign(x.length - y.length) : x < y ? -1 : x > y ? 1 : 0;
  }
  if (an !== bn) return an ? -1 : 1; // numeric labels sort before alphanumeric ones
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "1.0", "[1.0]", "[1.0, 2.0)", "(, 2.0]" … — the forms a .nuspec may use. */
export function isValidNuGetRange(range: string): boolean {
  const r = range.trim();
  if (isValidNuGetVersion(r)) return true;
  const m = /^([[(])([^,[\]()]*)(?:,([^,[\]()]*))?([\])])$/.exec(r);
  if (!m) return false;
  const [lo, hi] = [m[2]!.trim(), m[3]?.trim()];
  if (hi === undefined) return m[1] === "[" && m[4] === "]" && isValidNuGetVersion(lo); // "[1.0]" exact
  if (!lo && !hi) return false;
  return (!lo || isValidNuGetVersion(lo)) && (!hi || isValidNuGetVersion(hi));
}

// ---- the upload ------------------------------------------------------------------------

const MAX_PARTS = 100;

/**
 * The package bytes from a push. `nuget push` sends multipart/form-data with the .nupkg
 * as its (only) file part; a body that already is a zip is accepted as-is.
 */
export function multipartFirstFile(body: Buffer, contentType: string): Buffer {
  const { start, end } = multipartFirstFileRange(body, contentType);
  return body.subarray(start, end);
}

/**
 * Where the package lies in a push body, found with positional reads so that a body on
 * disk is scanned a window at a time, never held whole.
 */
export function multipartFirstFileRange(input: Uint8Array | RandomAccess, contentType: string): { start: number; end: number } {
  const body = toAccess(input);
  return guard("The upload", () => {
    if (/^\s*multipart\//i.test(contentType ?? "")) return firstFilePart(body, contentType);
    const head = body.read(0, 4);
    if (head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) return { start: 0, end: body.size };
    throw new FormatError("Upload the .nupkg as multipart/form-data (as nuget push does) or as the raw package bytes.");
  });
}

const SCAN_WINDOW = 1024 * 1024;

/** The first position at or after from where needle starts, or -1; reads a window at a time. */
function indexOfIn(body: RandomAccess, needle: Buffer, from: number, within = Infinity): number {
  const stop = Math.min(body.size, from + within);
  for (let at = from; at + needle.length <= stop; at += SCAN_WINDOW) {
    // Windows overlap by needle.length - 1 so a needle across their edge is found.
    const window = Buffer.from(body.read(at, Math.min(SCAN_WINDOW + needle.length - 1, stop - at)));
    const i = window.indexOf(needle);
    if (i >= 0) return at + i;
  }
  return -1;
}

function firstFilePart(body: RandomAccess, contentType: string): { start: number; end: number } {
  const m = /;\s*boundary=(?:"([^"]{1,200})"|([^;\s"]{1,200}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new FormatError("The multipart upload has no boundary in its Content-Type header.");
  const delimiter = Buffer.from(`--${boundary}`, "latin1");
  const next = Buffer.from(`\r\n--${boundary}`, "latin1");
  // nuget.exe 2.8.7 ends its file part with a bare LF before the boundary (RFC 2046 wants CRLF).
  const nextBareLf = Buffer.from(`\n--${boundary}`, "latin1");
  const byteAt = (at: number) => body.read(at, 1)[0];
  let pos = indexOfIn(body, delimiter, 0); // anything before the first delimiter is preamble
  if (pos < 0) throw new FormatError("The multipart upload does not contain the boundary its Content-Type announces.");
  let first: { start: number; end: number } | undefined;
  for (let part = 0; part < MAX_PARTS; part++) {
    let p = pos + delimiter.length;
    if (byteAt(p) === 0x2d && byteAt(p + 1) === 0x2d) break; // "--": the closing delimiter
    while (byteAt(p) === 0x20 || byteAt(p) === 0x09) p++; // transport padding
    if (byteAt(p) === 0x0d && byteAt(p + 1) === 0x0a) p += 2;
    else throw new FormatError("The multipart upload is malformed (a boundary line does not end with CRLF).");
    let headers = "";
    if (byteAt(p) === 0x0d && byteAt(p + 1) === 0x0a)
      p += 2; // a part without headers
    else {
      const end = indexOfIn(body, Buffer.from("\r\n\r\n", "latin1"), p, 16 * 1024 + 4);
      if (end < 0) throw new FormatError("The multipart upload is malformed (a part's headers never end).");
      headers = Buffer.from(body.read(p, end - p)).toString("latin1");
      p = end + 4;
    }
    let close = indexOfIn(body, next, p);
    let separator = 2;
    if (close < 0) {
      close = indexOfIn(body, nextBareLf, p);
      separator = 1;
    }
    if (close < 0) throw new FormatError("The multipart upload is truncated (its closing boundary is missing).");
    const content = { start: p, end: close };
    if (/^content-disposition:[^\r\n]*\bfilename\*?=/im.test(headers)) return content;
    first ??= content;
    pos = close + separator;
  }
  if (first) return first;
  throw new FormatError("The multipart upload contains no file.");
}

// ---- helpers ---------------------------------------------------------------------------

/** Manifests are UTF-8 unless a byte-order mark says UTF-16. */
export function decodeXmlBytes(b: Uint8Array): string {
  let encoding = "utf-8";
  if (b[0] === 0xff && b[1] === 0xfe) encoding = "utf-16le";
  else if (b[0] === 0xfe && b[1] === 0xff) encoding = "utf-16be";
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(b); // drops the BOM
  } catch {
    throw new FormatError(`The .nuspec is not valid ${encoding.toUpperCase()} text.`);
  }
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
