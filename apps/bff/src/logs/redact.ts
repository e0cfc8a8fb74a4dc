// Secrets never reach the access log: query parameters and body fields that carry keys,
// passwords or tokens are replaced, whatever their case or nesting.
const SECRET_NAME = /^(key|api_?key|apikey|x-?api-?key|x-?nuget-?apikey|password|pass|passwd|secret|token|_?auth_?token|authtoken|_auth|authorization|access_?token|refresh_?token|client_?secret|gem_host_api_key)$/i;
export const REDACTED = "[redacted]";

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
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
