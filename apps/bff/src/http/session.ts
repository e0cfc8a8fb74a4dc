// The signed-in user of a request, from the session cookie: shared by tRPC's context and
// the plain routes that take a session (the access-log exports).
import type { Request } from "express";
import { parse as parseCookies } from "cookie";
import { readSession, SESSION_COOKIE } from "../auth/sessions.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";

export function sessionOfRequest(db: Db, config: Config, req: Request) {
  return readSession(db, parseCookies(req.headers.cookie ?? "")[SESSION_COOKIE], config.secret);
}
