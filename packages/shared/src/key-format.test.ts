import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BASE62_ALPHABET, base62Encode } from "./base62.ts";
import { KEY_PREFIX } from "./constants.ts";
import { crc32 } from "./crc32.ts";
import { GENERATED_KEY_LENGTH, checkKeyFormat, generateKeyValue, isValidCustomKey, keyHint } from "./key-format.ts";

const base62Char = fc.constantFrom(...BASE62_ALPHABET);
const randomPart = fc.string({ unit: base62Char, minLength: 30, maxLength: 30 });
const keyFrom = (random: string) => KEY_PREFIX + random + base62Encode(crc32(new TextEncoder().encode(random)), 6);
const GENERATED = /^khk_[0-9A-Za-z]{36}$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("generateKeyValue", () => {
  it("makes distinct, well-formed keys of 40 characters", () => {
    const keys = Array.from({ length: 2000 }, generateKeyValue);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(key).toHaveLength(GENERATED_KEY_LENGTH);
      expect(GENERATED_KEY_LENGTH).toBe(40);
      expect(key).toMatch(GENERATED);
      expect(checkKeyFormat(key)).toBe("generated");
      expect(key).toBe(keyFrom(key.slice(4, 34)));
    }
  });

  it("draws every base62 character, roughly equally often", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const ch of generateKeyValue().slice(4, 34)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    // 60 000 draws: about 968 each; the bounds are many standard deviations wide.
    expect(counts.size).toBe(62);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1150);
    }
  });

  it("throws bytes of 248 and above away instead of folding them (no modulo bias)", () => {
    const rounds = [
      (bytes: Uint8Array) => bytes.fill(255),
      // 248, 0, 249, 1, 250, 2, …: only the odd-indexed bytes are usable.
      (bytes: Uint8Array) => {
        for (let i = 0; i < bytes.length; i++) bytes[i] = i % 2 === 0 ? 248 + ((i / 2) % 8) : (i - 1) / 2;
      },
      (bytes: Uint8Array) => bytes.fill(247),
    ];
    let call = 0;
    vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(((array: Uint8Array) => {
      rounds[call++]?.(array);
      return array;
    }) as typeof globalThis.crypto.getRandomValues);
    const key = generateKeyValue();
    expect(call).toBe(3);
    // Round two gives 19 characters, round three the rest (247 % 62 = 61, "z").
    expect(key.slice(4, 34)).toBe(`0123456789ABCDEFGHI${"z".repeat(11)}`);
    expect(checkKeyFormat(key)).toBe("generated");
  });
});

describe("checkKeyFormat", () => {
  it("accepts every key whose checksum matches its random part", () => {
    fc.assert(fc.property(randomPart, (random) => checkKeyFormat(keyFrom(random)) === "generated"));
  });

  it("catches every single-character substitution after the prefix", () => {
    for (let k = 0; k < 20; k++) {
      const key = generateKeyValue();
      for (let i = KEY_PREFIX.length; i < key.length; i++) {
        for (const ch of BASE62_ALPHABET) {
          if (ch === key[i]) continue;
          const mutated = key.slice(0, i) + ch + key.slice(i + 1);
          expect(checkKeyFormat(mutated), mutated).toBe("malformed");
        }
      }
    }
  });

  it("never calls a mutated key generated (property)", () => {
    fc.assert(
      fc.property(randomPart, fc.nat({ max: 39 }), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }), (random, position, ch) => {
        const key = keyFrom(random);
        fc.pre(key[position] !== ch);
        const mutated = key.slice(0, position) + ch + key.slice(position + 1);
        const format = checkKeyFormat(mutated);
        expect(format).not.toBe("generated");
        if (position >= KEY_PREFIX.length) expect(format).toBe("malformed");
      }),
      { numRuns: 2000 },
    );
  });

  it("calls a key with the prefix but the wrong shape malformed", () => {
    const key = generateKeyValue();
    expect(checkKeyFormat(KEY_PREFIX)).toBe("malformed");
    expect(checkKeyFormat(key.slice(0, -1))).toBe("malformed");
    expect(checkKeyFormat(`${key}0`)).toBe("malformed");
    expect(checkKeyFormat(`${key.slice(0, 10)}-${key.slice(11)}`)).toBe("malformed");
    expect(checkKeyFormat(`${key} `)).toBe("malformed");
  });

  it("recognises GUIDs as legacy, in either case", () => {
    expect(checkKeyFormat("0f8fad5b-d9cb-469f-a165-70867728950e")).toBe("legacy");
    expect(checkKeyFormat("0F8FAD5B-D9CB-469F-A165-70867728950E")).toBe("legacy");
    expect(checkKeyFormat("{0f8fad5b-d9cb-469f-a165-70867728950e}")).toBe("custom");
    expect(checkKeyFormat("0f8fad5b-d9cb-469f-a165-70867728950")).toBe("custom");
    expect(checkKeyFormat("0f8fad5bd9cb469fa16570867728950e")).toBe("custom");
    expect(checkKeyFormat("0g8fad5b-d9cb-469f-a165-70867728950e")).toBe("custom");
  });

  it("calls anything else custom", () => {
    expect(checkKeyFormat("my-very-own-system-key-value")).toBe("custom");
    expect(checkKeyFormat("KHK_abc")).toBe("custom");
    expect(checkKeyFormat("")).toBe("custom");
  });
});

describe("isValidCustomKey", () => {
  it.each([
    ["a".repeat(20), true],
    ["a".repeat(19), false],
    ["a".repeat(200), true],
    ["a".repeat(201), false],
    ["!#$%&'()*+,-./:;<=>?@[]^_`{|}~0123", true],
    ["twenty characters and a space", false],
    ["tab\tinside-twenty-characters", false],
    ["non-ascii-café-twenty-chars", false],
    ["control\u0001-twenty-characters", false],
    [`${KEY_PREFIX}${"a".repeat(36)}`, false],
  ])("%j → %s", (value, expected) => {
    expect(isValidCustomKey(value)).toBe(expected);
  });
});

describe("keyHint", () => {
  it("shows the first and last four characters", () => {
    expect(keyHint(`khk_${"a".repeat(30)}Ab12`)).toBe("khk_…Ab12");
    expect(keyHint("0f8fad5b-d9cb-469f-a165-70867728950e")).toBe("0f8f…950e");
  });

  it("shows nothing of a value too short to hide", () => {
    expect(keyHint("short")).toBe("…");
  });
});
