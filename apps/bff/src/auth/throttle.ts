// Slows down repeated wrong passwords from one address, then refuses them for a while.
// Kept in the database so that every instance counts the same failures.
import type { Db } from "../db/client.ts";

export const THROTTLE = {
  freeFailures: 3, // after these, each further failure waits a little longer
  lockAfter: 8, // failures within the window before the address is refused
  windowMs: 15 * 60 * 1000,
  lockMs: 5 * 60 * 1000,
  delayStepMs: 250,
  maxDelayMs: 2000,
} as const;

export type ThrottleState = { lockedForSeconds: number } | { delayMs: number };

export async function checkThrottle(db: Db, ip: string, now = new Date()): Promise<ThrottleState> {
  const row = await db.loginThrottle.findUnique({ where: { ip } });
  if (!row) return { delayMs: 0 };
  if (row.lockedUntil && row.lockedUntil > now) {
    return { lockedForSeconds: Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000) };
  }
  if (now.getTime() - row.firstFailureAt.getTime() > THROTTLE.windowMs) return { delayMs: 0 };
  const extra = row.failures - THROTTLE.freeFailures;
  return { delayMs: extra > 0 ? Math.min(THROTTLE.maxDelayMs, extra * THROTTLE.delayStepMs) : 0 };
}

export async function recordFailure(db: Db, ip: string, now = new Date()): Promise<void> {
  const row = await db.loginThrottle.findUnique({ where: { ip } });
  const fresh = !row || now.getTime() - row.firstFailureAt.getTime() > THROTTLE.windowMs || (row.lockedUntil !== null && row.lockedUntil <= now);
  const failures = fresh ? 1 : row.failures + 1;
  const lockedUntil = failures >= THROTTLE.lockAfter ? new Date(now.getTime() + THROTTLE.lockMs) : null;
  await db.loginThrottle.upsert({
    where: { ip },
    create: { ip, failures, firstFailureAt: now, lockedUntil },
    update: { failures, lockedUntil, ...(fresh ? { firstFailureAt: now } : {}) },
  });
}

export async function clearFailures(db: Db, ip: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { ip } });
}
