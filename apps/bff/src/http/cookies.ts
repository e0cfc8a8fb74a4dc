import type { CookieOptions, Request } from "express";

/**
 * httpOnly, SameSite=Lax, and Secure whenever the app is reached over https: PUBLIC_URL
 * says https (behind a proxy that ends TLS the request itself arrives over http), or the
 * request came over https.
 */
export function sessionCookieOptions(req: Request | undefined, publicUrl: string | undefined, expires?: Date): CookieOptions {
  const secure = publicUrl?.startsWith("https://") || (req?.secure ?? false);
  return { httpOnly: true, sameSite: "lax", secure, path: "/", ...(expires ? { expires } : {}) };
}
