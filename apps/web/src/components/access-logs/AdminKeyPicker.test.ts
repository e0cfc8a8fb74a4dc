import { describe, expect, it } from "vitest";
import { keyChoiceText, typedKeyId } from "./AdminKeyPicker";

describe("typedKeyId", () => {
  it("takes a whole positive number, with or without #, as a key id", () => {
    expect(typedKeyId("12")).toBe(12);
    expect(typedKeyId(" #7 ")).toBe(7);
  });
  it("takes nothing else: names, hints, zero, fractions, huge numbers", () => {
    for (const text of ["", "CI push", "khk_…Ab12", "0", "1.5", "-3", "12a", "1234567890"]) expect(typedKeyId(text)).toBeUndefined();
  });
});

describe("keyChoiceText", () => {
  it("shows a chosen key by its name and hint", () => {
    expect(keyChoiceText({ id: 3, name: "CI push", hint: "khk_…Ab12" })).toBe("CI push (khk_…Ab12)");
  });
});
