// Text the access log stores must be text both databases take: PostgreSQL refuses a NUL
// in a text value (and so the whole INSERT it is part of), and a string holding half a
// UTF-16 surrogate pair is not UTF-8 at all. Request bodies are bytes that claim to be
// text; those that are not are shown escaped, so a reader still sees what was sent
// (docs/access-logs.md).
import { isUtf8 } from "node:buffer";

/** Appended to a body in which some bytes had to be escaped. */
export const ESCAPED_NOTE = " [bytes that are not UTF-8 text are shown as \\xNN]";

const NUL_OR_SURROGATE = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string both databases store as it reads: NUL as the four characters \x00, a lone surrogate as U+FFFD. */
export function storableText(text: string): string {
  if (!NUL_OR_SURROGATE.test(text)) return text;
  return text.replace(LONE_SURROGATE, "\uFFFD").replaceAll("\u0000", "\\x00");
}

const hex = (b: number) => `\\x${b.toString(16).toUpperCase().padStart(2, "0")}`;

/** Length of the well-formed UTF-8 sequence at i (Unicode Table 3-7), or 0 when there is none. */
function sequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  if (b < 0x80) return b === 0 ? 0 : 1;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * Bytes as text: UTF-8 as it is, and each NUL or byte that is not part of well-formed
 * UTF-8 as \xNN (escaped tells whether there was any).
 */
export function decodeStorable(bytes: Uint8Array): { text: string; escaped: boolean } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf) && !buf.includes(0)) return { text: buf.toString("utf8"), escaped: false };
  const parts: string[] = [];
  let run = 0;
  let i = 0;
  while (i < buf.length) {
    const n = sequenceAt(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (run < i) parts.push(buf.toString("utf8", run, i));
    parts.push(hex(buf[i]!));
    i++;
    run = i;
  }
  if (run < buf.length) parts.push(buf.toString("utf8", run));
  return { text: parts.join(""), escaped: true };
}

/** The bytes without a UTF-8 sequence that a cut at their end left incomplete. */
export function withoutCutSequence(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back]!;
    if (b < 0x80) return bytes;
    if (b >= 0xc0) {
      const needs = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return needs > back ? bytes.subarray(0, bytes.length - back) : bytes;
    }
  }
  return bytes;
}
