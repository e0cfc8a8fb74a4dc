// Packages and versions in a feed, shared by the NuGet, npm and RubyGems handlers and
// the Native API. A push is acknowledged only when both its file and its row are
// durable; when the row cannot be written, the file is removed again.
import type { Db, Tx } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { AppError, notFound } from "../errors.ts";
import { decideAgainAtCommit, type FeedWriteHooks } from "./decide-at-commit.ts";
import type { FeedRow } from "./access.ts";
import { createReadStream } from "node:fs";
import { packageFileKey } from "./storage/keys.ts";
import type { PackageStorage, StoredFile } from "./storage/types.ts";

export async function findPackage(db: Db, feedId: number, name: string) {
  // PostgreSQL refuses NUL in a text parameter, and no stored name has one.
  if (name.includes("\u0000")) return null;
  return db.package.findUnique({
    where: { feedId_nameLower: { feedId, nameLower: name.toLowerCase() } },
    include: { owners: { select: { userId: true } } },
  });
}

export function ownerIdsOf(pkg: { owners: { userId: number }[] } | null): number[] | null {
  return pkg ? pkg.owners.map((o) => o.userId) : null;
}

export type PushInput = {
  feed: FeedRow;
  name: string;
  version: string;
  /** The form the version is unique in, e.g. NuGet's normalized, lower-cased version. */
  versionKey: string;
  ext: string;
  /** The package file, e.g. an upload's temporary file: copied into the store as a stream, never held in memory. */
  source: { path: string };
  metadata: Record<string, unknown>;
  /** The acting user as the gate saw it; the one who becomes the owner of a new id is decided again at commit. */
  actorId: number | null;
  /** The key the gate allowed; the decision is taken again with it at commit (decide-at-commit.ts). */
  keyId: number | null;
  /** Extra writes in the same transaction, e.g. npm dist-tags. */
  extra?: (tx: Parameters<Parameters<Db["$transaction"]>[0]>[0], packageId: number) => Promise<void>;
};

/** 409: the version is already there (npm answers it in its own words). */
export class VersionExists extends AppError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

export async function pushVersion(db: Db, store: PackageStorage, input: PushInput, hooks: FeedWriteHooks = {}) {
  // A store that is down answers StorageUnavailable (503) here, before any row is written.
  const file = await store.put(packageFileKey(input.feed.name, input.name, input.version, input.ext), createReadStream(input.source.path));
  try {
    await hooks.beforeVersionCommit?.({ feed: input.feed.name, packageId: input.name, version: input.version });
    // A unique violation on the first try may be a concurrent push creating the same new
    // package id; the second try finds that package (and decides again). A second
    // violation is the version.
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeVersion(db, input, file, hooks);
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= 2) throw e;
      }
    }
  } catch (e) {
    await store.delete(file.key).catch(() => undefined);
    if (isUniqueViolation(e))
      throw new VersionExists(
        `Version ${input.version} of package "${input.name}" already exists in feed "${input.feed.name}". Versions cannot be overwritten; push a new version.`,
      );
    throw e;
  }
}

function writeVersion(db: Db, input: PushInput, file: StoredFile, hooks: FeedWriteHooks) {
  return db.$transaction(async (tx) => {
    const nameLower = input.name.toLowerCase();
    const { actingUserId, package: existing } = await decideAgainAtCommit(tx, { feed: input.feed, packageId: input.name, keyId: input.keyId, action: "push" });
    await hooks.afterCommitDecision?.({ feed: input.feed.name, packageId: input.name, version: input.version });
    const pkg =
      existing ??
      (await tx.package.create({
        data: {
          feedId: input.feed.id,
          name: input.name,
          nameLower,
          owners: actingUserId === null ? undefined : { create: [{ userId: actingUserId }] },
        },
      }));
    const version = await tx.packageVersion.create({
      data: {
        packageId: pkg.id,
        version: input.version,
        versionLower: input.versionKey,
        filePath: file.key,
        fileSize: file.size,
        sha512: file.sha512,
        metadata: JSON.stringify(input.metadata),
        pushedById: actingUserId,
        pushedWithKeyId: input.keyId,
      },
    });
    await input.extra?.(tx, pkg.id);
    return { package: pkg, version, file };
  });
}

export async function findVersion(db: Db, feedId: number, name: string, versionKey: string) {
  const pkg = await findPackage(db, feedId, name);
  if (!pkg) return null;
  const version = await db.packageVersion.findUnique({ where: { packageId_versionLower: { packageId: pkg.id, versionLower: versionKey } } });
  return version ? { pkg, version } : null;
}

export function packageNotFound(feed: FeedRow, name: string, version?: string): AppError {
  return notFound(
    version ? `Version ${version} of package "${name}" was not found in feed "${feed.name}".` : `Package "${name}" was not found in feed "${feed.name}".`,
  );
}

export async function setListed(db: Db | Tx, versionId: number, listed: boolean) {
  return db.packageVersion.update({ where: { id: versionId }, data: { listed } });
}
