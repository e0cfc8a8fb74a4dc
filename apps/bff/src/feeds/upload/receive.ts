// The one way a package upload's body is read (docs/threat-model.md): only after the
// gate (FeedAccess.checkBeforeUpload) let it through, streamed to a temporary file and
// hashed on the way, decoded when it has a Content-Encoding, and cut off at the upload
// limit (MAX_UPLOAD_MB) counted in decoded bytes. Memory stays at a few stream buffers
// whatever the size; the temporary file is removed on every failure and by dispose().
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Request, Response } from "express";
import type { Config } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { describeBytes } from "../../http/limits.ts";
import type { UploadInfo } from "../../logs/capture.ts";

export type ReceivedUpload = { path: string; size: number; sha256: string; dispose(): Promise<void> };

/** Where uploads wait while they are read: inside the data folder, on the package store's disk. */
export function uploadTmpDir(config: Pick<Config, "dataDir">): string {
  return path.join(config.dataDir, "uploads");
}

const DECODERS = {
  gzip: () => createGunzip(),
  "x-gzip": () => createGunzip(),
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
} as const;

export function tooLarge(limitBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `The upload is larger than the ${describeBytes(limitBytes)} limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.`,
  );
}

function decoderFor(req: Request): Transform | null {
  const header = (req.get("content-encoding") ?? "").trim().toLowerCase();
  if (header === "" || header === "identity") return null;
  const make = DECODERS[header as keyof typeof DECODERS];
  if (!make) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      `The upload's Content-Encoding "${header.slice(0, 40)}" is not supported; send it uncompressed or with gzip, deflate or br.`,
    );
  }
  // A stream inflates a piece at a time as the file takes it: a bomb never sits in memory.
  return make();
}

/** Counts bytes through it and fails with 413 past the limit, so nothing past it is ever written. */
class Limit extends Transform {
  bytes = 0;
  readonly hash = createHash("sha256");
  constructor(private readonly limitBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limitBytes) return done(tooLarge(this.limitBytes));
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/**
 * Streams the request body to a temporary file in tmpDir. Throws 413 (over the limit,
 * declared or decoded), 415 (an unknown Content-Encoding), or 400 (an interrupted body,
 * or encoded data that does not decode); then the file is already gone. On success,
 * res.locals.keyhouseUpload describes the upload for the access log.
 */
export async function receiveUpload(req: Request, res: Response, opts: { limitBytes: number; tmpDir: string }): Promise<ReceivedUpload> {
  const { limitBytes, tmpDir } = opts;
  const refuse = (err: AppError): never => {
    // The rest of the body is not wanted: close the connection rather than let Node drain it.
    if (!req.complete) res.setHeader("Connection", "close");
    throw err;
  };
  const declared = req.get("content-length");
  if (declared !== undefined && Number(declared) > limitBytes) refuse(tooLarge(limitBytes));
  let decoder: Transform | null = null;
  try {
    decoder = decoderFor(req);
  } catch (err) {
    refuse(err as AppError);
  }

  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const file = path.join(tmpDir, `${randomBytes(12).toString("hex")}.upload`);
  const dispose = () => rm(file, { force: true });
  // Encoded bytes are bounded too: a body can only inflate, so an encoded one past the limit is over it.
  const raw = new Limit(limitBytes);
  const decoded = decoder ? new Limit(limitBytes) : raw;
  const out = createWriteStream(file, { flags: "wx", mode: 0o600 });
  // The request is piped by hand, not given to pipeline(): on a refusal pipeline would
  // destroy it, and with it the socket the refusal must be answered on.
  const written = pipeline(decoder ? [raw, decoder, decoded, out] : [raw, out]);
  const interrupted = () => {
    if (!req.complete) raw.destroy(new AppError("BAD_REQUEST", "The upload was interrupted before the whole body arrived."));
  };
  req.once("error", interrupted);
  req.once("close", interrupted);
  // The client may have gone already (while the gate or mkdir awaited): then no event comes.
  if (req.destroyed) interrupted();
  req.pipe(raw);
  try {
    await written;
  } catch (err) {
    req.unpipe(raw);
    req.pause();
    // The file may still be opening: removing it before then would leave it behind.
    if (!out.closed) await once(out, "close").catch(() => {});
    await dispose();
    if (err instanceof AppError) refuse(err);
    // zlib's codes start Z_; brotli's are ERR__ERROR_FORMAT_… and ERR_BROTLI_… (found by the HTTP fuzz test).
    if (decoder && /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test((err as { code?: string }).code ?? "")) {
      refuse(new AppError("BAD_REQUEST", `The upload's ${req.get("content-encoding")} data is damaged or incomplete and cannot be decoded.`));
    }
    throw err;
  } finally {
    req.off("error", interrupted);
    req.off("close", interrupted);
  }
  const upload: ReceivedUpload = { path: file, size: decoded.bytes, sha256: decoded.hash.digest("hex"), dispose };
  res.locals.keyhouseUpload = uploadInfo(req, upload);
  return upload;
}

/** How the access log describes an upload: type, size and sha256 only, never its bytes. */
export function uploadInfo(req: Request, upload: { size: number; sha256: string }, type?: string): UploadInfo {
  const mediaType = (req.get("content-type") ?? "").split(";")[0]!.trim().slice(0, 100) || "no content type";
  const encoding = req.get("content-encoding");
  return { type: type ?? (encoding ? `${mediaType} (${encoding.slice(0, 20)}-encoded)` : mediaType), size: upload.size, sha256: upload.sha256 };
}
