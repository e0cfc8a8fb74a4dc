// The npm feed's database reads and writes (feeds/npm/): the package as a packument is
// built from, and the npm-specific writes (dist-tags, deprecations, unpublishing). Plain
// functions over the Db or the caller's transaction, so the handlers never hold a query.
// Unpublishing unlists the versions (the rows and files stay, for the audit trail, and a
// version number once used is never reused, as on the npm registry) and takes their
// dist-tags with them.
import type { Db, Tx } from "../../db/client.ts";
import { highestVersion } from "../npm/packument.ts";

export async function loadNpmPackage(db: Db, feedId: number, name: string) {
  return db.package.findUnique({
    where: { feedId_nameLower: { feedId, nameLower: name.toLowerCase() } },
    include: {
      owners: { select: { userId: true, user: { select: { username: true } } } },
      versions: {
        select: {
          id: true,
          version: true,
          versionLower: true,
          listed: true,
          deprecated: true,
          metadata: true,
          sha512: true,
          fileSize: true,
          filePath: true,
          createdAt: true,
        },
      },
      distTags: true,
    },
  });
}

export type NpmPackage = NonNullable<Awaited<ReturnType<typeof loadNpmPackage>>>;
export type NpmVersionRow = NpmPackage["versions"][number];

export type VersionChanges = {
  /** versionId → new deprecation message, or null to undeprecate. */
  deprecations: Map<number, string | null>;
  unpublish: NpmVersionRow[];
};

/** Whether the package already has this version (listed or not: npm never reuses one). */
export async function hasVersion(db: Db, packageId: number, versionLower: string): Promise<boolean> {
  return (await db.packageVersion.findUnique({ where: { packageId_versionLower: { packageId, versionLower } }, select: { id: true } })) !== null;
}

/** The writes a publish makes beside its version row, in pushVersion's transaction. */
export async function publishExtras(
  tx: Tx,
  packageId: number,
  published: { version: string; versionLower: string; deprecated?: string; distTags: Record<string, string> },
): Promise<void> {
  if (published.deprecated) {
    await tx.packageVersion.update({
      where: { packageId_versionLower: { packageId, versionLower: published.versionLower } },
      data: { deprecated: published.deprecated },
    });
  }
  for (const [tag, version] of Object.entries(published.distTags)) await setDistTag(tx, packageId, tag, version);
  // A first publish under another tag still gets a `latest`; an existing one moves only when asked.
  await tx.distTag.upsert({
    where: { packageId_tag: { packageId, tag: "latest" } },
    create: { packageId, tag: "latest", version: published.version },
    update: {},
  });
}

/** Inside the caller's transaction (commitChange), which has decided again. */
export async function applyVersionChanges(tx: Tx, pkg: NpmPackage, changes: VersionChanges): Promise<void> {
  for (const [id, message] of changes.deprecations) {
    await tx.packageVersion.update({ where: { id }, data: { deprecated: message } });
  }
  if (changes.unpublish.length > 0) await unlistWithTags(tx, pkg, changes.unpublish);
}

/** Unlists versions, drops the tags that pointed at them and keeps `latest` on a listed version. */
async function unlistWithTags(tx: Tx, pkg: NpmPackage, rows: NpmVersionRow[]): Promise<void> {
  const gone = new Set(rows.map((r) => r.version));
  await tx.packageVersion.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { listed: false } });
  await tx.distTag.deleteMany({ where: { packageId: pkg.id, version: { in: [...gone] } } });
  const remaining = pkg.versions.filter((v) => v.listed && !gone.has(v.version)).map((v) => v.version);
  const latestGone = pkg.distTags.some((t) => t.tag === "latest" && gone.has(t.version));
  const next = highestVersion(remaining);
  if (latestGone && next) {
    await tx.distTag.upsert({
      where: { packageId_tag: { packageId: pkg.id, tag: "latest" } },
      create: { packageId: pkg.id, tag: "latest", version: next },
      update: { version: next },
    });
  }
}

export async function unpublishAll(tx: Tx, pkg: NpmPackage): Promise<void> {
  await tx.packageVersion.updateMany({ where: { packageId: pkg.id, listed: true }, data: { listed: false } });
  await tx.distTag.deleteMany({ where: { packageId: pkg.id } });
}

export async function setDistTag(db: Db | Tx, packageId: number, tag: string, version: string): Promise<void> {
  await db.distTag.upsert({
    where: { packageId_tag: { packageId, tag } },
    create: { packageId, tag, version },
    update: { version },
  });
}

export async function removeDistTag(db: Db | Tx, packageId: number, tag: string): Promise<void> {
  await db.distTag.deleteMany({ where: { packageId, tag } });
}
