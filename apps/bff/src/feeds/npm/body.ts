// Request bodies on the npm feed. The app's JSON parser is not applied to feeds: a publish
// carries its tarball base64-encoded inside the JSON, so it gets its own, larger limit,
// and every other write is small.
import express, { type Request, type Response } from "express";
import { AppError, badRequest } from "../../errors.ts";
import { describeBytes } from "../../http/limits.ts";

/** A 250 MB tarball, base64-encoded (4/3), plus room for the manifest and readme. */
export const PUBLISH_BODY_LIMIT = 340 * 1024 * 1024;
/** dist-tag moves, deprecations and unpublish updates are packuments without tarballs. */
export const SMALL_BODY_LIMIT = 16 * 1024 * 1024;

const parsers = new Map<number, ReturnType<typeof express.raw>>();

function rawParser(limit: number) {
  let p = parsers.get(limit);
  if (!p) {
    p = express.raw({ type: () => true, limit });
    parsers.set(limit, p);
  }
  return p;
}

function tooLarge(limit: number): AppError {
  const hint = limit === PUBLISH_BODY_LIMIT ? " (a package tarball of about 250 MB)" : "";
  return new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than the ${describeBytes(limit)} limit of this npm feed${hint}.`);
}

/** The body parsed as JSON; 413 over `limit`, 400 when it is missing or not JSON. */
export async function readJsonBody(req: Request, res: Response, limit: number): Promise<unknown> {
  // body-parser would drain a too-large body before refusing it; a declared length lets us refuse at once.
  const declared = Number(req.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    res.setHeader("Connection", "close");
    throw tooLarge(limit);
  }
  try {
    await new Promise<void>((resolve, reject) => rawParser(limit)(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large") throw tooLarge(limit);
    throw badRequest("The request body could not be read (it was cut short or uses an unsupported encoding).");
  }
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) throw badRequest("The request needs a JSON body.");
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
}
