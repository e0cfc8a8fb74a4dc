// The gem client prints a response's body as it is, and nothing else of it, so this
// feed answers in plain text, errors included, rather than the server's usual JSON.
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { AppError, httpStatusOf } from "../../errors.ts";
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
    const type = (err as { type?: string }).type;
    let status = httpStatusOf(err);
    let message: string;
    if (err instanceof AppError) {
      message = err.message;
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) res.setHeader(k, v);
    } else if (type === "entity.too.large") {
      status = 413;
      // Only small form bodies (yank) go through a body parser; uploads are read by receiveUpload.
      const limit = (err as { limit?: number }).limit;
      message = limit ? `The request body is larger than the ${describeBytes(limit)} limit.` : "The request body is too large.";
    } else if (status < 500) {
      // Body-parser and format errors carry a 4xx status and a message meant for the client.
      message = (err as Error).message || "The request is not valid.";
    } else {
      status = 500;
      message = "Something went wrong on the server. Try again, and tell an administrator if it keeps happening.";
      log(`${req.method} ${req.originalUrl.split("?")[0]} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
    if (res.headersSent) return void res.end();
    sendText(res, status, message);
  };
}
