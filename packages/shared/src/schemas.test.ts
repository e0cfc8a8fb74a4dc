import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { MESSAGES } from "./constants.ts";
import { createKeyInputSchema, globSchema, keyNameSchema, loginInputSchema, updateKeyPackagesInputSchema } from "./schemas.ts";

/** Every message, keyed by the path of the field it belongs to. */
function errorsOf(schema: z.ZodType, input: unknown): Record<string, string[]> {
  const result = schema.safeParse(input);
  if (result.success) return {};
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) (errors[issue.path.join(".")] ??= []).push(issue.message);
  return errors;
}

const validCreate = { name: "CI push", scopes: ["push"], packages: ["Contoso.Core"] };

describe("loginInputSchema", () => {
  it("trims the user name but not the password", () => {
    expect(loginInputSchema.parse({ username: "  alice ", password: " secret " })).toEqual({
      username: "alice",
      password: " secret ",
    });
  });

  it("asks for what is missing", () => {
    expect(errorsOf(loginInputSchema, { username: "  ", password: "" })).toEqual({
      username: ["Enter your user name."],
      password: ["Enter your password."],
    });
    expect(errorsOf(loginInputSchema, {})).toEqual({
      username: ["Enter your user name."],
      password: ["Enter your password."],
    });
  });

  it("limits lengths", () => {
    expect(errorsOf(loginInputSchema, { username: "a".repeat(65), password: "p".repeat(257) })).toEqual({
      username: ["The user name must be at most 64 characters."],
      password: ["The password must be at most 256 characters."],
    });
    expect(loginInputSchema.safeParse({ username: "a".repeat(64), password: "p".repeat(256) }).success).toBe(true);
  });
});

describe("keyNameSchema", () => {
  it("trims", () => {
    expect(keyNameSchema.parse("  CI push  ")).toBe("CI push");
  });

  it("requires a name", () => {
    expect(errorsOf(keyNameSchema, "   ")).toEqual({ "": [MESSAGES.keyNameRequired] });
    expect(errorsOf(keyNameSchema, undefined)).toEqual({ "": [MESSAGES.keyNameRequired] });
  });

  it("allows at most 64 characters", () => {
    expect(keyNameSchema.safeParse("k".repeat(64)).success).toBe(true);
    expect(errorsOf(keyNameSchema, "k".repeat(65))).toEqual({ "": ["The key name must be at most 64 characters."] });
  });
});

describe("globSchema", () => {
  it("treats absent, null and blank as no glob", () => {
    expect(globSchema.parse(undefined)).toBeUndefined();
    expect(globSchema.parse(null)).toBeUndefined();
    expect(globSchema.parse("   ")).toBeUndefined();
    expect(globSchema.parse(" Contoso.* ")).toBe("Contoso.*");
  });

  it("names the characters that are not allowed", () => {
    expect(errorsOf(globSchema, "Contoso#1 *#")).toEqual({
      "": ['The glob pattern contains characters that are not allowed: "#", " ". Use letters, digits, ".", "-", "_", "@", "/" and "*".'],
    });
  });

  it("allows at most 128 characters", () => {
    expect(globSchema.safeParse("a".repeat(128)).success).toBe(true);
    expect(errorsOf(globSchema, "a".repeat(129))).toEqual({ "": ["The glob pattern must be at most 128 characters."] });
  });
});

