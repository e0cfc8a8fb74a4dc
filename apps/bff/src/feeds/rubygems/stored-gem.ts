// What a pushed gem version keeps in PackageVersion.metadata (readGem's GemInfo), read
// back defensively: a row written by something else must not break the whole index.
import type { GemDependency, GemInfo } from "../formats/gem.ts";
import { RUBY } from "./names.ts";

export type StoredGem = {
  name: string;
  version: string;
  platform: string;
  summary?: string;
  authors: string[];
  dependencies: GemDependency[];
  requiredRubyVersion?: string;
  requiredRubygemsVersion?: string;
  sha256: string | null;
};

export function readStoredGem(row: { version: string; metadata: string }, packageName: string): StoredGem {
  let m: Partial<GemInfo> = {};
  try {
    const parsed: unknown = JSON.parse(row.metadata);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) m = parsed as Partial<GemInfo>;
  } catch {
    // Unreadable metadata: fall back to what the row itself says.
  }
  const text = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  return {
    name: text(m.name) ?? packageName,
    version: text(m.version) ?? row.version,
    platform: text(m.platform) ?? RUBY,
    summary: text(m.summary),
    authors: Array.isArray(m.authors) ? m.authors.filter((a): a is string => typeof a === "string") : [],
    dependencies: Array.isArray(m.dependencies)
      ? m.dependencies.filter((d): d is GemDependency => !!d && typeof d.name === "string" && typeof d.requirements === "string")
      : [],
    requiredRubyVersion: text(m.requiredRubyVersion),
    requiredRubygemsVersion: text(m.requiredRubygemsVersion),
    sha256: typeof m.sha256 === "string" && /^[0-9a-f]{64}$/.test(m.sha256) ? m.sha256 : null,
  };
}
