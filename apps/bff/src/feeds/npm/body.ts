// Request bodies on the npm feed, read only after the upload gate (FeedAccess.checkBeforeUpload)
// let the request through (docs/threat-model.md). A PUT to /{name} may be a publish, whose
// JSON carries the tarball base64-encoded: it streams to a temporary file (receiveUpload)
// and is parsed from there without being held (npm-publish-stream.ts). Every other write
// is a small JSON document, buffered under a small cap counted in decoded bytes, and
// parsed under the same memory cap as a publish's manifest.
import express, { type Request, type Response } from "express";
import type { Config } from "../../config.ts";
import { AppError, badRequest } from "../../errors.ts";
import { describeBytes } from "../../http/limits.ts";
import { FormatError } from "../formats/errors.ts";
import { parseCappedJson, readPublishBody, TooLargeError, type PublishBody } from "../formats/npm-publish-stream.ts";
import { receiveUpload, uploadTmpDir } from "../upload/receive.ts";

/**
 * The JSON of a packument PUT other than the tarball's data (manifest, readme, dist-tags;
 * for a deprecation or an unpublish, the whole packument) is held in memory: this much at
 * most, counting what its values cost beyond their text.
 */
export const PACKUMENT_JSON_LIMIT = 4 * 1024 * 1024;

/** dist-tag moves and unpublish updates are packuments or strings without tarballs. */
export const SMALL_BODY_LIMIT = PACKUMENT_JSON_LIMIT;

/** A tarball of MAX_UPLOAD_MB, base64-encoded (4/3), plus the JSON around it. */
export function publishBodyLimit(config: Pick<Config, "maxUploadBytes">): number {
  return Math.ceil(config.maxUploadBytes / 3) * 4 + PACKUMENT_JSON_LIMIT;
}

/**
 * PUT /{name}: the body streamed to disk, then parsed with each attachment decoded to its
 * own file. The caller must dispose() the result. Answers 413 past the limits and 400 for
 * a body that is not JSON, not base64 where a tarball should be, or cut short.
 */
export async function readPackumentPut(req: Request, res: Response, config: Pick<Config, "maxUploadBytes" | "dataDir">): Promise<PublishBody> {
  const limitBytes = publishBodyLimit(config);
  const tmpDir = uploadTmpDir(config);
  let upload;
  try {
    upload = await receiveUpload(req, res, { limitBytes, tmpDir });
  } catch (err) {
    if (err instanceof AppError && err.code === "PAYLOAD_TOO_LARGE") {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The request body is larger than the ${describeBytes(limitBytes)} limit of this npm feed (a package tarball of ${describeBytes(config.maxUploadBytes)} (MAX_UPLOAD_MB), base64-encoded, with its manifest), counted after its Content-Encoding is decoded.`,
      );
    }
    throw err;
  }
  try {
    return await readPublishBody(upload.path, { tmpDir, maxJsonBytes: PACKUMENT_JSON_LIMIT, maxAttachmentBytes: config.maxUploadBytes });
  } catch (err) {
    if (err instanceof TooLargeError) throw new AppError("PAYLOAD_TOO_LARGE", err.message);
    if (err instanceof FormatError) throw badRequest(err.message);
    throw err;
  } finally {
    await upload.dispose();
  }
}

const parsers = new Map<number, ReturnType<typeof express.raw>>();

function rawParser(limit: number) {
  let p = parsers.get(limit);
  if (!p) {
    // body-parser inflates a Content-Encoding and counts the limit in decoded bytes.
    p = express.raw({ type: () => true, limit });
    parsers.set(limit, p);
  }
  return p;
}

function tooLarge(limit: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than the ${describeBytes(limit)} limit of this npm feed.`);
}

/** A small body parsed as JSON; 413 over `limit` (decoded bytes), 400 when it is missing or not JSON. */
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
    if (!req.complete) res.setHeader("Connection", "close");
    if (type === "entity.too.large") throw tooLarge(limit);
    throw badRequest("The request body could not be read (it was cut short or uses an unsupported encoding).");
  }
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) throw badRequest("The request needs a JSON body.");
  try {
    return parseCappedJson(raw, PACKUMENT_JSON_LIMIT);
  } catch (err) {
    if (err instanceof TooLargeError) throw new AppError("PAYLOAD_TOO_LARGE", err.message);
    if (err instanceof FormatError) throw badRequest(err.message);
    throw err;
  }
}
