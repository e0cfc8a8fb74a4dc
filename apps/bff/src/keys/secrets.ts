// Keys are never stored: only a peppered HMAC-SHA256 of the value. The pepper is
// derived from KEYHOUSE_SECRET, so a copy of the database alone cannot test guesses.
import { createHmac } from "node:crypto";

const peppers = new Map<string, Buffer>();

function pepperOf(secret: string): Buffer {
  let p = peppers.get(secret);
  if (!p) {
    p = createHmac("sha256", secret).update("keyhouse api-key pepper v1").digest();
    peppers.set(secret, p);
  }
  return p;
}

export function hashKeyValue(value: string, secret: string): string {
  return createHmac("sha256", pepperOf(secret)).update(value).digest("hex");
}
