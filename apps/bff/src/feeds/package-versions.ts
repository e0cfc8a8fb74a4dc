// Packages as the Native API sees them: the versions in the feeds a caller may view, and
// unlisting or relisting one version with the same rules as the feeds (PRODUCT §4 step 5:
// the unlist privilege on the feed and ownership of the package, unless the caller is an
// administrator or the API key user).
import type { Db } from "../../db/client.ts";
import { AppError } from "../../errors.ts";
import { findPackage, setListed } from "../../feeds/packages.ts";
import { hasFullControl, type ApiCaller } from "../access.ts";
import type { PackageRowOut } from "../native/rows.ts";

const versionInclude = {
  pushedBy: { select: { username: true } },
  package: { select: { name: true, feed: { select: { name: true } }, owners: { select: { user: { select: { username: true } } } } } },
} as const;

type VersionWithPackage = {
  version: string;
  listed: boolean;
  deprecated: string | null;
  fileSize: number;
  sha512: string;
  createdAt: Date;
  pushedBy: { username: string } | null;
  package: { name: string; feed: { name: string }; owners: { user: { username: string } }[] };
};

export function packageRow(v: VersionWithPackage): PackageRowOut {
  return {
    Feed_Name: v.package.feed.name,
    Package_Name: v.package.name,
    Version_Text: v.version,
    Listed_Indicator: v.listed,
    Deprecated_Text: v.deprecated,
    Size_Bytes: v.fileSize,
    Sha512_Hash: v.sha512,
    Owners_Csv: v.package.owners.map((o) => o.user.username).sort().join(","),
    PushedBy_User_Name: v.pushedBy?.username ?? null,
    Published_Date: v.createdAt.toISOString(),
  };
}

export async function listVersions(db: Db, feedIds: number[], packageName: string | undefined, count: number): Promise<PackageRowOut[]> {
  const rows = await db.packageVersion.findMany({
    where: { package: { feedId: { in: feedIds }, ...(packageName ? { nameLower: packageName.toLowerCase() } : {}) } },
    include: versionInclude,
    orderBy: [{ packageId: "asc" }, { id: "asc" }],
    take: count,
  });
  return rows.map(packageRow);
}

export async function setVersionListed(
  db: Db,
  caller: ApiCaller,
  feed: { id: number; name: string },
  packageName: string,
  versionText: string,
  listed: boolean,
): Promise<PackageRowOut> {
  const pkg = await findPackage(db, feed.id, packageName);
  if (!pkg) throw new AppError("NOT_FOUND", `Package "${packageName}" was not found in feed "${feed.name}".`);
  if (!hasFullControl(caller)) {
    const user = caller.user!;
    const p = await db.feedPrivilege.findUnique({ where: { userId_feedId: { userId: user.id, feedId: feed.id } } });
    if (!p?.canUnlist) throw new AppError("FORBIDDEN", `User "${user.username}" does not have the "unlist" privilege on feed "${feed.name}".`);
    if (!pkg.owners.some((o) => o.userId === user.id)) throw new AppError("FORBIDDEN", `User "${user.username}" is not an owner of package "${pkg.name}".`);
  }
  // Versions are unique in a feed-specific normalized form; the text as pushed also matches.
  const version = await db.packageVersion.findFirst({
    where: { packageId: pkg.id, OR: [{ versionLower: versionText.toLowerCase() }, { version: versionText }] },
  });
  if (!version) throw new AppError("NOT_FOUND", `Version ${versionText} of package "${pkg.name}" was not found in feed "${feed.name}".`);
  if (version.listed !== listed) await setListed(db, version.id, listed);
  const updated = await db.packageVersion.findUniqueOrThrow({ where: { id: version.id }, include: versionInclude });
  return packageRow(updated);
}
