import { describe, expect, it } from "vitest";
import { afterSignInPath, DEFAULT_AFTER_SIGN_IN, safeRedirectPath, validateLoginSearch } from "./redirect";

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

  it("replaces an unsafe or missing redirect with undefined instead of failing the page", () => {
    // The key must be present so it overrides the raw value the router merges underneath.
    const unsafe = validateLoginSearch({ redirect: "//evil.example" });
    expect(Object.hasOwn(unsafe, "redirect")).toBe(true);
    expect(unsafe.redirect).toBeUndefined();
    expect(validateLoginSearch({}).redirect).toBeUndefined();
  });
});

describe("afterSignInPath", () => {
  it("goes to a safe redirect, else to the user's API keys", () => {
    expect(afterSignInPath({ redirect: "/outbox" })).toBe("/outbox");
    expect(afterSignInPath({})).toBe(DEFAULT_AFTER_SIGN_IN);
    expect(afterSignInPath({ redirect: "https://evil.example" })).toBe(DEFAULT_AFTER_SIGN_IN);
  });
});
