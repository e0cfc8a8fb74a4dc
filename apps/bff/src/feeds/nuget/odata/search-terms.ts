// Search()'s searchTerm: every word must appear in the id, title, description, tags or
// authors (case-insensitive), as the v3 search here matches words.
import type { V2Package } from "./package-entry.ts";

export function searchMatches(term: string, p: V2Package): boolean {
  const words = term.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [p.Id, p.Title, p.Description, p.Tags, p.Authors].join("\n").toLowerCase();
  return words.every((w) => text.includes(w));
}
