// Packages_*: adapters over feeds/catalog.ts and feeds/package-versions.ts.
import { z } from "zod";
import { viewableFeed, viewableFeeds } from "../../feeds/catalog.ts";
import { listVersions, setVersionListed, type VersionWithPackage } from "../../feeds/package-versions.ts";
import { arg } from "../args.ts";
import { defineMethod } from "./method.ts";
import { packageRowSchema, type PackageRowOut } from "./rows.ts";

export function packageRow(v: VersionWithPackage): PackageRowOut {
  return {
    Feed_Name: v.package.feed.name,
    Package_Name: v.package.name,
    Version_Text: v.version,
    Listed_Indicator: v.listed,
    Deprecated_Text: v.deprecated,
    Size_Bytes: v.fileSize,
    Sha512_Hash: v.sha512,
    Owners_Csv: v.package.owners
      .map((o) => o.user.username)
      .sort()
      .join(","),
    PushedBy_User_Name: v.pushedBy?.username ?? null,
    Published_Date: v.createdAt.toISOString(),
  };
}

const FEED = { description: "The feed's name.", max: 100 };
const PACKAGE = { description: "The package id (case-insensitive).", max: 214 };

export const getPackages = defineMethod({
  name: "Packages_GetPackages",
  summary: "Lists package versions, one row per version.",
  description:
    'Only feeds the acting user can view: administrators and the API key user see every feed; an impersonated user needs the "view" privilege. ' +
    "Leave Feed_Name out for every feed the caller can view. A key restricted to some feeds reaches only those.",
  args: z.object({
    Feed_Name: arg.text(FEED),
    Package_Name: arg.text(PACKAGE),
    Count: arg.integer({ description: "At most this many rows (default 1000).", max: 10_000 }),
  }),
  row: packageRowSchema,
  run: async ({ db, caller, now }, a) => {
    const feeds = a.Feed_Name ? [await viewableFeed(db, caller, a.Feed_Name, now)] : await viewableFeeds(db, caller, now);
    return (
      await listVersions(
        db,
        feeds.map((f) => f.id),
        a.Package_Name ?? undefined,
        a.Count ?? 1000,
      )
    ).map(packageRow);
  },
});

export const setPackageListed = defineMethod({
  name: "Packages_SetListed",
  summary: "Unlists or relists one package version.",
  description:
    'An impersonated user needs the "unlist" privilege on the feed and must be an owner of the package; administrators and the API key user need neither.',
  args: z.object({
    Feed_Name: arg.text({ ...FEED, required: true }),
    Package_Name: arg.text({ ...PACKAGE, required: true }),
    Version_Text: arg.text({ description: "The version, as pushed.", required: true, max: 128 }),
    Listed_Indicator: arg.boolean({ description: "true to relist, false to unlist.", required: true }),
  }),
  row: packageRowSchema,
  run: async ({ db, services, caller, now }, a) => {
    const feed = await viewableFeed(db, caller, a.Feed_Name, now);
    return [packageRow(await setVersionListed(db, services.hooks, caller, feed, a.Package_Name, a.Version_Text, a.Listed_Indicator, now))];
  },
});
