export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Fixed width, so the checksum always occupies the same tail of a key and a
 * string comparison is enough to verify it.
 */
export function base62Encode(n: number, width: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`base62Encode needs a non-negative safe integer, got ${n}`);
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`base62Encode needs a positive width, got ${width}`);
  let out = "";
  let rest = n;
  for (let i = 0; i < width; i++) {
    out = BASE62_ALPHABET[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  if (rest !== 0) throw new RangeError(`${n} does not fit in ${width} base62 digits`);
  return out;
}

/** null for anything that is not base62 (including the empty string). */
export function base62Decode(text: string): number | null {
  if (text === "") return null;
  let n = 0;
  for (const ch of text) {
    const digit = BASE62_ALPHABET.indexOf(ch);
    if (digit < 0) return null;
    n = n * 62 + digit;
  }
  return Number.isSafeInteger(n) ? n : null;
}
