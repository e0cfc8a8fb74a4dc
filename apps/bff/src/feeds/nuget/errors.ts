// NuGet-shaped error answers. nuget.exe shows only the HTTP reason phrase of a failed
// push or delete ("Failed to process request. '…'"), so, as nuget.org does, the reason
// phrase carries the same message as the JSON body. Uploads are read by receiveUpload,
// whose refusals are AppErrors already.
import type { ErrorRequestHandler } from "express";
import { AppError } from "../../errors.ts";
import { FormatError } from "../formats/nuget.ts";

function asAppError(err: unknown): unknown {
  if (err instanceof FormatError) return new AppError("BAD_REQUEST", err.message);
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
