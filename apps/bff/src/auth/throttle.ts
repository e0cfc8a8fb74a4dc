// Sign-in throttling per account and per client address (docs/threat-model.md).
//
// Each attempt is counted BEFORE its password is verified, with one atomic increment per
// counter in the database (shared by every instance), and the decision is taken on the
// count that increment returned. So N parallel guesses run at most `lockAfter` password
// verifications from one address and `accountLockAfter` against one account, whatever N.
//
// - The address counter (an IPv4 address, an IPv6 /64) counts attempts at any account, so
//   spraying many accounts from one address gets `lockAfter` guesses in all. A success
//   takes back only its own attempt: signing in to one's own account never hands an
//   attacker fresh guesses at the others.
// - The account counter counts attempts from any address, against guessing spread over
//   many addresses. It is higher than the address limit, so that someone guessing from one
//   address locks out that address rather than the account. The account's own success
//   clears it. Attempts at unknown user names are counted alike, so the answers do not
//   tell which accounts exist.
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { addressBlock } from "./address-block.ts";

export const THROTTLE = {
  freeFailures: 3, // after these, each further attempt from the address waits a little longer
  lockAfter: 8, // attempts from one address within the window before it is refused
  accountLockAfter: 20, // attempts at one account, from any addresses, within the window
  windowMs: 15 * 60 * 1000,
  lockMs: 5 * 60 * 1000,
  delayStepMs: 250,
  maxDelayMs: 2000,
} as const;

export type ThrottleKeys = { address: string; account: string };

/** Refused before any password was looked at: which counter refused, and for how long. */
export type Refusal = { refusedBy: "address" | "account"; retryAfterSeconds: number };

export function throttleKeys(ip: string, username: string): ThrottleKeys {
  return { address: `ip:${addressBlock(ip)}`, account: `user:${username.toLowerCase()}` };
}

/**
 * Counts an attempt at both counters. Answers a refusal when either is locked or past its
 * limit (the password must then not be verified), else how long to wait before verifying.
 */
export async function beginAttempt(db: Db, keys: ThrottleKeys, now = new Date()): Promise<Refusal | { delayMs: number }> {
  const address = await countAttempt(db, keys.address, THROTTLE.lockAfter, now);
  if ("retryAfterSeconds" in address) return { refusedBy: "address", ...address };
  const account = await countAttempt(db, keys.account, THROTTLE.accountLockAfter, now);
  if ("retryAfterSeconds" in account) {
    // Refused unverified because of the account: the address's attempt is taken back, so a
    // person whose account someone else locked does not lock out their own address too.
    await takeBackAttempt(db, keys.address);
    return { refusedBy: "account", ...account };
  }
  // The growing wait slows one address guessing in turn. Against one account guessed from
  // many addresses in parallel a wait buys nothing; its limit does the work.
  const extra = address.attempts - 1 - THROTTLE.freeFailures;
  return { delayMs: extra > 0 ? Math.min(THROTTLE.maxDelayMs, extra * THROTTLE.delayStepMs) : 0 };
}

/** After a wrong password: the attempt that reaches a limit locks that counter at once. */
export async function attemptFailed(db: Db, keys: ThrottleKeys, now = new Date()): Promise<Refusal | null> {
  for (const [refusedBy, key, limit] of [
    ["address", keys.address, THROTTLE.lockAfter],
    ["account", keys.account, THROTTLE.accountLockAfter],
  ] as const) {
    const row = await db.signInThrottle.findUnique({ where: { key } });
    if (row && row.attempts >= limit) return { refusedBy, retryAfterSeconds: await lock(db, key, now) };
  }
  return null;
}

/** After the right password: clears the account's counter and takes back this attempt at the address. */
export async function attemptSucceeded(db: Db, keys: ThrottleKeys): Promise<void> {
  await db.signInThrottle.deleteMany({ where: { key: keys.account } });
  await takeBackAttempt(db, keys.address);
}

/** Removes counters whose window and lock have both passed. */
export async function purgeStaleThrottles(db: Db, now = new Date()): Promise<number> {
  const r = await db.signInThrottle.deleteMany({
    where: {
      windowStart: { lte: new Date(now.getTime() - THROTTLE.windowMs) },
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
    },
  });
  return r.count;
}

/**
 * A fixed-window counter in the same table, shared by every instance, for other throttles
 * (the leak-report limit, keys/leak-rate-limit.ts): a window that has passed starts over,
 * then this use is counted in one atomic increment. Answers the count with this use and
 * when its window started. Stale rows go with purgeStaleThrottles.
 */
export async function countInWindow(db: Db, key: string, windowMs: number, now: Date): Promise<{ count: number; windowStart: Date }> {
  // As in countAttempt: once one request has reset the row the condition no longer holds.
  await db.signInThrottle.updateMany({ where: { key, windowStart: { lte: new Date(now.getTime() - windowMs) } }, data: { attempts: 0, windowStart: now } });
  const row = await increment(db, key, now);
  return { count: row.attempts, windowStart: row.windowStart };
}

type Counted = { attempts: number } | { retryAfterSeconds: number };

async function countAttempt(db: Db, key: string, limit: number, now: Date): Promise<Counted> {
  // A window or a lock that has passed starts over. The condition stops holding once one
  // request has reset the row, so parallel requests cannot reset it twice.
  await db.signInThrottle.updateMany({
    where: {
      key,
      OR: [{ lockedUntil: { lte: now } }, { lockedUntil: null, windowStart: { lte: new Date(now.getTime() - THROTTLE.windowMs) } }],
    },
    data: { attempts: 0, windowStart: now, lockedUntil: null },
  });
  const row = await increment(db, key, now);
  if (row.lockedUntil && row.lockedUntil > now) return { retryAfterSeconds: secondsUntil(row.lockedUntil, now) };
  if (row.attempts > limit) return { retryAfterSeconds: await lock(db, key, now) };
  return { attempts: row.attempts };
}

/** attempts + 1 in one statement, answering the new count (an upsert: INSERT … ON CONFLICT DO UPDATE). */
async function increment(db: Db, key: string, now: Date) {
  const select = { attempts: true, lockedUntil: true, windowStart: true } as const;
  try {
    return await db.signInThrottle.upsert({ where: { key }, create: { key, attempts: 1, windowStart: now }, update: { attempts: { increment: 1 } }, select });
  } catch (e) {
    // Should the upsert run as a read then a write, a parallel first attempt may create the
    // row in between; the row exists now, so increment it.
    if (!isUniqueViolation(e)) throw e;
    return await db.signInThrottle.update({ where: { key }, data: { attempts: { increment: 1 } }, select });
  }
}

/** Locks the counter unless it already is; answers the seconds left on whichever lock holds. */
async function lock(db: Db, key: string, now: Date): Promise<number> {
  await db.signInThrottle.updateMany({
    where: { key, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
    data: { lockedUntil: new Date(now.getTime() + THROTTLE.lockMs) },
  });
  const row = await db.signInThrottle.findUnique({ where: { key }, select: { lockedUntil: true } });
  return row?.lockedUntil ? secondsUntil(row.lockedUntil, now) : Math.ceil(THROTTLE.lockMs / 1000);
}

async function takeBackAttempt(db: Db, key: string): Promise<void> {
  await db.signInThrottle.updateMany({ where: { key, attempts: { gt: 0 } }, data: { attempts: { decrement: 1 } } });
}

function secondsUntil(t: Date, now: Date): number {
  return Math.max(1, Math.ceil((t.getTime() - now.getTime()) / 1000));
}
