// The gem client prints a response's body as it is, and nothing else of it, so this
// feed answers in plain text, errors included, rather than the server's usual JSON.
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { errorReply } from "../../http/error-reply.ts";
import { describeBytes } from "../../http/limits.ts";
import type { Services } from "../../services.ts";

export function sendText(res: Response, status: number, text: string): void {
  res.status(status).type("text/plain; charset=utf-8").setHeader("Cache-Control", "no-store");
  res.send(text.endsWith("\n") ? text : `${text}\n`);
}

/**
 * A success the gem client will print. It shows no headers, so the expiry warning is
 * repeated in the text, where the publisher will see it.
 */
export function sendSuccess(res: Response, text: string): void {
  const warning = res.getHeader("X-Keyhouse-Warning");
  sendText(res, 200, warning ? `${text}\nWarning: ${String(warning)}` : text);
}

/** Anything under the feed that no route serves (an unknown feed is named as such). */
export function notServed(services: Services): RequestHandler {
  return async (req, res) => {
    await services.feedAccess.feed(String(req.params.feed), "rubygems");
    sendText(res, 404, `Nothing is served at ${req.method} ${req.originalUrl.split("?")[0]} on this RubyGems feed.`);
  };
}

export function textErrors(log: (line: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, message } = errorReply(err, res, {
      // Only small form bodies (yank) go through a body parser; uploads are read by receiveUpload.
      tooLarge: (limit) => (limit ? `The request body is larger than the ${describeBytes(limit)} limit.` : "The request body is too large."),
      failed: () => log(`${req.method} ${req.originalUrl.split("?")[0]} failed: ${(err as Error)?.stack ?? String(err)}`),
    });
    if (res.headersSent) return void res.end();
    sendText(res, status, message);
  };
}
