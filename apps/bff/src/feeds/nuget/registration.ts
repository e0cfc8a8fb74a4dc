// RegistrationsBaseUrl: every version of one id with its metadata, in one inlined page
// (clients follow page links only when items are left out, and our feeds are small).
import type { RequestHandler } from "express";
import type { Services } from "../../services.ts";
import { registrationRowsOf, type RegistrationRow } from "../domain/nuget.ts";
import { findVersion, packageNotFound } from "../packages.ts";
import { feedBaseUrl, nugetFeed, readablePackage } from "./context.ts";
import { dependencyGroups, readNuspecFields, tagList } from "./metadata.ts";
import { displayVersion, sortByVersion, versionKeyOf } from "./versions.ts";

type VersionRow = RegistrationRow;

// nuget.org marks unlisted versions with this publish date; older clients rely on it.
const UNLISTED_PUBLISHED = "1900-01-01T00:00:00+00:00";

export function registrationUrls(base: string, id: string) {
  const lower = id.toLowerCase();
  return {
    index: `${base}/v3/registration/${encodeURIComponent(lower)}/index.json`,
    leaf: (versionLower: string) => `${base}/v3/registration/${encodeURIComponent(lower)}/${encodeURIComponent(versionLower)}.json`,
    content: (versionLower: string) =>
      `${base}/v3-flatcontainer/${encodeURIComponent(lower)}/${encodeURIComponent(versionLower)}/${encodeURIComponent(`${lower}.${versionLower}`)}.nupkg`,
  };
}

function catalogEntry(base: string, name: string, row: VersionRow) {
  const urls = registrationUrls(base, name);
  const meta = readNuspecFields(row.metadata, { id: name, version: row.version });
  return {
    "@id": `${urls.leaf(row.versionLower)}#catalogEntry`,
    "@type": "PackageDetails",
    id: name,
    version: displayVersion(row.version),
    listed: row.listed,
    published: row.listed ? row.createdAt.toISOString() : UNLISTED_PUBLISHED,
    packageContent: urls.content(row.versionLower),
    description: meta.description ?? "",
    authors: meta.authors ?? "",
    title: meta.title ?? "",
    tags: tagList(meta.tags),
    dependencyGroups: dependencyGroups(meta.dependencies),
  };
}

function leaf(base: string, name: string, row: VersionRow) {
  const urls = registrationUrls(base, name);
  return {
    "@id": urls.leaf(row.versionLower),
    "@type": "Package",
    catalogEntry: catalogEntry(base, name, row),
    packageContent: urls.content(row.versionLower),
    registration: urls.index,
  };
}

export function registrationIndexHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    const pkg = await readablePackage(services, req, res, feed);
    const rows = sortByVersion(await registrationRowsOf(services.db, pkg.id));
    const base = feedBaseUrl(services.config, req, feed);
    const urls = registrationUrls(base, pkg.name);
    res.setHeader("Cache-Control", "no-store");
    if (rows.length === 0) {
      res.json({ "@id": urls.index, count: 0, items: [] });
      return;
    }
    const lower = rows[0]!.versionLower;
    const upper = rows[rows.length - 1]!.versionLower;
    res.json({
      "@id": urls.index,
      "@type": ["catalog:CatalogRoot", "PackageRegistration", "catalog:Permalink"],
      count: 1,
      items: [
        {
          "@id": `${urls.index}#page/${lower}/${upper}`,
          "@type": "catalog:CatalogPage",
          count: rows.length,
          lower,
          upper,
          parent: urls.index,
          items: rows.map((row) => leaf(base, pkg.name, row)),
        },
      ],
    });
  };
}

/** GET {id}/{version}.json: the leaf each index item points at. */
export function registrationLeafHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await nugetFeed(services, req);
    const leafName = String(req.params.leaf);
    const pkg = await readablePackage(services, req, res, feed);
    const version = leafName.replace(/\.json$/i, "");
    const found = await findVersion(services.db, feed.id, pkg.name, versionKeyOf(version));
    if (!found) throw packageNotFound(feed, pkg.name, version);
    const base = feedBaseUrl(services.config, req, feed);
    const urls = registrationUrls(base, pkg.name);
    res.setHeader("Cache-Control", "no-store");
    res.json({
      "@id": urls.leaf(found.version.versionLower),
      "@type": ["Package", "http://schema.nuget.org/catalog#Permalink"],
      listed: found.version.listed,
      published: found.version.listed ? found.version.createdAt.toISOString() : UNLISTED_PUBLISHED,
      packageContent: urls.content(found.version.versionLower),
      registration: urls.index,
      catalogEntry: catalogEntry(base, pkg.name, found.version),
    });
  };
}
