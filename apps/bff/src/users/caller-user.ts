// The user a key acts as, read as @keyhouse/shared's authorize needs it
// (docs/authorization.md): whether they are disabled or an administrator, their
// privileges on the feed in question and whether they own the package in question.
import type { CallerUserFacts } from "@keyhouse/shared";
import type { Db, Tx } from "../db/client.ts";

const privilegeSelect = { feedId: true, canView: true, canAdd: true, canUnlist: true } as const;

export type CallerUserRow = {
  id: number;
  username: string;
  role: string;
  disabled: boolean;
  privileges: { feedId: number; canView: boolean; canAdd: boolean; canUnlist: boolean }[];
};

/** The user with their privileges on one feed, or on every feed when `feedId` is left out. */
export function findCallerUser(db: Db | Tx, id: number, feedId?: number): Promise<CallerUserRow | null> {
  return db.user.findUnique({
    where: { id },
    select: { id: true, username: true, disabled: true, role: true, privileges: { where: feedId === undefined ? {} : { feedId }, select: privilegeSelect } },
  });
}

/** The facts about `user` on one feed (null: none, as for the Native API's gate) and one package's owners (null: no package). */
export function callerUserFacts(user: CallerUserRow | null, feedId: number | null, ownerIds: number[] | null): CallerUserFacts | null {
  if (!user) return null;
  const privilege = feedId === null ? undefined : user.privileges.find((p) => p.feedId === feedId);
  return {
    id: user.id,
    username: user.username,
    disabled: user.disabled,
    isAdmin: user.role === "admin",
    privileges: privilege ? { view: privilege.canView, add: privilege.canAdd, unlist: privilege.canUnlist } : null,
    ownsPackage: ownerIds?.includes(user.id) ?? false,
  };
}
