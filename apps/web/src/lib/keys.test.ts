import { describe, expect, it } from "vitest";
import {
  activeLegacyKeyCount,
  describeExpiry,
  expiryDateFrom,
  expiryOptionLabel,
  filterChoices,
  globMatches,
  globPreviewText,
  packageChoices,
  rowActions,
  scopeLabels,
  selectAllState,
  setAllSelected,
  summarizePackages,
  toggleSelected,
  type OwnedPackage,
} from "./keys";

const alice: OwnedPackage[] = [
  { id: 1, name: "@contoso/core", feed: "npm", feedType: "npm" },
  { id: 2, name: "@contoso/web", feed: "npm", feedType: "npm" },
  { id: 3, name: "contoso", feed: "gems", feedType: "rubygems" },
  { id: 4, name: "Contoso.Core", feed: "nuget", feedType: "nuget" },
  { id: 5, name: "Contoso.Data", feed: "nuget", feedType: "nuget" },
  { id: 6, name: "Contoso.Web", feed: "nuget", feedType: "nuget" },
];

describe("summarizePackages", () => {
  it("shows up to three packages as they are", () => {
    expect(summarizePackages([]).text).toBe("");
    expect(summarizePackages(["A"]).text).toBe("A");
    expect(summarizePackages(["A", "B", "C"])).toEqual({ shown: ["A", "B", "C"], more: 0, text: "A, B, C" });
  });

  it("shows the first three and how many more", () => {
    expect(summarizePackages(["A", "B", "C", "D"])).toEqual({ shown: ["A", "B", "C"], more: 1, text: "A, B, C and 1 more" });
    expect(summarizePackages(["A", "B", "C", "D", "E", "F"]).text).toBe("A, B, C and 3 more");
  });
});

describe("expiry", () => {
  const now = new Date("2026-01-31T12:00:00Z");

  it("labels the options like the product does", () => {
    expect(expiryOptionLabel(1)).toBe("1 day");
    expect(expiryOptionLabel(365)).toBe("365 days");
  });

  it("counts whole days from now", () => {
    expect(expiryDateFrom(1, now).toISOString()).toBe("2026-02-01T12:00:00.000Z");
    expect(expiryDateFrom(365, now).toISOString()).toBe("2027-01-31T12:00:00.000Z");
  });

  it("describes the computed date in the summary", () => {
    expect(describeExpiry(30, now, "en-US", "UTC")).toBe("Mar 2, 2026 (in 30 days)");
    expect(describeExpiry(1, now, "en-US", "UTC")).toBe("Feb 1, 2026 (in 1 day)");
  });
});

describe("scopeLabels", () => {
  it("uses the product's labels in the canonical order", () => {
    expect(scopeLabels(["unlist", "push"])).toEqual(["Push", "Unlist"]);
    expect(scopeLabels([])).toEqual([]);
  });
});

describe("the packages checklist", () => {
  it("lists owned packages once per ID and keeps names the key has but the user no longer owns", () => {
    const choices = packageChoices(
      [...alice, { id: 7, name: "contoso.core", feed: "mirror", feedType: "nuget" }],
      ["Contoso.Core", "Gone.Package", "gone.package"],
    );
    expect(choices.find((c) => c.name === "Contoso.Core")).toEqual({ name: "Contoso.Core", feeds: ["nuget", "mirror"], owned: true });
    expect(choices.filter((c) => !c.owned)).toEqual([{ name: "Gone.Package", feeds: [], owned: false }]);
    expect(choices).toHaveLength(7);
  });

  it("searches IDs and feed names, ignoring case", () => {
    const choices = packageChoices(alice);
    expect(filterChoices(choices, "  WEB ").map((c) => c.name)).toEqual(["@contoso/web", "Contoso.Web"]);
    expect(filterChoices(choices, "gems").map((c) => c.name)).toEqual(["contoso"]);
    expect(filterChoices(choices, "")).toHaveLength(6);
  });

  it("toggles one package, case-insensitively", () => {
    expect(toggleSelected(["Contoso.Core"], "Contoso.Web", true)).toEqual(["Contoso.Core", "Contoso.Web"]);
    expect(toggleSelected(["Contoso.Core"], "contoso.core", false)).toEqual([]);
    expect(toggleSelected(["Contoso.Core"], "Contoso.Core", true)).toEqual(["Contoso.Core"]);
  });

  it("selects all over what the search shows and leaves the rest alone", () => {
    const choices = packageChoices(alice);
    const nuget = filterChoices(choices, "nuget");
    expect(selectAllState([], nuget)).toBe("none");
    const selected = setAllSelected(["@contoso/core"], nuget, true);
    expect(selected).toEqual(["@contoso/core", "Contoso.Core", "Contoso.Data", "Contoso.Web"]);
    expect(selectAllState(selected, nuget)).toBe("all");
    expect(selectAllState(selected, choices)).toBe("some");
    expect(setAllSelected(selected, nuget, false)).toEqual(["@contoso/core"]);
    expect(selectAllState(selected, [])).toBe("none");
  });
});

describe("the glob preview", () => {
  const choices = packageChoices(alice, ["Contoso.Gone"]);

  it("matches the user's packages case-insensitively, whole IDs only", () => {
    expect(globMatches("Contoso.*", choices)).toEqual(["Contoso.Core", "Contoso.Data", "Contoso.Web"]);
    expect(globMatches("contoso*", choices)).toEqual(["contoso", "Contoso.Core", "Contoso.Data", "Contoso.Web"]);
    expect(globMatches("@contoso/*", choices)).toEqual(["@contoso/core", "@contoso/web"]);
    expect(globMatches("Core", choices)).toEqual([]);
  });

  it("says nothing without a pattern", () => {
    expect(globMatches("", choices)).toBeNull();
    expect(globMatches("   ", choices)).toBeNull();
  });

  it("reads as a sentence", () => {
    expect(globPreviewText(["Contoso.Core", "Contoso.Web"])).toBe("Matches 2 of your packages: Contoso.Core, Contoso.Web");
    expect(globPreviewText(["contoso"])).toBe("Matches 1 of your packages: contoso");
    expect(globPreviewText([])).toBe("Matches none of your packages.");
  });
});

describe("rowActions", () => {
  const key = (kind: string, state: string, revoked = false) => ({ kind, status: { state }, revokedAt: revoked ? "2026-01-01T00:00:00Z" : null });

  it("offers everything on a scoped key, expired or not", () => {
    for (const state of ["active", "expiring", "expired"]) expect(rowActions(key("scoped", state))).toEqual(["edit", "regenerate", "revoke", "delete"]);
  });

  it("offers Revoke and Delete on a legacy key", () => {
    expect(rowActions(key("legacy", "legacy"))).toEqual(["revoke", "delete"]);
  });

  it("offers only Delete on a revoked key of any kind", () => {
    for (const kind of ["scoped", "legacy", "system"]) expect(rowActions(key(kind, "revoked", true))).toEqual(["delete"]);
  });

  it("does not offer Edit packages on a system key", () => {
    expect(rowActions(key("system", "active"))).toEqual(["regenerate", "revoke", "delete"]);
  });

  it("counts only legacy keys that still work", () => {
    expect(activeLegacyKeyCount([key("legacy", "legacy"), key("legacy", "revoked", true), key("scoped", "active")])).toBe(1);
    expect(activeLegacyKeyCount([])).toBe(0);
  });
});
