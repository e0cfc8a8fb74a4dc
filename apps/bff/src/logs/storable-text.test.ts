import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BODY_LOG_LIMIT, frontOf } from "./capture.ts";
import { decodeStorable, storableText, withoutCutSequence } from "./storable-text.ts";

/** No NUL (PostgreSQL refuses it in text), and UTF-8 encodes it without loss (no half surrogate pair). */
const storable = (s: string) => !s.includes("\u0000") && Buffer.from(s, "utf8").toString("utf8") === s;

describe("storableText", () => {
  it("shows NUL as \\x00 and half a surrogate pair as U+FFFD, and leaves everything else as it is", () => {
    expect(storableText("a\u0000b")).toBe("a\\x00b");
    expect(storableText("x\uD800y\uDC00")).toBe("x\uFFFDy\uFFFD");
    expect(storableText("ok 😀 é \t\u0001")).toBe("ok 😀 é \t\u0001");
  });

  it("makes any string storable", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => storable(storableText(s))));
  });
});

describe("decodeStorable", () => {
  it("decodes UTF-8 as it is, without a note", () => {
    expect(decodeStorable(Buffer.from("héllo 😀"))).toEqual({ text: "héllo 😀", escaped: false });
  });

  it("shows NUL and each byte that is not well-formed UTF-8 as \\xNN, keeping the text around them", () => {
    const bytes = Buffer.concat([
      Buffer.from("a"),
      Buffer.from([0x00, 0xff, 0xc3]),
      Buffer.from("(é"),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf0, 0x9f, 0x98]),
    ]);
    // 0xC3 without its continuation, an encoded surrogate (ED A0 80), and an emoji cut short.
    expect(decodeStorable(bytes)).toEqual({ text: "a\\x00\\xFF\\xC3(é\\xED\\xA0\\x80\\xF0\\x9F\\x98", escaped: true });
  });

  it("turns any bytes into storable text from which the bytes can be read back", () => {
    // Without backslashes, so that every \xNN in the text is an escape.
    const bytesWithoutBackslash = fc.uint8Array({ maxLength: 300 }).map((b) => b.map((x) => (x === 0x5c ? 0x41 : x)));
    fc.assert(
      fc.property(bytesWithoutBackslash, (bytes) => {
        const { text, escaped } = decodeStorable(bytes);
        expect(storable(text)).toBe(true);
        const back = text
          .split(/(\\x[0-9A-F]{2})/)
          .map((part) => (/^\\x[0-9A-F]{2}$/.test(part) ? Buffer.from([parseInt(part.slice(2), 16)]) : Buffer.from(part)));
        expect(Buffer.concat(back).equals(Buffer.from(bytes))).toBe(true);
        expect(escaped).toBe(text !== Buffer.from(bytes).toString("utf8") || bytes.includes(0));
      }),
    );
  });
});

describe("withoutCutSequence", () => {
  it("drops only a sequence a cut left incomplete", () => {
    const emoji = Buffer.from("ab😀");
    for (let end = 3; end < emoji.length; end++) expect(Buffer.from(withoutCutSequence(emoji.subarray(0, end))).toString()).toBe("ab");
    expect(Buffer.from(withoutCutSequence(emoji)).toString()).toBe("ab😀");
    expect(Buffer.from(withoutCutSequence(Buffer.from("é"))).toString()).toBe("é");
    expect(Buffer.from(withoutCutSequence(Buffer.from("é").subarray(0, 1)))).toHaveLength(0);
  });
});

describe("frontOf (response capture)", () => {
  it("takes at most the room left of a chunk, encoding only the front of a long string", () => {
    const long = "é".repeat(5_000_000);
    const front = frontOf(long, "utf8", 7)!;
    expect(front.bytes.toString("utf8")).toBe("ééé\uFFFD");
    expect(front.bytes).toHaveLength(7);
    expect(front.more).toBe(true);
    expect(frontOf("00ff10ab", "hex", 3)).toEqual({ bytes: Buffer.from([0x00, 0xff, 0x10]), more: true });
    expect(frontOf("aGk=", "base64", 10)).toEqual({ bytes: Buffer.from("hi"), more: false });
    const big = new Uint8Array(1_000_000).fill(0x61);
    const kept = frontOf(big, undefined, BODY_LOG_LIMIT)!;
    expect(kept.bytes).toHaveLength(BODY_LOG_LIMIT);
    expect(kept.more).toBe(true);
    // A copy: the response's own buffer is not held until the entry is written.
    expect(kept.bytes.buffer).not.toBe(big.buffer);
    expect(frontOf(42, undefined, 10)).toBeNull();
  });
});
