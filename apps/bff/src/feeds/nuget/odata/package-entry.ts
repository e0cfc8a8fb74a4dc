// V2FeedPackage: the entity NuGet 2.x clients read, built from a feed's version rows.
// The property table is the one source for $metadata, the Atom properties and the names
// a $filter, $orderby or $select may use.
import type { V2VersionRow } from "../../domain/nuget-odata.ts";
import { readNuspecFields } from "../metadata.ts";
import { compareNuGetVersions, parseNuGetVersion } from "../../formats/nuget.ts";
import { displayVersion, isPrerelease, sortByVersion } from "../versions.ts";
import type { Collate } from "./evaluate.ts";
import type { Schema, Value, ValueType } from "./parse.ts";

export type EdmType = "Edm.String" | "Edm.Boolean" | "Edm.DateTime" | "Edm.Int32" | "Edm.Int64";

export type V2Package = {
  Id: string;
  Version: string;
  NormalizedVersion: string;
  Title: string;
  Description: string;
  Summary: string;
  ReleaseNotes: string;
  Authors: string;
  Owners: string;
  Tags: string;
  Dependencies: string;
  IsLatestVersion: boolean;
  IsAbsoluteLatestVersion: boolean;
  IsPrerelease: boolean;
  Listed: boolean;
  Published: Date;
  Created: Date;
  LastUpdated: Date;
  LastEdited: Date | null;
  PackageSize: number;
  PackageHash: string;
  PackageHashAlgorithm: string;
  DownloadCount: number;
  VersionDownloadCount: number;
  RequireLicenseAcceptance: boolean;
  DevelopmentDependency: boolean;
  ProjectUrl: string | null;
  IconUrl: string | null;
  LicenseUrl: string | null;
  Copyright: string | null;
  Language: string | null;
  MinClientVersion: string | null;
};

export const PROPERTIES: readonly [keyof V2Package, EdmType][] = [
  ["Id", "Edm.String"],
  ["Version", "Edm.String"],
  ["NormalizedVersion", "Edm.String"],
  ["Title", "Edm.String"],
  ["Description", "Edm.String"],
  ["Summary", "Edm.String"],
  ["ReleaseNotes", "Edm.String"],
  ["Authors", "Edm.String"],
  ["Owners", "Edm.String"],
  ["Tags", "Edm.String"],
  ["Dependencies", "Edm.String"],
  ["IsLatestVersion", "Edm.Boolean"],
  ["IsAbsoluteLatestVersion", "Edm.Boolean"],
  ["IsPrerelease", "Edm.Boolean"],
  ["Listed", "Edm.Boolean"],
  ["Published", "Edm.DateTime"],
  ["Created", "Edm.DateTime"],
  ["LastUpdated", "Edm.DateTime"],
  ["LastEdited", "Edm.DateTime"],
  ["PackageSize", "Edm.Int64"],
  ["PackageHash", "Edm.String"],
  ["PackageHashAlgorithm", "Edm.String"],
  ["DownloadCount", "Edm.Int32"],
  ["VersionDownloadCount", "Edm.Int32"],
  ["RequireLicenseAcceptance", "Edm.Boolean"],
  ["DevelopmentDependency", "Edm.Boolean"],
  ["ProjectUrl", "Edm.String"],
  ["IconUrl", "Edm.String"],
  ["LicenseUrl", "Edm.String"],
  ["Copyright", "Edm.String"],
  ["Language", "Edm.String"],
  ["MinClientVersion", "Edm.String"],
];

const VALUE_TYPE: Record<EdmType, ValueType> = {
  "Edm.String": "string",
  "Edm.Boolean": "boolean",
  "Edm.DateTime": "date",
  "Edm.Int32": "number",
  "Edm.Int64": "number",
};
export const SCHEMA: Schema = new Map(PROPERTIES.map(([name, type]) => [name, VALUE_TYPE[type]]));

/** NuGet.org's date for an unlisted version, which clients read as "not listed". */
export const UNLISTED_PUBLISHED = new Date(Date.UTC(1900, 0, 1));

export const propertyOf =
  (p: V2Package) =>
  (name: string): Value =>
    p[name as keyof V2Package];

/** SemVer 2.0.0 versions (dotted pre-release labels, build metadata), which NuGet 2.x cannot parse. */
export function isSemVer2(version: string): boolean {
  try {
    const v = parseNuGetVersion(version);
    return v.release.length > 1 || version.includes("+");
  } catch {
    return true;
  }
}

/** The v2 dependency list: "id:range:framework" joined by "|". */
export function v2Dependencies(deps: { id: string; range?: string; targetFramework?: string }[]): string {
  return deps.map((d) => `${d.id}:${d.range ?? ""}:${d.targetFramework ?? ""}`).join("|");
}

/**
 * The entries for a feed's versions, each knowing whether it is its id's latest listed
 * stable version (IsLatestVersion) or latest listed version of all (IsAbsoluteLatestVersion).
 */
export function packageEntries(rows: V2VersionRow[], opts: { semVer2: boolean }): V2Package[] {
  const byId = new Map<string, V2VersionRow[]>();
  for (const r of rows) {
    if (!opts.semVer2 && isSemVer2(r.version)) continue;
    const key = r.packageName.toLowerCase();
    byId.set(key, [...(byId.get(key) ?? []), r]);
  }
  const out: V2Package[] = [];
  for (const versions of byId.values()) {
    const sorted = sortByVersion(versions);
    const listed = sorted.filter((v) => v.listed);
    const absolute = listed[listed.length - 1];
    const stable = listed.filter((v) => !isPrerelease(v.versionLower)).pop();
    for (const r of sorted) out.push(entryOf(r, r === stable, r === absolute));
  }
  return out;
}

function entryOf(r: V2VersionRow, latest: boolean, absoluteLatest: boolean): V2Package {
  const meta = readNuspecFields(r.metadata, { id: r.packageName, version: r.version });
  return {
    Id: r.packageName,
    Version: r.version,
    NormalizedVersion: displayVersion(r.version),
    Title: meta.title ?? "",
    Description: meta.description ?? "",
    Summary: "",
    ReleaseNotes: "",
    Authors: meta.authors ?? "",
    Owners: "",
    Tags: meta.tags ? ` ${meta.tags.trim()} ` : "",
    Dependencies: v2Dependencies(meta.dependencies),
    IsLatestVersion: latest,
    IsAbsoluteLatestVersion: absoluteLatest,
    IsPrerelease: isPrerelease(r.versionLower),
    Listed: r.listed,
    Published: r.listed ? r.createdAt : UNLISTED_PUBLISHED,
    Created: r.createdAt,
    LastUpdated: r.createdAt,
    LastEdited: null,
    PackageSize: r.fileSize,
    PackageHash: r.sha512,
    PackageHashAlgorithm: "SHA512",
    DownloadCount: 0,
    VersionDownloadCount: 0,
    RequireLicenseAcceptance: false,
    DevelopmentDependency: false,
    ProjectUrl: null,
    IconUrl: null,
    LicenseUrl: null,
    Copyright: null,
    Language: null,
    MinClientVersion: null,
  };
}

/** $orderby=Version sorts as NuGet versions; a version that does not parse sorts by text. */
export const collateVersions: Collate = (name) =>
  name === "Version" || name === "NormalizedVersion"
    ? (a, b) => {
        try {
          return compareNuGetVersions(a, b);
        } catch {
          return a < b ? -1 : a > b ? 1 : 0;
        }
      }
    : undefined;
