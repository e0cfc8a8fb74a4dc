import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors.ts";
import type { Db } from "../db/client.ts";
import { dummyPasswordHash, verifyPassword } from "../auth/passwords.ts";
import { createSession } from "../auth/sessions.ts";
import { attemptFailed, attemptSucceeded, beginAttempt, throttleKeys, type Refusal } from "../auth/throttle.ts";

export const WRONG_CREDENTIALS = "The user name or password is incorrect.";

function lockedError({ refusedBy, retryAfterSeconds: seconds }: Refusal): AppError {
  const minutes = Math.ceil(seconds / 60);
  const when = seconds < 90 ? `${seconds} seconds` : `${minutes} minutes`;
  const from = refusedBy === "address" ? "from your address" : "for this account";
  return new AppError("TOO_MANY_REQUESTS", `Too many failed sign-in attempts ${from}. Try again in ${when}.`, {
    retryAfterSeconds: seconds,
    headers: { "Retry-After": String(seconds) },
  });
}

/**
 * Checks a user name and password, throttled per account and per address
 * (auth/throttle.ts): the attempt is counted before the password is verified. Returns the user.
 */
export async function signIn(db: Db, input: { username: string; password: string }, ip: string) {
  const keys = throttleKeys(ip, input.username);
  const state = await beginAttempt(db, keys);
  if ("refusedBy" in state) throw lockedError(state);
  if (state.delayMs > 0) await sleep(state.delayMs);

  const user = await db.user.findUnique({ where: { username: input.username } });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok || user.disabled) {
    const locked = await attemptFailed(db, keys);
    if (locked) throw lockedError(locked);
    throw new AppError("UNAUTHORIZED", user?.disabled && ok ? "This account is disabled. Ask an administrator to enable it." : WRONG_CREDENTIALS);
  }
  await attemptSucceeded(db, keys);
  return user;
}

/**
 * Opens the session for a sign-in, unless the password changed or the user was disabled
 * while it was being checked (that change ends the user's sessions, users/account-changes.ts,
 * and must not miss this one). The conditional write locks the user's row until the
 * session is stored, so a concurrent change either waits and then ends it, or wins and
 * this sign-in is refused.
 */
export async function openSession(db: Db, user: { id: number; passwordHash: string }, meta: { ip?: string; userAgent?: string }) {
  return db.$transaction(async (tx) => {
    const unchanged = await tx.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash, disabled: false },
      data: { passwordHash: user.passwordHash },
    });
    if (unchanged.count === 0) throw new AppError("UNAUTHORIZED", WRONG_CREDENTIALS);
    return createSession(tx, user.id, meta);
  });
}
