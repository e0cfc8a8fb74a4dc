// User management (the Native API's Users_* today): listing (never a password hash) and
// creating or updating by exact user name. Passwords are hashed with argon2id
// (auth/passwords.ts).
import { hashPassword } from "../auth/passwords.ts";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { AppError, conflict } from "../errors.ts";
import { updateUserAccount } from "./account-changes.ts";

/** The columns a user leaves the server with: no password hash. */
export const publicUserSelect = { id: true, username: true, displayName: true, email: true, role: true, disabled: true, createdAt: true } as const;

export function listUsers(db: Db, onlyId: number | null) {
  return db.user.findMany({ where: onlyId === null ? {} : { id: onlyId }, select: publicUserSelect, orderBy: { username: "asc" } });
}

export type UserChanges = {
  username: string;
  displayName?: string | null;
  email?: string | null;
  password?: string | null;
  isAdmin?: boolean;
  disabled?: boolean;
};

/** Creates the user, or changes the given fields of the existing one. Answers the user and whether it was created. */
export async function createOrUpdateUser(db: Db, input: UserChanges) {
  const existing = await db.user.findUnique({ where: { username: input.username }, select: { id: true } });
  const common = {
    ...(input.displayName ? { displayName: input.displayName } : {}),
    ...(input.email ? { email: input.email } : {}),
    ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
    ...(input.isAdmin === undefined ? {} : { role: input.isAdmin ? "admin" : "user" }),
    ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
  };
  if (existing) {
    // A new password or disabling the user ends their sessions, in the same transaction.
    const user = await updateUserAccount(db, existing.id, common, publicUserSelect);
    return { user, created: false };
  }
  if (!input.password) throw new AppError("BAD_REQUEST", 'Argument "Password_Text" is required to create a user.');
  if (!input.email) throw new AppError("BAD_REQUEST", 'Argument "Email_Address" is required to create a user.');
  try {
    const user = await db.user.create({
      data: {
        username: input.username,
        displayName: input.displayName || input.username,
        email: input.email,
        passwordHash: common.passwordHash!,
        role: input.isAdmin ? "admin" : "user",
        disabled: input.disabled ?? false,
      },
      select: publicUserSelect,
    });
    return { user, created: true };
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`A user named "${input.username}" was created at the same time. Try again to update it.`);
    throw e;
  }
}
