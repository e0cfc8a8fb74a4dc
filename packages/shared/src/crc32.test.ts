import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.ts";

const ascii = (text: string) => new TextEncoder().encode(text);

// Bit-by-bit, straight from the definition, to check the table-driven version.
function crc32Slow(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it.each([
    ["", 0x00000000],
    ["a", 0xe8b7be43],
    ["abc", 0x352441c2],
    ["123456789", 0xcbf43926],
    ["The quick brown fox jumps over the lazy dog", 0x414fa339],
  ])("crc32(%j) is the standard IEEE value", (text, expected) => {
    expect(crc32(ascii(text))).toBe(expected);
  });

  it("is an unsigned 32-bit integer equal to the bitwise definition", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const value = crc32(bytes);
        expect(value).toBe(crc32Slow(bytes));
        expect(Number.isInteger(value) && value >= 0 && value <= 0xffffffff).toBe(true);
      }),
    );
  });
});
