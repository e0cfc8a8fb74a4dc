// The database reads behind the RubyGems handlers (feeds/rubygems/): plain functions over
// the Db, so the handlers never hold a query of their own.
import type { Db } from "../../db/client.ts";
import type { FeedRow } from "../access.ts";

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
  return splits.reverse().flatMap((split) => {
    const pkg = packages.find((p) => p.nameLower === split.name.toLowerCase());
    return pkg ? [{ pkg, versionKey: split.rest.toLowerCase(), label: split.rest }] : [];
  });
}

/** One version of a gem by its key (version and platform, lower-cased). */
export function gemVersionOf(db: Db, packageId: number, versionLower: string) {
  // PostgreSQL refuses NUL in a text parameter, and no stored version has one.
  if (versionLower.includes("\u0000")) return Promise.resolve(null);
  return db.packageVersion.findUnique({ where: { packageId_versionLower: { packageId, versionLower } } });
}

/** A gem's listed (not yanked) versions in the order they were pushed (the compact index's info file). */
export function listedGemVersions(db: Db, packageId: number) {
  return db.packageVersion.findMany({ where: { packageId, listed: true }, orderBy: { id: "asc" } });
}

/** The feed's gems with listed versions, by lower-cased name, each with its listed versions in push order. */
export function listedGems(db: Db, feedId: number) {
  return db.package.findMany({
    where: { feedId, versions: { some: { listed: true } } },
    orderBy: { nameLower: "asc" },
    select: { name: true, versions: { where: { listed: true }, orderBy: { id: "asc" }, select: { version: true, metadata: true, createdAt: true } } },
  });
}
