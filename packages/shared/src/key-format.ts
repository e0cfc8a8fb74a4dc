import { BASE62_ALPHABET, base62Encode } from "./base62.ts";
import { KEY_PREFIX, MAX_CUSTOM_KEY_LENGTH, MIN_CUSTOM_KEY_LENGTH } from "./constants.ts";
import { crc32 } from "./crc32.ts";
import { randomBytes, utf8 } from "./web-platform.ts";

// 30 base62 characters carry 30 × log2(62) ≈ 178.6 bits, above the 160 bits docs/presenting-keys.md asks for.
export const KEY_RANDOM_LENGTH = 30;
// 62^6 ≈ 5.7e10 > 2^32, so any CRC-32 fits.
export const KEY_CHECKSUM_LENGTH = 6;
export const GENERATED_KEY_LENGTH = KEY_PREFIX.length + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH;

export type KeyFormat = "generated" | "malformed" | "legacy" | "custom";

const GENERATED_SHAPE = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH}}$`);
const GUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRINTABLE_ASCII_NO_SPACE = /^[\x21-\x7e]*$/;

// 248 = 4 × 62: bytes at or above it are thrown away so every character is equally likely.
const UNBIASED_BYTE_LIMIT = 248;

function checksumOf(randomPart: string): string {
  return base62Encode(crc32(utf8(randomPart)), KEY_CHECKSUM_LENGTH);
}

export function generateKeyValue(): string {
  let randomPart = "";
  while (randomPart.length < KEY_RANDOM_LENGTH) {
    // Slightly more than needed, so one round almost always suffices.
    for (const byte of randomBytes(KEY_RANDOM_LENGTH + 8)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      randomPart += BASE62_ALPHABET[byte % 62];
      if (randomPart.length === KEY_RANDOM_LENGTH) break;
    }
  }
  return KEY_PREFIX + randomPart + checksumOf(randomPart);
}

/**
 * Decides, without a database read, how a presented key is to be looked up.
 * "malformed" keys carry our prefix but cannot be ones we issued: reject them at once.
 */
export function checkKeyFormat(value: string): KeyFormat {
  if (value.startsWith(KEY_PREFIX)) {
    if (!GENERATED_SHAPE.test(value)) return "malformed";
    const randomEnd = KEY_PREFIX.length + KEY_RANDOM_LENGTH;
    return checksumOf(value.slice(KEY_PREFIX.length, randomEnd)) === value.slice(randomEnd) ? "generated" : "malformed";
  }
  return GUID_SHAPE.test(value) ? "legacy" : "custom";
}

/**
 * Custom values are for system keys. One that starts with the generated prefix is refused:
 * checkKeyFormat would call it malformed and it could never be used.
 */
export function isValidCustomKey(value: string): boolean {
  return (
    value.length >= MIN_CUSTOM_KEY_LENGTH && value.length <= MAX_CUSTOM_KEY_LENGTH && PRINTABLE_ASCII_NO_SPACE.test(value) && !value.startsWith(KEY_PREFIX)
  );
}

const HINT_EDGE = 4;

/**
 * What is stored and shown instead of the key. For a generated key the last four
 * characters are checksum, so the hint reveals none of its randomness.
 */
export function keyHint(value: string): string {
  // Showing both edges of a very short value would show most of it.
  if (value.length < HINT_EDGE * 4) return "…";
  return `${value.slice(0, HINT_EDGE)}…${value.slice(-HINT_EDGE)}`;
}
