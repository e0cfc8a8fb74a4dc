// How the admin key grid words and formats things. Free of @keyhouse/shared and zod.
import type { RouterOutputs } from "../../trpc";

export type AdminKeyRow = RouterOutputs["adminKeys"]["list"]["rows"][number];
export type AdminKeyOptions = RouterOutputs["adminKeys"]["options"];

// tRPC answers without a transformer: the Date-typed fields arrive as ISO strings.
type DateLike = Date | string;
const toDate = (v: DateLike) => (v instanceof Date ? v : new Date(v));

export const KIND_LABELS = { scoped: "Scoped", system: "System", legacy: "Legacy" } as const;

export const STATUS_FILTER_LABELS = {
  active: "Active",
  expiring: "Expires within 10 days",
  expired: "Expired",
  revoked: "Revoked",
  legacy: "Full access (legacy)",
} as const;

/** ProGet's API groups, and what each lets a key do. */
export const API_HELP = {
  feeds: "Feed API: NuGet, npm and RubyGems clients push, unlist and read packages.",
  native: "Native API: full control of this Keyhouse instance.",
  keys: "API keys management API: create, list and delete API keys.",
} as const;

const utcDay = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const fullTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "long" });

/** "Dec 31, 2027": expiry and creation days, in UTC so a date picked in the form reads back the same. */
export function formatDay(value: DateLike): string {
  return utcDay.format(toDate(value));
}

export function formatFull(value: DateLike): string {
  return fullTime.format(toDate(value));
}

export function isoOf(value: DateLike): string {
  return toDate(value).toISOString();
}

/** "just now", "5 minutes ago", "3 days ago", then the day. */
export function formatAgo(value: DateLike, now = Date.now()): string {
  const seconds = Math.round((now - toDate(value).getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.floor(hours / 24);
  if (days < 30) return `${days} day${days === 1 ? "" : "s"} ago`;
  return formatDay(value);
}

/** "2027-12-31", what <input type="date"> holds, for a stored expiry (UTC). */
export function toDateInput(value: DateLike | null): string {
  return value === null ? "" : toDate(value).toISOString().slice(0, 10);
}

/** The first day the form's "Expires" may be: tomorrow (UTC), since today's midnight has passed. */
export function firstExpiryDay(now = Date.now()): string {
  return new Date(now + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** Who the key acts as, in the grid's "User" column. */
export function actingUser(key: AdminKeyRow): { text: string; muted: boolean } {
  if (key.user) return { text: key.user.username, muted: false };
  if (key.kind === "system") return { text: "API key user", muted: true };
  return { text: key.owner ? "Its owner" : "—", muted: true };
}

export function feedsText(feeds: string[] | null): string {
  return feeds === null || feeds.length === 0 ? "All" : feeds.join(", ");
}
