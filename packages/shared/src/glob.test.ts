import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GLOB_PATTERN_CHARS, invalidGlobChars, isValidGlob, matchesAnyPackage, matchesGlob } from "./glob.ts";

// Ids built from the characters that matter: regex syntax, case pairs, the wildcard itself.
const idChar = fc.constantFrom(..."aAbBzZ09.-_@/+()[]{}^$|?\\*# ");
const packageId = fc.string({ unit: idChar, maxLength: 12 });
const literalGlob = fc.string({ unit: fc.constantFrom(..."aAbBzZ09.-_@/+()[]{}^$|?\\# "), maxLength: 12 });

const swapCase = (text: string) => [...text].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join("");

describe("GLOB_PATTERN_CHARS and invalidGlobChars", () => {
  it("allows letters, digits, '.', '-', '_', '*', '@' and '/'", () => {
    for (const ch of "azAZ09.-_*@/") expect(GLOB_PATTERN_CHARS.test(ch), ch).toBe(true);
    for (const ch of " #+?()[]\\$^|é\t") expect(GLOB_PATTERN_CHARS.test(ch), ch).toBe(false);
    expect(GLOB_PATTERN_CHARS.test("ab")).toBe(false);
  });

  it("lists each offending character once, in order of appearance", () => {
    expect(invalidGlobChars("Contoso.*")).toEqual([]);
    expect(invalidGlobChars("@contoso/*")).toEqual([]);
    expect(invalidGlobChars("a#b c#d ")).toEqual(["#", " "]);
    expect(invalidGlobChars("x?y(z)")).toEqual(["?", "(", ")"]);
  });

  it("isValidGlob wants a non-empty pattern of allowed characters", () => {
    expect(isValidGlob("Contoso.*")).toBe(true);
    expect(isValidGlob("")).toBe(false);
    expect(isValidGlob("a b")).toBe(false);
  });
});

describe("matchesGlob", () => {
  it.each([
    ["Contoso.*", "Contoso.Core", true],
    ["contoso.*", "CONTOSO.WEB", true],
    ["Contoso.*", "Contoso", false],
    ["Contoso.*", "ContosoXCore", false],
    ["*.Core", "Contoso.Core", true],
    ["*.Core", "Contoso.Core.Extra", false],
    ["Con*.*Data", "Contoso.Data", true],
    ["Con*.*Data", "Contoso.Data.Data", true],
    ["@contoso/*", "@contoso/core", true],
    ["@contoso/*", "@fabrikam/core", false],
    ["*", "", true],
    ["**", "anything", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXcYYb", false],
    ["", "", true],
    ["", "a", false],
  ])("matchesGlob(%j, %j) is %s", (glob, id, expected) => {
    expect(matchesGlob(glob, id)).toBe(expected);
  });

  it("a glob without '*' matches only its own text, in any case", () => {
    fc.assert(
      fc.property(literalGlob, packageId, (glob, id) => {
        expect(matchesGlob(glob, id)).toBe(glob.toLowerCase() === id.toLowerCase());
        expect(matchesGlob(glob, swapCase(glob))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("'*' matches everything", () => {
    fc.assert(fc.property(fc.string(), (id) => matchesGlob("*", id)));
  });

  it("prefix* matches exactly the ids starting with prefix, in any case", () => {
    fc.assert(
      fc.property(literalGlob, packageId, (prefix, id) => {
        expect(matchesGlob(`${prefix}*`, id)).toBe(id.toLowerCase().startsWith(prefix.toLowerCase()));
        expect(matchesGlob(`${prefix}*`, swapCase(prefix) + id)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("*suffix matches exactly the ids ending with suffix", () => {
    fc.assert(
      fc.property(literalGlob, packageId, (suffix, id) => {
        expect(matchesGlob(`*${suffix}`, id)).toBe(id.toLowerCase().endsWith(suffix.toLowerCase()));
      }),
      { numRuns: 1000 },
    );
  });

  it("agrees with an escaped, anchored, case-insensitive RegExp on any input", () => {
    const reference = (glob: string, id: string) => {
      const source = glob
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
        .join("[\\s\\S]*");
      return new RegExp(`^${source}$`, "i").test(id);
    };
    fc.assert(
      fc.property(fc.string({ unit: idChar, maxLength: 10 }), packageId, (glob, id) => {
        expect(matchesGlob(glob, id)).toBe(reference(glob, id));
      }),
      { numRuns: 2000 },
    );
  });

  it("stays fast on patterns that make naive regex engines backtrack", () => {
    const started = Date.now();
    expect(matchesGlob(`${"*a".repeat(60)}b`, "a".repeat(200))).toBe(false);
    expect(Date.now() - started).toBeLessThan(200);
  });
});

describe("matchesAnyPackage", () => {
  it("matches explicit ids case-insensitively, or any glob", () => {
    expect(matchesAnyPackage("contoso.core", ["Contoso.Core"], [])).toBe(true);
    expect(matchesAnyPackage("Contoso.Web", ["Contoso.Core"], [])).toBe(false);
    expect(matchesAnyPackage("Contoso.Web", ["Contoso.Core"], ["*.web"])).toBe(true);
  });

  it("denies by default: no packages and no globs match nothing", () => {
    fc.assert(fc.property(fc.string(), (id) => !matchesAnyPackage(id, [], [])));
  });

  it("explicit ids are never globs", () => {
    expect(matchesAnyPackage("Contoso.Core", ["Contoso.*"], [])).toBe(false);
    expect(matchesAnyPackage("ContosoXCore", ["Contoso.Core"], [])).toBe(false);
  });
});
