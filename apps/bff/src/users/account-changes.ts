// Changes to a user's sign-in: a new password or disabling the user ends every session
// of that user in the same transaction as the change (docs/threat-model.md), so no
// session opened with the old password, or by a user now disabled, outlives it.
import type { Db, Prisma } from "../db/client.ts";
import { endSessionsOf } from "../auth/sessions.ts";

/** Updates the user; ends their sessions when the data sets a password hash or disables them. */
export async function updateUserAccount<S extends Prisma.UserSelect>(db: Db, userId: number, data: Prisma.UserUpdateInput, select: S) {
  return db.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: userId }, data, select });
    if (data.passwordHash !== undefined || data.disabled === true) await endSessionsOf(tx, userId);
    return user;
  });
}
