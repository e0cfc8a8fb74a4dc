import { generateKeyValue } from "@keyhouse/shared";

/**
 * A generated key with one checksum character changed: the shape of a mistyped key,
 * refused without a database read. Made at run time, so no key-shaped value is ever
 * written into the source (secret scanners rightly flag those).
 */
export function mistypedKeyValue(): string {
  const value = generateKeyValue();
  return value.slice(0, -1) + (value.endsWith("A") ? "B" : "A");
}
