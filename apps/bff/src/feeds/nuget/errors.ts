// NuGet-shaped error answers. nuget.exe shows only the HTTP reason phrase of a failed
// push or delete ("Failed to process request. '…'"), so, as nuget.org does, the reason
// phrase carries the same message as the JSON body. Body-reading failures get messages
// that name the package limit rather than the generic API one.
import type { ErrorRequestHandler } from "express";
import { AppError } from "../../errors.ts";
import { FormatError } from "../formats/nuget.ts";
import { tooLarge } from "./push.ts";

function asAppError(err: unknown): unknown {
  if (err instanceof FormatError) return new AppError("BAD_REQUEST", err.message);
  const type = (err as { type?: unknown })?.type;
  if (type === "entity.too.large") return tooLarge();
  if (type === "request.aborted") return new AppError("BAD_REQUEST", "The upload was interrupted before the whole package arrived.");
  if (type === "request.size.invalid") return new AppError("BAD_REQUEST", "The upload is shorter or longer than its Content-Length header says.");
  if (type === "encoding.unsupported") return new AppError("UNSUPPORTED_MEDIA_TYPE", "The upload's Content-Encoding is not supported; send it uncompressed or gzip-compressed.");
  return err;
}

/** A reason phrase may hold only visible ASCII; anything else becomes "?". */
export function reasonPhrase(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, "?").slice(0, 400);
}

export const nugetErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const e = asAppError(err);
  if (e instanceof AppError && e.status < 500 && !res.headersSent) res.statusMessage = reasonPhrase(e.message);
  next(e);
};