describe("createKeyInputSchema", () => {
  it("fills in defaults", () => {
    expect(createKeyInputSchema.parse({ name: " CI ", scopes: ["push"], glob: "Contoso.*" })).toEqual({
      name: "CI",
      expiresInDays: 365,
      scopes: ["push"],
      packages: [],
      glob: "Contoso.*",
      allowedNetworks: [],
    });
  });

  it("dedupes scopes and packages (package ids case-insensitively)", () => {
    const parsed = createKeyInputSchema.parse({
      ...validCreate,
      scopes: ["unlist", "push", "unlist"],
      packages: ["Contoso.Core", " contoso.core ", "Contoso.Web"],
    });
    expect(parsed.scopes).toEqual(["unlist", "push"]);
    expect(parsed.packages).toEqual(["Contoso.Core", "Contoso.Web"]);
  });

  it("accepts each allowed expiry and nothing else", () => {
    for (const days of [1, 30, 90, 180, 270, 365]) {
      expect(createKeyInputSchema.parse({ ...validCreate, expiresInDays: days }).expiresInDays).toBe(days);
    }
    for (const days of [0, 7, 366, "30", null]) {
      expect(errorsOf(createKeyInputSchema, { ...validCreate, expiresInDays: days })).toEqual({
        expiresInDays: ["Choose one of 1, 30, 90, 180, 270 or 365 days."],
      });
    }
  });

  it("requires a scope", () => {
    expect(errorsOf(createKeyInputSchema, { ...validCreate, scopes: [] })).toEqual({ scopes: [MESSAGES.scopeRequired] });
    expect(errorsOf(createKeyInputSchema, { ...validCreate, scopes: undefined })).toEqual({
      scopes: [MESSAGES.scopeRequired],
    });
    expect(errorsOf(createKeyInputSchema, { ...validCreate, scopes: ["publish"] })).toEqual({
      "scopes.0": ['Unknown scope: use "push", "update" or "unlist".'],
    });
  });

  it("requires packages or a glob, on the packages field", () => {
    const expected = { packages: [MESSAGES.packagesRequired] };
    expect(errorsOf(createKeyInputSchema, { ...validCreate, packages: [] })).toEqual(expected);
    expect(errorsOf(createKeyInputSchema, { ...validCreate, packages: undefined, glob: "  " })).toEqual(expected);
    expect(createKeyInputSchema.safeParse({ ...validCreate, packages: [], glob: "*" }).success).toBe(true);
  });

  it("shows every form message at once", () => {
    expect(errorsOf(createKeyInputSchema, { name: "", scopes: [], packages: [] })).toEqual({
      name: [MESSAGES.keyNameRequired],
      scopes: [MESSAGES.scopeRequired],
      packages: [MESSAGES.packagesRequired],
    });
  });

  it("limits package ids and their number", () => {
    expect(errorsOf(createKeyInputSchema, { ...validCreate, packages: ["ok", " ", "p".repeat(201)] })).toEqual({
      "packages.1": ["A package ID cannot be empty."],
      "packages.2": ["A package ID must be at most 200 characters."],
    });
    const many = Array.from({ length: 1001 }, (_, i) => `P${i}`);
    expect(errorsOf(createKeyInputSchema, { ...validCreate, packages: many })).toEqual({
      packages: ["At most 1000 packages can be selected."],
    });
    expect(createKeyInputSchema.safeParse({ ...validCreate, packages: many.slice(1) }).success).toBe(true);
  });
});

describe("updateKeyPackagesInputSchema", () => {
  it("accepts packages, a glob or both", () => {
    expect(updateKeyPackagesInputSchema.parse({ id: 3, packages: ["A"] })).toEqual({ id: 3, packages: ["A"], glob: undefined });
    expect(updateKeyPackagesInputSchema.parse({ id: 3, glob: "A.*" })).toEqual({ id: 3, packages: [], glob: "A.*" });
  });

  it("requires packages or a glob, with the same message", () => {
    expect(errorsOf(updateKeyPackagesInputSchema, { id: 3, packages: [], glob: "" })).toEqual({
      packages: [MESSAGES.packagesRequired],
    });
  });

  it("wants a positive whole key id", () => {
    for (const id of [0, -1, 1.5, "3", undefined]) {
      expect(errorsOf(updateKeyPackagesInputSchema, { id, packages: ["A"] })).toEqual({
        id: ["The key ID must be a positive whole number."],
      });
    }
  });
});
