import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors.ts";
import type { Db } from "../db/client.ts";
import { dummyPasswordHash, verifyPassword } from "../auth/passwords.ts";
import { checkThrottle, clearFailures, recordFailure } from "../auth/throttle.ts";

export const WRONG_CREDENTIALS = "The user name or password is incorrect.";

function lockedError(seconds: number): AppError {
  const minutes = Math.ceil(seconds / 60);
  const when = seconds < 90 ? `${seconds} seconds` : `${minutes} minutes`;
  return new AppError("TOO_MANY_REQUESTS", `Too many failed sign-in attempts from your address. Try again in ${when}.`, {
    retryAfterSeconds: seconds,
    headers: { "Retry-After": String(seconds) },
  });
}

/** Checks a user name and password, with the per-address throttle. Returns the user. */
export async function signIn(db: Db, input: { username: string; password: string }, ip: string) {
  const state = await checkThrottle(db, ip);
  if ("lockedForSeconds" in state) throw lockedError(state.lockedForSeconds);
  if (state.delayMs > 0) await sleep(state.delayMs);

  const user = await db.user.findUnique({ where: { username: input.username } });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok || user.disabled) {
    await recordFailure(db, ip);
    const after = await checkThrottle(db, ip);
    if ("lockedForSeconds" in after) throw lockedError(after.lockedForSeconds);
    throw new AppError("UNAUTHORIZED", user?.disabled && ok ? "This account is disabled. Ask an administrator to enable it." : WRONG_CREDENTIALS);
  }
  await clearFailures(db, ip);
  return user;
}
