import { describe, expect, it } from "vitest";
import { safeRedirectPath, validateLoginSearch } from "./redirect";

describe("safeRedirectPath", () => {
  it.each(["/", "/account/api-keys", "/admin/access-logs?status=403&key=3", "/outbox#top"])("keeps the same-origin path %s", (path) => {
    expect(safeRedirectPath(path)).toBe(path);
  });

  it.each([
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "account",
    "",
  ])("refuses %j", (value) => {
    expect(safeRedirectPath(value)).toBeUndefined();
  });

  it("refuses non-strings and very long values", () => {
    expect(safeRedirectPath(undefined)).toBeUndefined();
    expect(safeRedirectPath(42)).toBeUndefined();
    expect(safeRedirectPath(["/a"])).toBeUndefined();
    expect(safeRedirectPath(`/${"a".repeat(3000)}`)).toBeUndefined();
  });
});

describe("validateLoginSearch", () => {
  it("keeps a safe redirect", () => {
    expect(validateLoginSearch({ redirect: "/outbox" })).toEqual({ redirect: "/outbox" });
  });

  it("drops an unsafe or missing redirect instead of failing the page", () => {
    expect(validateLoginSearch({ redirect: "//evil.example" })).toEqual({});
    expect(validateLoginSearch({})).toEqual({});
  });
});
