// The URL grammar of an npm registry, as the npm CLI sends it. Scoped names arrive either
// escaped in one segment ("@scope%2fname", what npm uses for metadata) or as two segments
// ("@scope/name", what tarball URLs and some clients use), so paths are split by hand
// instead of with Express route patterns.
import { badRequest } from "../../errors.ts";
import { npmNameProblem } from "../formats/npm.ts";

export type NpmRoute =
  | { kind: "ping" }
  | { kind: "whoami" }
  /** npm login / adduser: this registry has no users to sign in, only keys. */
  | { kind: "login" }
  | { kind: "distTags"; name: string }
  | { kind: "distTag"; name: string; tag: string }
  | { kind: "packument"; name: string }
  | { kind: "version"; name: string; spec: string }
  | { kind: "tarball"; name: string; file: string }
  | { kind: "packageRev"; name: string; rev: string }
  | { kind: "tarballRev"; name: string; file: string; rev: string };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`"${segment.slice(0, 80)}" in the URL is not valid percent-encoding.`);
  }
}

/**
 * A package name from the front of `segments`, and how many segments it used. Names are
 * compared case-insensitively in the database; the capital-letter rule only binds new
 * packages, so it is checked at publish, not here.
 */
function takeName(segments: string[]): { name: string; used: number } {
  const first = decode(segments[0]!);
  let name = first;
  let used = 1;
  if (first.startsWith("@") && !first.includes("/")) {
    if (segments.length < 2 || !segments[1]) throw badRequest(`"${first.slice(0, 80)}" is a scope without a package name; use @scope/name.`);
    name = `${first}/${decode(segments[1])}`;
    used = 2;
  }
  const problem = npmNameProblem(name.toLowerCase());
  if (problem) throw badRequest(`"${name.slice(0, 80)}" is not a valid npm package name: ${problem}.`);
  return { name, used };
}

/** The route for a path below /npm/{feed}, or null when the path means nothing here. */
export function parseNpmPath(path: string): NpmRoute | null {
  const segments = path.split("/").slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop();
  if (segments.length === 0 || segments.some((s) => s === "")) return null;

  if (segments[0] === "-") {
    const rest = segments.slice(1);
    if (rest.length === 1 && rest[0] === "ping") return { kind: "ping" };
    if (rest.length === 1 && rest[0] === "whoami") return { kind: "whoami" };
    if (rest[0] === "user" || (rest[0] === "v1" && rest[1] === "login")) return { kind: "login" };
    if (rest[0] === "package" && rest.length >= 3) {
      const { name, used } = takeName(rest.slice(1));
      const tail = rest.slice(1 + used);
      if (tail.length === 1 && tail[0] === "dist-tags") return { kind: "distTags", name };
      if (tail.length === 2 && tail[0] === "dist-tags") return { kind: "distTag", name, tag: decode(tail[1]!) };
    }
    return null;
  }

  const { name, used } = takeName(segments);
  const rest = segments.slice(used).map(decode);
  if (rest.length === 0) return { kind: "packument", name };
  if (rest.length === 1 && rest[0] !== "-" && rest[0] !== "-rev") return { kind: "version", name, spec: rest[0]! };
  if (rest.length === 2 && rest[0] === "-rev") return { kind: "packageRev", name, rev: rest[1]! };
  if (rest.length === 2 && rest[0] === "-") return { kind: "tarball", name, file: rest[1]! };
  if (rest.length === 4 && rest[0] === "-" && rest[2] === "-rev") return { kind: "tarballRev", name, file: rest[1]!, rev: rest[3]! };
  return null;
}

/** "name-1.0.0.tgz" → "1.0.0" for package "name" or "@scope/name"; null when the file is not one of its tarballs. */
export function versionFromTarballFile(name: string, file: string): string | null {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const prefix = `${base}-`.toLowerCase();
  if (!file.toLowerCase().startsWith(prefix) || !file.toLowerCase().endsWith(".tgz")) return null;
  const version = file.slice(prefix.length, -".tgz".length);
  return version || null;
}

/** The file name npm gives a version's tarball: the name without its scope, a dash, the version. */
export function tarballFileName(name: string, version: string): string {
  return `${name.slice(name.lastIndexOf("/") + 1)}-${version}.tgz`;
}
