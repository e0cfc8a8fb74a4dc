// The v2 collections (Packages, Search(), FindPackagesById(), GetUpdates()), single
// packages and downloads. Every entry answered is one the caller's key may read
// (docs/authorization.md): the gate decides per package id, as for any other read.
import type { NextFunction, Request, Response } from "express";
import { AppError } from "../../../errors.ts";
import type { Services } from "../../../services.ts";
import type { FeedRow } from "../../access.ts";
import { feedVersions, versionOf } from "../../domain/nuget-odata.ts";
import { packageNotFound } from "../../packages.ts";
import { feedBaseUrl, nugetFeed } from "../context.ts";
import { packageFileHandler } from "../flat-container.ts";
import { versionKeyOf } from "../versions.ts";
import { entry, feed as atomFeed, type EntryContext } from "./atom.ts";
import { page, queryOptions, queryParam, type QueryOptions } from "./options.ts";
import { collateVersions, packageEntries, propertyOf, type V2Package } from "./package-entry.ts";
import { evaluate, sortRows } from "./evaluate.ts";
import { parseBoolParam, parseEntityKey, parseStringParam } from "./parse.ts";
import { searchMatches } from "./search-terms.ts";
import { updateQuery, updatesFor } from "./updates.ts";

export type Collection = "Packages" | "Search" | "FindPackagesById" | "GetUpdates";

const ATOM_FEED = "application/atom+xml;type=feed;charset=utf-8";
const ATOM_ENTRY = "application/atom+xml;type=entry;charset=utf-8";

export const v2Root = (services: Services, req: Request, feed: FeedRow) => `${feedBaseUrl(services.config, req, feed)}/api/v2/`;

function entryContext(services: Services, req: Request, feed: FeedRow, select: string[] | null): EntryContext {
  const root = v2Root(services, req, feed);
  return {
    root,
    select,
    updated: new Date().toISOString(),
    downloadUrl: (p) => `${root}package/${encodeURIComponent(p.Id)}/${encodeURIComponent(p.NormalizedVersion)}`,
  };
}

/** The package ids among these that the caller may read, asked of the gate once per id. */
async function readableOnly(services: Services, req: Request, res: Response, feed: FeedRow, entries: V2Package[]): Promise<V2Package[]> {
  const allowed = new Map<string, boolean>();
  for (const id of new Set(entries.map((e) => e.Id))) {
    try {
      await services.feedAccess.check(req, res, feed, { action: "read", packageId: id });
      allowed.set(id, true);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "FORBIDDEN") throw err;
      allowed.set(id, false);
    }
  }
  return entries.filter((e) => allowed.get(e.Id));
}

type Params = { select: (q: Record<string, unknown>) => (entries: V2Package[]) => V2Package[]; ids?: (q: Record<string, unknown>) => string[] };

const str = (q: Record<string, unknown>, name: string) => parseStringParam(name, queryParam(q, name));
const bool = (q: Record<string, unknown>, name: string) => parseBoolParam(name, queryParam(q, name));

/**
 * What each collection starts from, before $filter. Listings, searches and updates hold
 * listed versions only. FindPackagesById() holds unlisted ones too, as on nuget.org:
 * clients that restore a pinned version look it up there, and NuGet clients leave out
 * versions published on 1900-01-01 (unlisted) whenever they choose one themselves.
 */
const PARAMS: Record<Collection, Params> = {
  Packages: { select: () => (all) => all.filter((p) => p.Listed) },
  FindPackagesById: {
    ids: (q) => [str(q, "id").toLowerCase()],
    select: () => (all) => all,
  },
  Search: {
    select: (q) => {
      const term = str(q, "searchTerm");
      str(q, "targetFramework"); // accepted and checked; frameworks are not indexed here
      const prerelease = bool(q, "includePrerelease");
      return (all) => all.filter((p) => p.Listed && (prerelease || !p.IsPrerelease) && searchMatches(term, p));
    },
  },
  GetUpdates: {
    ids: (q) => updateQuery(updateArgs(q)).ids.map((id) => id.toLowerCase()),
    select: (q) => {
      const uq = updateQuery(updateArgs(q));
      return (all) => updatesFor(all, uq);
    },
  },
};

