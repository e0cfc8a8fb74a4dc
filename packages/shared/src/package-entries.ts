// A scoped key's packages chosen by name are bound to their feed (docs/authorization.md):
// stored as "feed/id" entries, so owning "Contoso.Core" on a NuGet feed never lets the key
// push a package of that name on another feed. Feed names cannot contain "/" nor start
// with "@", so the first "/" of an entry that does not start with "@" ends its feed; an
// npm scope ("@scope/name") is an id, not a feed. An entry without a feed (written before
// entries were bound) matches on every feed, as it did then.

export type PackageEntry = { feed: string | null; id: string };

export function boundPackageEntry(feed: string, id: string): string {
  return `${feed}/${id}`;
}

export function parsePackageEntry(entry: string): PackageEntry {
  const slash = entry.indexOf("/");
  if (slash <= 0 || entry.startsWith("@")) return { feed: null, id: entry };
  return { feed: entry.slice(0, slash), id: entry.slice(slash + 1) };
}

/** The ids among `entries` that count on `feed` (feed names compare ignoring case). */
export function packageIdsOnFeed(entries: readonly string[], feed: string): string[] {
  const want = feed.toLowerCase();
  return entries.map(parsePackageEntry).flatMap((e) => (e.feed === null || e.feed.toLowerCase() === want ? [e.id] : []));
}

/** The ids alone, each once (ids compare ignoring case), for people and ProGet-shaped answers. */
export function packageIdsOf(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  return entries
    .map((e) => parsePackageEntry(e).id)
    .filter((id) => {
      const key = id.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
