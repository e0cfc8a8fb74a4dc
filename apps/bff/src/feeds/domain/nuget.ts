// The database reads behind the NuGet v3 handlers (feeds/nuget/): plain functions over
// the Db, so the handlers never hold a query of their own.
import type { Db } from "../../db/client.ts";

/** Every version key of one package, listed or not (the flat container's version list). */
export function versionKeysOf(db: Db, packageId: number) {
  return db.packageVersion.findMany({ where: { packageId }, select: { versionLower: true } });
}

const registrationSelect = { versionLower: true, version: true, listed: true, createdAt: true, metadata: true, fileSize: true } as const;

export type RegistrationRow = { versionLower: string; version: string; listed: boolean; createdAt: Date; metadata: string; fileSize: number };

/** Every version of one package with what a registration leaf shows, unsorted. */
export function registrationRowsOf(db: Db, packageId: number): Promise<RegistrationRow[]> {
  return db.packageVersion.findMany({ where: { packageId }, select: registrationSelect });
}

/** The feed's packages with listed versions, by lower-cased id, each with its listed versions (search runs over them in memory). */
export function listedPackagesForSearch(db: Db, feedId: number) {
  return db.package.findMany({
    where: { feedId, versions: { some: { listed: true } } },
    select: { name: true, nameLower: true, versions: { where: { listed: true }, select: { version: true, versionLower: true, metadata: true } } },
    orderBy: { nameLower: "asc" },
  });
}
