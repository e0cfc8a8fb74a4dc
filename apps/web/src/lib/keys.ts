// Pure helpers behind the Account › API keys screens (list, wizard, edit), kept apart
// from the components so they can be unit-tested without a DOM.
import { DAY_MS, matchesGlob, pluralDays, SCOPE_LABELS, SCOPES, type Scope } from "@keyhouse/shared";
import { formatDate, type DateLike } from "./dates";

/** When a key made now with this lifetime stops working (the server counts the same way). */
export function expiryDateFrom(days: number, now: Date): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** The text of one "Expires in" option: "1 day", "30 days". */
export function expiryOptionLabel(days: number): string {
  return pluralDays(days);
}

/** What the wizard's summary says about the expiry: "Mar 14, 2027 (in 365 days)". */
export function describeExpiry(days: number, now: Date, locale?: string, timeZone?: string): string {
  return `${formatDate(expiryDateFrom(days, now), locale, timeZone)} (in ${pluralDays(days)})`;
}

/** Scope names as people read them, in the canonical order: "Push, Unlist". */
export function scopeLabels(scopes: readonly string[]): string[] {
  return SCOPES.filter((scope) => scopes.includes(scope)).map((scope) => SCOPE_LABELS[scope].label);
}

export type PackagesSummary = { shown: string[]; more: number; text: string };

/** The list shows the first three packages and "N more". */
export function summarizePackages(packages: readonly string[], max = 3): PackagesSummary {
  const shown = packages.slice(0, max);
  const more = Math.max(0, packages.length - shown.length);
  const text = shown.length === 0 ? "" : more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
  return { shown, more, text };
}

export type OwnedPackage = { id: number; name: string; feed: string; feedType: string };

/** One checklist row per package ID (IDs are case-insensitive); a name on two feeds lists both. */
export type PackageChoice = { name: string; feeds: string[]; owned: boolean };

const fold = (text: string) => text.toLowerCase();

/**
 * The checklist: the packages the user owns, plus any the key already names that the
 * user no longer owns (so they can be seen and unticked rather than silently kept).
 */
export function packageChoices(owned: readonly OwnedPackage[], selected: readonly string[] = []): PackageChoice[] {
  const byName = new Map<string, PackageChoice>();
  for (const pkg of owned) {
    const existing = byName.get(fold(pkg.name));
    if (existing) {
      if (!existing.feeds.includes(pkg.feed)) existing.feeds.push(pkg.feed);
    } else {
      byName.set(fold(pkg.name), { name: pkg.name, feeds: [pkg.feed], owned: true });
    }
  }
  const extra = selected
    .filter((name) => !byName.has(fold(name)))
    .filter((name, i, all) => all.findIndex((other) => fold(other) === fold(name)) === i)
    .map((name): PackageChoice => ({ name, feeds: [], owned: false }));
  return [...byName.values(), ...extra];
}

/** The search box: a case-insensitive substring of the ID or the feed name. */
export function filterChoices(choices: readonly PackageChoice[], query: string): PackageChoice[] {
  const q = fold(query.trim());
  if (q === "") return [...choices];
  return choices.filter((choice) => fold(choice.name).includes(q) || choice.feeds.some((feed) => fold(feed).includes(q)));
}

export function isSelected(selected: readonly string[], name: string): boolean {
  return selected.some((s) => fold(s) === fold(name));
}

export function toggleSelected(selected: readonly string[], name: string, on: boolean): string[] {
  const without = selected.filter((s) => fold(s) !== fold(name));
  return on ? [...without, name] : without;
}

export type SelectAllState = "none" | "some" | "all";

/** The "Select all" box works on what the search shows; this is how much of that is ticked. */
export function selectAllState(selected: readonly string[], visible: readonly PackageChoice[]): SelectAllState {
  if (visible.length === 0) return "none";
  const ticked = visible.filter((choice) => isSelected(selected, choice.name)).length;
  return ticked === 0 ? "none" : ticked === visible.length ? "all" : "some";
}

/** Ticks (or unticks) every visible package, leaving the hidden ones as they were. */
export function setAllSelected(selected: readonly string[], visible: readonly PackageChoice[], on: boolean): string[] {
  let next = [...selected];
  for (const choice of visible) next = toggleSelected(next, choice.name, on);
  // Keep the checklist's order, so the summary reads the way the list does.
  return on ? orderLike(next, visible) : next;
}

function orderLike(selected: string[], visible: readonly PackageChoice[]): string[] {
  const rank = new Map(visible.map((choice, i) => [fold(choice.name), i]));
  const outside = selected.filter((s) => !rank.has(fold(s)));
  const inside = selected.filter((s) => rank.has(fold(s))).sort((a, b) => rank.get(fold(a))! - rank.get(fold(b))!);
  return [...outside, ...inside];
}

/** The glob's live preview: which of the user's packages it would cover, or null when there is no pattern. */
export function globMatches(glob: string, choices: readonly PackageChoice[]): string[] | null {
  const pattern = glob.trim();
  if (pattern === "") return null;
  return choices.filter((choice) => choice.owned && matchesGlob(pattern, choice.name)).map((choice) => choice.name);
}

/** "Matches 2 of your packages: Contoso.Core, Contoso.Web" (every match is listed). */
export function globPreviewText(matches: readonly string[]): string {
  if (matches.length === 0) return "Matches none of your packages.";
  return `Matches ${matches.length} of your packages: ${matches.join(", ")}`;
}

export type RowAction = "edit" | "regenerate" | "revoke" | "delete";

type KeyForActions = { kind: string; revokedAt: DateLike | null; status: { state: string } };

/**
 * What each row offers: a revoked key can only be deleted; a legacy key can be revoked
 * or deleted (it has no packages and cannot be regenerated); a scoped key, expired or
 * not, can have its packages edited and be regenerated too. System keys belong to the
 * admin screens but an owner may still regenerate, revoke or delete theirs.
 */
export function rowActions(key: KeyForActions): RowAction[] {
  if (key.revokedAt !== null || key.status.state === "revoked") return ["delete"];
  if (key.kind === "legacy") return ["revoke", "delete"];
  if (key.kind === "scoped") return ["edit", "regenerate", "revoke", "delete"];
  return ["regenerate", "revoke", "delete"];
}

/** "Revoke all legacy keys" is offered while at least one legacy key still works. */
export function activeLegacyKeyCount(keys: readonly KeyForActions[]): number {
  return keys.filter((key) => key.kind === "legacy" && key.revokedAt === null && key.status.state === "legacy").length;
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
