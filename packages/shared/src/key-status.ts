import { DAY_MS, EXPIRY_WARNING_DAYS } from "./constants.ts";
import type { KeyKind } from "./constants.ts";

export type KeyState = "active" | "expiring" | "expired" | "revoked" | "legacy";
export type KeyStatus = { state: KeyState; label: string; daysLeft: number | null };

// Dates arrive as strings when they have crossed JSON.
type DateLike = Date | string | null;

function toDate(value: DateLike): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}

/** Whole days left, rounded up: a key with 2 hours left "expires in 1 day". */
export function daysLeftUntil(expiresAt: Date, now: Date): number {
  return Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS);
}

/** Fails closed: an unparseable expiry counts as expired. */
export function isExpired(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && !(expiresAt.getTime() > now.getTime());
}

/** Not yet expired, but within EXPIRY_WARNING_DAYS of it. */
export function isExpiringSoon(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && !isExpired(expiresAt, now) && daysLeftUntil(expiresAt, now) <= EXPIRY_WARNING_DAYS;
}

export function pluralDays(n: number): string {
  return n === 1 ? "1 day" : `${n} days`;
}

/**
 * The status shown in the key lists. daysLeft is set whenever the key has an expiry
 * that still matters (0 once expired) and null for revoked keys and keys that never expire.
 */
export function keyStatus(key: { kind: KeyKind; revokedAt: DateLike; expiresAt: DateLike }, now: Date): KeyStatus {
  if (toDate(key.revokedAt) !== null) return { state: "revoked", label: "Revoked", daysLeft: null };
  const expiresAt = toDate(key.expiresAt);
  // An expired key is refused whatever its kind, so "Expired" must win over "legacy".
  if (expiresAt !== null && isExpired(expiresAt, now)) return { state: "expired", label: "Expired", daysLeft: 0 };
  const daysLeft = expiresAt === null ? null : daysLeftUntil(expiresAt, now);
  if (key.kind === "legacy") return { state: "legacy", label: "Full access (legacy)", daysLeft };
  if (daysLeft !== null && daysLeft <= EXPIRY_WARNING_DAYS) {
    return { state: "expiring", label: `Expires in ${pluralDays(daysLeft)}`, daysLeft };
  }
  return { state: "active", label: "Active", daysLeft };
}

export function expiresAtFrom(days: number, now: Date): Date {
  return new Date(now.getTime() + days * DAY_MS);
}
