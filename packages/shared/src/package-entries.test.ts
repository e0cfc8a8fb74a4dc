import { describe, expect, it } from "vitest";
import { authorize, type KeyFacts } from "./authorize.ts";
import { boundPackageEntry, packageIdsOf, packageIdsOnFeed, parsePackageEntry } from "./package-entries.ts";

describe("package entries", () => {
  it("read a feed before the first slash, but never an npm scope", () => {
    expect(parsePackageEntry("nuget/Contoso.Core")).toEqual({ feed: "nuget", id: "Contoso.Core" });
    expect(parsePackageEntry("npm/@contoso/web")).toEqual({ feed: "npm", id: "@contoso/web" });
    expect(parsePackageEntry("@contoso/web")).toEqual({ feed: null, id: "@contoso/web" });
    expect(parsePackageEntry("Contoso.Core")).toEqual({ feed: null, id: "Contoso.Core" });
    expect(parsePackageEntry(boundPackageEntry("gems", "rack"))).toEqual({ feed: "gems", id: "rack" });
  });

  it("count on their own feed only (feed names ignoring case); an unbound id on any", () => {
    const entries = ["nuget/Contoso.Core", "npm/@contoso/web", "Legacy.Id"];
    expect(packageIdsOnFeed(entries, "NuGet")).toEqual(["Contoso.Core", "Legacy.Id"]);
    expect(packageIdsOnFeed(entries, "npm")).toEqual(["@contoso/web", "Legacy.Id"]);
    expect(packageIdsOf(["nuget/Contoso.Core", "nuget-b/contoso.core", "npm/@contoso/web"])).toEqual(["Contoso.Core", "@contoso/web"]);
  });

  it("decide step 4: a package chosen on one feed is no package on another", () => {
    const key: KeyFacts = {
      id: 1,
      kind: "scoped",
      revokedAt: null,
      expiresAt: null,
      apis: ["feeds"],
      scopes: ["push"],
      packages: ["nuget/Contoso.Core"],
      globs: [],
      feeds: null,
      ownerId: 7,
      userId: null,
    };
    const actor = { id: 7, username: "alice", disabled: false, isAdmin: false, privileges: { view: true, add: true, unlist: true }, ownsPackage: false };
    const now = new Date();
    expect(authorize(key, { surface: "feeds", feed: "nuget", action: "push", packageId: "contoso.core", packageExists: false }, actor, now)).toMatchObject({
      allowed: true,
    });
    expect(authorize(key, { surface: "feeds", feed: "npm", action: "push", packageId: "contoso.core", packageExists: false }, actor, now)).toMatchObject({
      allowed: false,
      reason: "package",
    });
  });
});
