// Where a request may present a key (docs/presenting-keys.md). A key anywhere else is ignored; two
// different keys in one request are refused, so there is never a doubt which one acted.
import { AppError } from "../errors.ts";

export type FeedKind = "nuget" | "npm" | "rubygems";
export type Surface = { kind: "feed"; feed: FeedKind; read: boolean } | { kind: "api" };

/** The parts of a request that can carry a key; Express requests fit it. */
export type KeyCarrier = {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  body?: unknown;
};

export type PresentedKey = { value: string; source: string };

function header(req: KeyCarrier, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() || undefined;
}

function basicCredentials(authorization: string | undefined): { user: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function contentTypeIs(req: KeyCarrier, type: string): boolean {
  return (header(req, "content-type") ?? "").split(";")[0]!.trim().toLowerCase() === type;
}

function stringProp(obj: unknown, name: string): string | undefined {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj) || !Object.hasOwn(obj, name)) return undefined;
  const v = (obj as Record<string, unknown>)[name];
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

function candidates(req: KeyCarrier, surface: Surface): PresentedKey[] {
  const found: PresentedKey[] = [];
  const add = (value: string | undefined, source: string) => value && found.push({ value, source });
  const authorization = header(req, "authorization");
  const basic = basicCredentials(authorization);

  if (surface.kind === "api") {
    add(header(req, "x-apikey"), "the X-ApiKey header");
    add(stringProp(req.query, "key"), "the key query parameter");
    if (contentTypeIs(req, "application/x-www-form-urlencoded")) add(stringProp(req.body, "key"), "the key form field");
    if (contentTypeIs(req, "application/json")) add(stringProp(req.body, "API_Key"), "the API_Key JSON property");
    return found;
  }
  if (surface.feed === "nuget") add(header(req, "x-nuget-apikey"), "the X-NuGet-ApiKey header");
  if (surface.feed === "npm") {
    add(/^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1], "the Authorization: Bearer header");
    if (basic) add(basic.password, "Basic authentication");
  }
  if (surface.feed === "rubygems" && authorization && !/^(Basic|Bearer)\s/i.test(authorization)) add(authorization, "the Authorization header");
  if (surface.feed !== "npm" && surface.read && basic?.user === "api") add(basic.password, "Basic authentication (user api)");
  return found;
}

/**
 * The one key the request presents, or null. Throws 400 when it presents two different keys.
 * Records nothing: the gates use takePresentedKey (http/request-key.ts), which also notes an
 * ambiguous request for the access log.
 */
export function findPresentedKey(req: KeyCarrier, surface: Surface): PresentedKey | null {
  const found = candidates(req, surface);
  const distinct = [...new Map(found.map((k) => [k.value, k])).values()];
  if (distinct.length > 1) {
    throw new AppError(
      "BAD_REQUEST",
      `The request presents two different API keys (in ${distinct[0]!.source} and ${distinct[1]!.source}). Send exactly one key.`,
    );
  }
  return distinct[0] ?? null;
}

/** How to present a key on a surface, for 401 answers. */
export function acceptedWays(surface: Surface): string {
  if (surface.kind === "api") {
    return "the X-ApiKey header, the key query parameter, a key form field (application/x-www-form-urlencoded) or an API_Key property in a JSON body (application/json)";
  }
  const basic = 'Basic authentication with user name "api" and the key as password';
  switch (surface.feed) {
    case "nuget":
      return surface.read ? `the X-NuGet-ApiKey header or ${basic}` : "the X-NuGet-ApiKey header";
    case "npm":
      return "an Authorization: Bearer header (npm's _authToken) or Basic authentication";
    case "rubygems":
      return surface.read ? `the Authorization header or ${basic}` : "the Authorization header";
  }
}
