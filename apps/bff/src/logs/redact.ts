// Secrets never reach the access log: query parameters and body fields that carry keys,
// passwords or tokens are replaced, whatever their case or nesting.

/**
 * The one list of names whose values are secrets; scrub.ts (what the access log stores)
 * uses it too. Written as compared: lower case, without "_" and "-", so "API_Key",
 * "apiKey" and "X-Api-Key" all match whatever way a client spells them.
 */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set([
  // Where keys are presented (PRODUCT §4), by feeds, clients and the Native API.
  "key",
  "apikey",
  "xapikey",
  "xnugetapikey",
  "gemhostapikey",
  // The Native API's arguments that carry a key value or a password.
  "keytext",
  "apikeytext",
  "customkey",
  "passwordtext",
  // Passwords.
  "password",
  "pass",
  "passwd",
  "newpassword",
  "currentpassword",
  "oldpassword",
  // Tokens: npm's _authToken and _auth, OAuth-style ones, one-time passwords.
  "token",
  "authtoken",
  "auth",
  "authorization",
  "accesstoken",
  "refreshtoken",
  "npmtoken",
  "otp",
  // Other secrets.
  "secret",
  "clientsecret",
  "secretkey",
  "privatekey",
]);

export const REDACTED = "[redacted]";

export function isSecretName(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name.toLowerCase().replace(/[-_]/g, ""));
}

/** Path and query with secret parameters replaced. */
export function redactUrl(originalUrl: string): string {
  const q = originalUrl.indexOf("?");
  if (q < 0) return originalUrl;
  const params = new URLSearchParams(originalUrl.slice(q + 1));
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (isSecretName(name)) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? `${originalUrl.slice(0, q)}?${params.toString()}` : originalUrl;
}

/** A deep copy with secret fields replaced; depth- and size-bounded. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[too deep]";
  if (Array.isArray(value)) return value.slice(0, 1000).map((v) => redactValue(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) ? REDACTED : redactValue(v, depth + 1);
    return out;
  }
  return value;
}

/** Form-encoded or JSON text with secret fields replaced; other text as it is. */
export function redactText(text: string, contentType: string): string {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return redactUrl(`?${text}`).slice(1);
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return JSON.stringify(redactValue(JSON.parse(text)));
    } catch {
      return text;
    }
  }
  return text;
}
