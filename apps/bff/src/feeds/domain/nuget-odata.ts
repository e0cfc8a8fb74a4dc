// The database reads behind the NuGet v2 OData feed (feeds/nuget/odata/): plain
// functions over the Db, so the handlers never hold a query of their own.
import type { Db } from "../../db/client.ts";

export type V2VersionRow = {
  packageName: string;
  version: string;
  versionLower: string;
  listed: boolean;
  fileSize: number;
  sha512: string;
  metadata: string;
  createdAt: Date;
};

const columns = {
  version: true,
  versionLower: true,
  listed: true,
  fileSize: true,
  sha512: true,
  metadata: true,
  createdAt: true,
  package: { select: { name: true } },
} as const;

type Selected = Omit<V2VersionRow, "packageName"> & { package: { name: string } };

const toRow = ({ package: pkg, ...v }: Selected): V2VersionRow => ({ packageName: pkg.name, ...v });

/**
 * Every version on the feed, or of the named ids only (compared case-insensitively).
 * Unlisted versions come too: which versions are "latest" is decided over listed ones,
 * and the caller hides the rest from listings.
 */
export async function feedVersions(db: Db, feedId: number, idsLower?: string[]): Promise<V2VersionRow[]> {
  const rows = await db.packageVersion.findMany({
    where: { package: { feedId, ...(idsLower ? { nameLower: { in: idsLower } } : {}) } },
    select: columns,
    orderBy: [{ package: { nameLower: "asc" } }, { id: "asc" }],
  });
  return rows.map(toRow);
}

/** One version by its id and normalized version key, listed or not; null when absent. */
export async function versionOf(db: Db, feedId: number, idLower: string, versionKey: string): Promise<V2VersionRow | null> {
  const row = await db.packageVersion.findFirst({ where: { versionLower: versionKey, package: { feedId, nameLower: idLower } }, select: columns });
  return row && toRow(row);
}
