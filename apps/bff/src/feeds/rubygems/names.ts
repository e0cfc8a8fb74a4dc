// How gem versions are named in URLs and messages. A gem version is unique per
// (version, platform): "1.0.0" and "1.0.0-x86_64-linux" are two different files.
import type { Db } from "../../db/client.ts";
import type { FeedRow } from "../access.ts";

export const RUBY = "ruby";

export function isRubyPlatform(platform: string | null | undefined): boolean {
  return !platform || platform === RUBY;
}

/** "1.0.0" or "1.0.0-x86_64-linux": the version part of file names and compact-index lines. */
export function versionWithPlatform(version: string, platform: string | null | undefined): string {
  return isRubyPlatform(platform) ? version : `${version}-${platform}`;
}

/** The key a version is unique under in the database. */
export function gemVersionKey(version: string, platform: string | null | undefined): string {
  return versionWithPlatform(version, platform).toLowerCase();
}

/** "name (1.0.0)", as rubygems.org words its answers. */
export function gemTitle(name: string, version: string, platform: string | null | undefined): string {
  return `${name} (${versionWithPlatform(version, platform)})`;
}

/**
 * The gems a file name like "my-gem-1.0.0-java" may name. Gem names may contain "-", so
 * every split before a digit is a candidate; the database says which gems exist.
 * Answers the existing ones, longest name first, with the version key each implies.
 */
export async function gemFileCandidates(db: Db, feed: FeedRow, base: string) {
  const splits: { name: string; rest: string }[] = [];
  for (let i = base.indexOf("-"); i > 0; i = base.indexOf("-", i + 1)) {
    const rest = base.slice(i + 1);
    if (/^\d/.test(rest)) splits.push({ name: base.slice(0, i), rest });
  }
  if (splits.length === 0) return [];
  const packages = await db.package.findMany({
    where: { feedId: feed.id, nameLower: { in: splits.map((s) => s.name.toLowerCase()) } },
    include: { owners: { select: { userId: true } } },
  });
  return splits
    .reverse()
    .flatMap((split) => {
      const pkg = packages.find((p) => p.nameLower === split.name.toLowerCase());
      return pkg ? [{ pkg, versionKey: split.rest.toLowerCase(), label: split.rest }] : [];
    });
}
