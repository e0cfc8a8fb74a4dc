// SearchQueryService: the feed's listed packages whose id or metadata match the query,
// limited to the ids the caller's key may read. Feeds here hold hundreds of packages, not
// millions, so matching runs over the feed's rows in memory, with exact id hits first.
import { matchesAnyPackage, packageIdsOnFeed } from "@keyhouse/shared";
import type { Request, RequestHandler } from "express";
import { AppError } from "../../errors.ts";
import { findPresentedKey } from "../../http/present-key.ts";
import type { Services } from "../../services.ts";
import { listedPackagesForSearch } from "../domain/nuget.ts";
import { feedBaseUrl, nugetFeed } from "./context.ts";
import { readNuspecFields, tagList, type NuspecFields } from "./metadata.ts";
import { registrationUrls } from "./registration.ts";
import { displayVersion, isPrerelease, sortByVersion } from "./versions.ts";

const MAX_TAKE = 1000;
const DEFAULT_TAKE = 20;

type Term = { field: "any" | "id" | "packageid" | "title" | "description" | "tags" | "authors"; text: string };

function param(req: Request, name: string): string | undefined {
  const v = req.query[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === "string" ? s : undefined;
}

function count(req: Request, name: string, fallback: number, max: number): number {
  const raw = param(req, name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new AppError("BAD_REQUEST", `The ${name} parameter must be a whole number of 0 or more; "${raw.slice(0, 40)}" is not.`);
  return Math.min(Number(raw), max);
}

/** NuGet's query syntax, the useful part: words, and field:value with packageid: exact. */
export function parseQuery(q: string): Term[] {
  const fields = new Set(["id", "packageid", "title", "description", "tags", "author", "authors"]);
  return q
    .slice(0, 1000)
    .split(/\s+/)
    .filter(Boolean)
    .map((word): Term => {
      const m = /^([A-Za-z]+):(.+)$/.exec(word);
      const field = m?.[1]?.toLowerCase();
      if (m && field && fields.has(field))
        return { field: field === "author" ? "authors" : (field as Term["field"]), text: m[2]!.replace(/^"|"$/g, "").toLowerCase() };
      return { field: "any", text: word.replace(/^"|"$/g, "").toLowerCase() };
    })
    .filter((t) => t.text !== "");
}

function matches(terms: Term[], name: string, meta: NuspecFields): boolean {
  const id = name.toLowerCase();
  const has = (v: string | undefined, t: string) => (v ?? "").toLowerCase().includes(t);
  return terms.every((t) => {
    switch (t.field) {
      case "packageid":
        return id === t.text;
      case "id":
        return id.includes(t.text);
      case "title":
      case "description":
      case "tags":
      case "authors":
        return has(meta[t.field], t.text);
      case "any":
        return id.includes(t.text) || has(meta.title, t.text) || has(meta.description, t.text) || has(meta.tags, t.text) || has(meta.authors, t.text);
      default:
        return false;
    }
  });
}

/** Which ids the presented key may read: a scoped key only its packages; other keys and anonymous reads all. */
async function readableIds(services: Services, req: Request, feed: string): Promise<(id: string) => boolean> {
  const presented = findPresentedKey(req, { kind: "feed", feed: "nuget", read: true });
  if (!presented) return () => true;
  const found = await services.keys.lookup(presented.value);
  if (found.status !== "found" || found.key.facts.kind !== "scoped") return () => true;
  const { packages, globs } = found.key.facts;
  // Packages chosen by name count on their own feed only.
  const onFeed = packageIdsOnFeed(packages, feed);
  return (id) => matchesAnyPackage(id, onFeed, globs);
}

export function searchHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    await services.feedAccess.check(req, res, feed, { action: "read" });
    const skip = count(req, "skip", 0, Number.MAX_SAFE_INTEGER);
    const take = count(req, "take", DEFAULT_TAKE, MAX_TAKE);
    const prerelease = /^true$/i.test(param(req, "prerelease") ?? "");
    const terms = parseQuery(param(req, "q") ?? "");
    const mayRead = await readableIds(services, req, feed.name);

    const packages = await listedPackagesForSearch(services.db, feed.id);
    const exact = terms.length === 1 && terms[0]!.field === "any" ? terms[0]!.text : null;
    const hits = packages
      .filter((p) => mayRead(p.name))
      .map((p) => {
        const versions = sortByVersion(p.versions.filter((v) => prerelease || !isPrerelease(v.versionLower)));
        const latest = versions[versions.length - 1];
        return latest && { p, versions, meta: readNuspecFields(latest.metadata, { id: p.name, version: latest.version }) };
      })
      .filter((h) => h !== undefined && matches(terms, h.p.name, h.meta))
      .map((h) => h!)
      .sort((a, b) => Number(b.p.nameLower === exact) - Number(a.p.nameLower === exact));

    const base = feedBaseUrl(services.config, req, feed);
    res.setHeader("Cache-Control", "no-store");
    res.json({
      totalHits: hits.length,
      data: hits.slice(skip, skip + take).map(({ p, versions, meta }) => {
        const urls = registrationUrls(base, p.name);
        return {
          "@id": urls.index,
          "@type": "Package",
          registration: urls.index,
          id: p.name,
          version: displayVersion(versions[versions.length - 1]!.version),
          description: meta.description ?? "",
          summary: "",
          title: meta.title ?? "",
          authors: meta.authors ? [meta.authors] : [],
          tags: tagList(meta.tags),
          totalDownloads: 0,
          verified: false,
          packageTypes: [{ name: "Dependency" }],
          versions: versions.map((v) => ({ version: displayVersion(v.version), downloads: 0, "@id": urls.leaf(v.versionLower) })),
        };
      }),
    });
  };
}
