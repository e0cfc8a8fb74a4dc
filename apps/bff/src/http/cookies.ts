import type { CookieOptions, Request } from "express";

/** httpOnly, SameSite=Lax, and Secure whenever the app is reached over https. */
export function sessionCookieOptions(req: Request | undefined, expires?: Date): CookieOptions {
  return { httpOnly: true, sameSite: "lax", secure: req?.secure ?? false, path: "/", ...(expires ? { expires } : {}) };
}
