// The npm-specific writes: dist-tags, deprecations and unpublishing. Unpublishing unlists
// the versions (the rows and files stay, for the audit trail, and a version number once
// used is never reused, as on the npm registry) and takes their dist-tags with them.
import type { Db, Tx } from "../../db/client.ts";
import { badRequest, conflict } from "../../errors.ts";
import { highestVersion, revisionOf, type NpmPackage, type NpmVersionRow } from "./packument.ts";

const DEPRECATION_MAX = 4096;

export function checkDeprecation(message: string): string {
  if (message.length > DEPRECATION_MAX) throw badRequest(`The deprecation message is longer than ${DEPRECATION_MAX} characters.`);
  // PostgreSQL text cannot hold NUL; no message needs one.
  if (message.includes("\u0000")) throw badRequest("The deprecation message must not contain NUL characters.");
  return message;
}

export type VersionChanges = {
  /** versionId → new deprecation message, or null to undeprecate. */
  deprecations: Map<number, string | null>;
  unpublish: NpmVersionRow[];
};

/** 409 when a client writes over a packument it read before someone else changed it. */
export function assertRevision(pkg: NpmPackage, given: string | undefined): void {
  if (given === undefined) return;
  const current = revisionOf(pkg);
  if (given !== current) {
    throw conflict(`Package "${pkg.name}" has changed since it was read (revision ${given.slice(0, 80)}, now ${current}). Fetch it again and retry.`);
  }
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
