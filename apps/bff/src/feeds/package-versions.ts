// Package versions as the Native API sees them: the versions in the feeds a caller may
// view, and unlisting or relisting one version, decided by @keyhouse/shared's authorize
// with the feeds' steps (the "unlist" privilege on the feed and ownership of the package,
// unless the caller is an administrator or the API key user: docs/authorization.md), and
// decided again where the change commits, like the feeds' own unlists (decide-at-commit.ts).
import { authorize } from "@keyhouse/shared";
import type { KeyCaller } from "../auth/caller.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { callerUserFacts } from "../users/caller-user.ts";
import type { FeedRow } from "./access.ts";
import { callerUserOf, refusal } from "./catalog.ts";
import { commitChange, type FeedWriteHooks } from "./decide-at-commit.ts";
import { findPackage, ownerIdsOf, setListed } from "./packages.ts";

const versionInclude = {
  pushedBy: { select: { username: true } },
  package: { select: { name: true, feed: { select: { name: true } }, owners: { select: { user: { select: { username: true } } } } } },
} as const;

export type VersionWithPackage = {
  version: string;
  listed: boolean;
  deprecated: string | null;
  fileSize: number;
  sha512: string;
  createdAt: Date;
  pushedBy: { username: string } | null;
  package: { name: string; feed: { name: string }; owners: { user: { username: string } }[] };
};

export function listVersions(db: Db, feedIds: number[], packageName: string | undefined, count: number): Promise<VersionWithPackage[]> {
  return db.packageVersion.findMany({
    where: { package: { feedId: { in: feedIds }, ...(packageName ? { nameLower: packageName.toLowerCase() } : {}) } },
    include: versionInclude,
    orderBy: [{ packageId: "asc" }, { id: "asc" }],
    take: count,
  });
}

export async function setVersionListed(
  db: Db,
  hooks: FeedWriteHooks,
  caller: KeyCaller,
  feed: Pick<FeedRow, "id" | "name">,
  packageName: string,
  versionText: string,
  listed: boolean,
  now = new Date(),
): Promise<VersionWithPackage> {
  const pkg = await findPackage(db, feed.id, packageName);
  if (!pkg) throw new AppError("NOT_FOUND", `Package "${packageName}" was not found in feed "${feed.name}".`);
  const user = await callerUserOf(db, caller, feed.id);
  const decision = authorize(
    caller.key,
    { surface: "native", feed: feed.name, action: "unlist", packageId: pkg.name },
    callerUserFacts(user, feed.id, ownerIdsOf(pkg)),
    now,
    caller.from,
  );
  if (!decision.allowed) throw refusal(decision);
  caller.noteUse?.({ surface: "native", feed: feed.name, action: "unlist", packageId: pkg.name });
  // Versions are unique in a feed-specific normalized form; the text as pushed also matches.
  const version = await db.packageVersion.findFirst({
    where: { packageId: pkg.id, OR: [{ versionLower: versionText.toLowerCase() }, { version: versionText }] },
  });
  if (!version) throw new AppError("NOT_FOUND", `Version ${versionText} of package "${pkg.name}" was not found in feed "${feed.name}".`);
  if (version.listed !== listed) {
    await commitChange(db, hooks, { feed, packageId: pkg.name, keyId: caller.keyId, action: "unlist", surface: "native" }, (tx) =>
      setListed(tx, version.id, listed),
    );
  }
  return db.packageVersion.findUniqueOrThrow({ where: { id: version.id }, include: versionInclude });
}
