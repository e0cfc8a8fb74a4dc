import { describe, expect, it } from "vitest";
import { adminUpdateScopedKeyInputSchema, createSystemKeyFormSchema, createSystemKeyInputSchema } from "./system-key-schema.ts";

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);

describe("createSystemKeyFormSchema", () => {
  it("requires a description, blank or missing alike, while the API schema does not", () => {
    for (const description of [undefined, null, "", "   "]) {
      expect(issues(createSystemKeyFormSchema.safeParse({ apis: ["feeds"], description }))).toEqual(["description: A description is required."]);
      expect(createSystemKeyInputSchema.safeParse({ apis: ["feeds"], description }).success).toBe(true);
    }
    expect(createSystemKeyFormSchema.parse({ apis: ["feeds"], description: "  CI mirror " }).description).toBe("CI mirror");
  });
});

describe("adminUpdateScopedKeyInputSchema", () => {
  it("keeps the expiry when none is chosen and takes one of the wizard's lifetimes", () => {
    expect(adminUpdateScopedKeyInputSchema.parse({ id: 3, glob: "Contoso.*" })).toEqual({ id: 3, packages: [], glob: "Contoso.*" });
    expect(adminUpdateScopedKeyInputSchema.parse({ id: 3, expiresInDays: "", glob: "a" }).expiresInDays).toBeUndefined();
    expect(adminUpdateScopedKeyInputSchema.parse({ id: 3, expiresInDays: 30, packages: ["A"] }).expiresInDays).toBe(30);
    expect(issues(adminUpdateScopedKeyInputSchema.safeParse({ id: 3, expiresInDays: 31, glob: "a" }))).toEqual([
      "expiresInDays: Choose one of 1, 30, 90, 180, 270 or 365 days.",
    ]);
  });
  it("still needs packages or a glob, and a whole positive id", () => {
    expect(issues(adminUpdateScopedKeyInputSchema.safeParse({ id: 3, packages: [], glob: " " }))).toEqual([
      "packages: Either a glob pattern must be specified or at least one package must be selected.",
    ]);
    expect(issues(adminUpdateScopedKeyInputSchema.safeParse({ id: 0, glob: "a" }))).toEqual(["id: The key ID must be a positive whole number."]);
  });
});
