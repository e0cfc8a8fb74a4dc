import { describe, expect, it } from "vitest";
import * as shared from "./index.ts";

describe("constants", () => {
  it("keep the product's exact texts", () => {
    expect(shared.MESSAGES).toEqual({
      keyNameRequired: "The key name is required.",
      scopeRequired: "At least one scope must be selected.",
      packagesRequired: "Either a glob pattern must be specified or at least one package must be selected.",
      invalidKey:
        "The specified API key is invalid, has expired, or does not have permission to access the specified package.",
      revealWarning: "Make sure to copy your new API key now. You will not be able to see it again.",
    });
    expect(shared.SCOPE_LABELS).toEqual({
      push: { label: "Push", hint: "New packages and versions" },
      update: { label: "Update", hint: "Only new versions of existing packages" },
      unlist: { label: "Unlist", hint: "Unlist and relist" },
    });
  });

  it("keep the product's vocabulary", () => {
    expect(shared.SCOPES).toEqual(["push", "update", "unlist"]);
    expect(shared.APIS).toEqual(["feeds", "native", "keys"]);
    expect(shared.KEY_KINDS).toEqual(["scoped", "system", "legacy"]);
    expect(shared.FEED_TYPES).toEqual(["nuget", "npm", "rubygems"]);
    expect(shared.ROLES).toEqual(["admin", "user"]);
    expect(shared.EXPIRY_DAYS).toEqual([1, 30, 90, 180, 270, 365]);
    expect(shared.DEFAULT_EXPIRY_DAYS).toBe(365);
    expect(shared.EXPIRY_WARNING_DAYS).toBe(10);
    expect(shared.KEY_PREFIX).toBe("khk_");
    expect(shared.MIN_CUSTOM_KEY_LENGTH).toBe(20);
    expect(shared.KEY_NAME_MAX).toBe(64);
  });

  it("the entry point exports every public function", () => {
    for (const name of [
      "crc32",
      "base62Encode",
      "generateKeyValue",
      "checkKeyFormat",
      "isValidCustomKey",
      "keyHint",
      "invalidGlobChars",
      "matchesGlob",
      "matchesAnyPackage",
      "keyStatus",
      "expiresAtFrom",
      "actingUserIdOf",
      "authorize",
    ] as const) {
      expect(typeof shared[name], name).toBe("function");
    }
    for (const name of [
      "loginInputSchema",
      "keyNameSchema",
      "globSchema",
      "createKeyInputSchema",
      "updateKeyPackagesInputSchema",
    ] as const) {
      expect(typeof shared[name].safeParse, name).toBe("function");
    }
    expect(shared.GLOB_PATTERN_CHARS).toBeInstanceOf(RegExp);
  });
});
