// What the access log stores of a path, a query or a body: secrets removed. The secret
// field names are redact.ts's list (the Native API's Key_Text and Password_Text among
// them); this widens redact.ts in two ways:
//  - anything shaped like a generated key (khk_…) is removed wherever it appears, so a key
//    sent in a place nobody expected (a path segment, an oddly named field) is not kept;
//  - JSON that cannot be parsed (cut short, or malformed) still has its secret-named
//    string properties removed, by pattern, instead of being stored as it came.
import { KEY_PREFIX } from "@keyhouse/shared";
import { isSecretName, REDACTED } from "./redact.ts";

// The prefix followed by any run of base62 characters: generated keys, and mistyped ones.
const KEY_SHAPE = new RegExp(`${KEY_PREFIX}[0-9A-Za-z]+`, "gi");

/** Removes generated-key-shaped text. */
export function scrubKeys(text: string): string {
  return text.replace(KEY_SHAPE, REDACTED);
}

/** Path and query with secret parameters replaced and no key-shaped text. */
export function scrubUrl(originalUrl: string): string {
  const q = originalUrl.indexOf("?");
  if (q < 0) return scrubKeys(originalUrl);
  const params = new URLSearchParams(originalUrl.slice(q + 1));
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (isSecretName(name)) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  return scrubKeys(changed ? `${originalUrl.slice(0, q)}?${params.toString()}` : originalUrl);
}

/** A deep copy with secret fields replaced and key-shaped strings scrubbed; depth- and size-bounded. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[too deep]";
  if (typeof value === "string") return scrubKeys(value);
  if (Array.isArray(value)) return value.slice(0, 1000).map((v) => scrubValue(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubKeys(k)] = isSecretName(k) ? REDACTED : scrubValue(v, depth + 1);
    return out;
  }
  return value;
}

// "name": "value" pairs in text that is not valid JSON.
const JSON_PAIR = /"((?:[^"\\\n]|\\.){1,100})"(\s*:\s*)("(?:[^"\\]|\\.)*("|$)|[^,}\]\s]+)/g;

/** Form-encoded or JSON text with secret fields replaced; any text without key-shaped values. */
export function scrubText(text: string, contentType: string): string {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return scrubUrl(`?${text}`).slice(1);
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return JSON.stringify(scrubValue(JSON.parse(text)));
    } catch {
      return scrubKeys(text.replace(JSON_PAIR, (pair, name: string, colon: string) => (isSecretName(name) ? `"${name}"${colon}"${REDACTED}"` : pair)));
    }
  }
  return scrubKeys(text);
}
