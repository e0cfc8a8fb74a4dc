// What the server answers for an error a route threw, shared by the JSON handler (app.ts) and
// the RubyGems feed's plain-text one (feeds/rubygems/text-responses.ts): an AppError's own
// status, message and headers; a body-parser or format error's 4xx with its message; anything
// else a 500 with a message a person can act on, reported to the log.
import type { Response } from "express";
import { AppError, httpStatusOf } from "../errors.ts";

export const SERVER_FAILED_MESSAGE = "Something went wrong on the server. Try again, and tell an administrator if it keeps happening.";

export type ErrorReplyWording = {
  /** The message for a body over a body parser's limit (the parser's limit when it says). */
  tooLarge: (limit: number | undefined) => string;
  /** The message for a body a JSON parser could not read; without it, the parser's own. */
  notJson?: string;
  /** Reports an unexpected failure (a 500). */
  failed: () => void;
};

/** The status and message to send for `err`; sets the AppError's extra headers on `res`. */
export function errorReply(err: unknown, res: Response, wording: ErrorReplyWording): { status: number; message: string } {
  const type = (err as { type?: string }).type;
  const status = httpStatusOf(err);
  if (err instanceof AppError) {
    for (const [k, v] of Object.entries(err.extra.headers ?? {})) res.setHeader(k, v);
    return { status, message: err.message };
  }
  if (type === "entity.too.large") return { status: 413, message: wording.tooLarge((err as { limit?: number }).limit) };
  if (type === "entity.parse.failed" && wording.notJson !== undefined) return { status: 400, message: wording.notJson };
  // Body-parser and format errors carry a 4xx status and a message meant for the client.
  if (status < 500) return { status, message: (err as Error).message || "The request is not valid." };
  wording.failed();
  return { status: 500, message: SERVER_FAILED_MESSAGE };
}
