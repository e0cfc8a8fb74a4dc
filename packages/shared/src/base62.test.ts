import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BASE62_ALPHABET, base62Decode, base62Encode } from "./base62.ts";

describe("base62", () => {
  it("uses 0-9A-Za-z in that order", () => {
    expect(BASE62_ALPHABET).toHaveLength(62);
    expect(new Set(BASE62_ALPHABET).size).toBe(62);
    expect(BASE62_ALPHABET.slice(0, 11)).toBe("0123456789A");
    expect(BASE62_ALPHABET.at(-1)).toBe("z");
  });

  it.each([
    [0, 6, "000000"],
    [61, 2, "0z"],
    [62, 2, "10"],
    [0xffffffff, 6, "4gfFC3"],
    [62 ** 6 - 1, 6, "zzzzzz"],
  ])("base62Encode(%d, %d) = %s", (n, width, expected) => {
    expect(base62Encode(n, width)).toBe(expected);
  });

  it("refuses values that do not fit, and non-integers", () => {
    expect(() => base62Encode(62 ** 6, 6)).toThrow(RangeError);
    expect(() => base62Encode(-1, 6)).toThrow(RangeError);
    expect(() => base62Encode(1.5, 6)).toThrow(RangeError);
    expect(() => base62Encode(1, 0)).toThrow(RangeError);
  });

  it("decodes what it encodes, at fixed width", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const text = base62Encode(n, 6);
        expect(text).toHaveLength(6);
        expect(base62Decode(text)).toBe(n);
      }),
    );
  });

  it("decodes only base62", () => {
    expect(base62Decode("")).toBeNull();
    expect(base62Decode("ab-c")).toBeNull();
    expect(base62Decode("zz")).toBe(62 * 62 - 1);
  });
});