function updateArgs(q: Record<string, unknown>) {
  str(q, "targetFrameworks");
  return {
    packageIds: str(q, "packageIds"),
    versions: str(q, "versions"),
    versionConstraints: str(q, "versionConstraints"),
    includePrerelease: bool(q, "includePrerelease"),
    includeAllVersions: bool(q, "includeAllVersions"),
  };
}

/** Id, then version: a stable order, so that pages follow on from each other. */
function defaultOrder(entries: V2Package[], o: QueryOptions): V2Package[] {
  return o.orderBy.length ? sortRows(entries, o.orderBy, propertyOf, collateVersions) : entries;
}

function nextLink(req: Request, root: string, path: string, next: { skip: number; top: number | undefined }): string {
  const q = new URLSearchParams(req.originalUrl.split("?")[1] ?? "");
  q.set("$skip", String(next.skip));
  if (next.top === undefined) q.delete("$top");
  else q.set("$top", String(next.top));
  return `${root}${path}?${q.toString()}`;
}

/** Written as is: Express would reorder the type's parameters, and WCF clients compare them. */
function send(res: Response, type: string, body: string) {
  res.setHeader("Content-Type", type);
  res.end(body);
}

export function collectionHandler(services: Services, collection: Collection) {
  return async (req: Request, res: Response, _next: NextFunction, path: string, countOnly: boolean) => {
    const feed = await nugetFeed(services, req);
    await services.feedAccess.check(req, res, feed, { action: "read" });
    const query = req.query as Record<string, unknown>;
    const options = queryOptions(query);
    const params = PARAMS[collection];
    const ids = params.ids?.(query);
    const choose = params.select(query);
    const semVer2 = queryParam(query, "semVerLevel")?.startsWith("2") ?? false;

    const rows = ids && ids.length === 0 ? [] : await feedVersions(services.db, feed.id, ids);
    const chosen = choose(packageEntries(rows, { semVer2 }));
    const readable = await readableOnly(services, req, res, feed, chosen);
    const filter = options.filter;
    const filtered = filter ? readable.filter((p) => evaluate(filter, propertyOf(p)) === true) : readable;
    const ordered = defaultOrder(filtered, options);
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("DataServiceVersion", "2.0;");
    if (countOnly) {
      // /$count counts past the page size: a count of 250 is 250, not 100.
      const counted = ordered.slice(options.skip, options.top === undefined ? undefined : options.skip + options.top);
      res.type("text/plain").send(String(counted.length));
      return;
    }
    const { rows: shown, next } = page(ordered, options);
    const ctx = entryContext(services, req, feed, options.select);
    send(
      res,
      ATOM_FEED,
      atomFeed(collection, path, shown, ctx, {
        ...(options.inlineCount ? { count: ordered.length } : {}),
        ...(next ? { next: nextLink(req, ctx.root, path, next) } : {}),
      }),
    );
  };
}

/** Packages(Id='…',Version='…'): any version, listed or not, as restores of pinned versions need. */
export function packageHandler(services: Services) {
  return async (req: Request, res: Response, _next: NextFunction, keyText: string) => {
    const feed = await nugetFeed(services, req);
    const key = parseEntityKey(keyText);
    await services.feedAccess.check(req, res, feed, { action: "read", packageId: key.id });
    const row = await versionOf(services.db, feed.id, key.id.toLowerCase(), versionKeyOf(key.version));
    if (!row) throw packageNotFound(feed, key.id, key.version);
    const siblings = await feedVersions(services.db, feed.id, [key.id.toLowerCase()]);
    const found = packageEntries(siblings, { semVer2: true }).find((p) => p.Version === row.version)!;
    const options = queryOptions(req.query as Record<string, unknown>);
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("DataServiceVersion", "2.0;");
    send(res, ATOM_ENTRY, entry(found, entryContext(services, req, feed, options.select), true));
  };
}

/**
 * GET package/{id}/{version}: the .nupkg, listed or not. The same file the v3 flat
 * container serves, through the same handler: one download path, one read check.
 */
export function downloadHandler(services: Services) {
  const file = packageFileHandler(services);
  return (req: Request, res: Response, next: NextFunction, id: string, version: string) => {
    req.params = { ...req.params, id, version, file: `${id}.${version}.nupkg` };
    return file(req, res, next);
  };
}
