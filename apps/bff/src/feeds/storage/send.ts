// Sends a stored package file as an HTTP answer: Content-Length from the store, single
// byte ranges (206/416) for the handlers that always offered them, and a transfer that
// ends short — a store failing mid-stream, an S3 answer cut off — ends the connection
// rather than passing a short body off as complete (docs/deployment.md).
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Request, Response } from "express";
import { describeError, StorageUnavailable, type ByteRange, type PackageStorage } from "./types.ts";
import { FileStorage } from "./file.ts";

/** Fails the stream when it ends with a different number of bytes than promised. */
export function exactly(length: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.byteLength;
      if (seen > length) return cb(new StorageUnavailable(`${what}: more bytes than the ${length} expected`));
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      cb(seen === length ? null : new StorageUnavailable(`${what}: the store sent ${seen} of ${length} bytes`));
    },
  });
}

type SendOptions = {
  headers: Record<string, string>;
  /** Whether the handler answers Range requests (206, 416). */
  ranges: boolean;
  log: (line: string) => void;
};

/** Throws StorageUnavailable (503) when the file cannot be had; once headers are out, failures end the connection. */
export async function sendStoredFile(req: Request, res: Response, storage: PackageStorage, key: string, opts: SendOptions): Promise<void> {
  const size = await storage.size(key);
  if (size === null) throw missing(storage, key, opts.log);
  let range: ByteRange | undefined;
  if (opts.ranges && req.headers.range) {
    const parsed = req.range(size, { combine: true });
    if (parsed === -1) {
      res.status(416).set("Content-Range", `bytes */${size}`).end();
      return;
    }
    // A malformed header, or several ranges, get the whole file, as express's sendFile did.
    if (Array.isArray(parsed) && parsed.length === 1 && parsed.type === "bytes") range = { start: parsed[0]!.start, end: parsed[0]!.end };
  }
  const length = range ? range.end - range.start + 1 : size;
  if (req.method === "HEAD") {
    res.status(range ? 206 : 200).set(opts.headers);
    if (opts.ranges) res.setHeader("Accept-Ranges", "bytes");
    if (range) res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader("Content-Length", String(length));
    res.end();
    return;
  }
  const got = await storage.get(key, range);
  if (!got) throw missing(storage, key, opts.log);
  res.status(range ? 206 : 200).set(opts.headers);
  if (opts.ranges) res.setHeader("Accept-Ranges", "bytes");
  if (range) res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
  res.setHeader("Content-Length", String(length));
  try {
    await pipeline(got.stream, exactly(length, `${storage.kind} store, file ${key}`), res);
  } catch (e) {
    // pipeline has destroyed the response, so the client sees a broken transfer, not a short file.
    res.destroy();
    const code = (e as NodeJS.ErrnoException).code;
    // The client hung up: nobody to answer, nothing wrong here.
    if (code === "ERR_STREAM_PREMATURE_CLOSE" && req.destroyed) return;
    opts.log(`Package file ${key} could not be sent from the ${storage.kind} store: ${e instanceof StorageUnavailable ? e.detail : describeError(e)}`);
  }
}

function missing(storage: PackageStorage, key: string, log: (line: string) => void): StorageUnavailable {
  log(`Package file ${key} is not in the ${storage.kind} store`);
  return new StorageUnavailable(`file ${key} is not in the ${storage.kind} store`);
}

/**
 * Runs fn over a local copy of the stored file (readers that jump around in a zip need a
 * file): the file itself in a file store, otherwise a temporary copy, streamed, removed after.
 */
export async function withLocalCopy<T>(
  storage: PackageStorage,
  key: string,
  tmpDir: string,
  log: (line: string) => void,
  fn: (localPath: string) => Promise<T>,
): Promise<T> {
  if (storage instanceof FileStorage) {
    if ((await storage.size(key)) === null) throw missing(storage, key, log);
    return fn(storage.pathOf(key));
  }
  const got = await storage.get(key);
  if (!got) throw missing(storage, key, log);
  const dir = tmpDir || os.tmpdir();
  await mkdir(dir, { recursive: true });
  const local = path.join(dir, `${randomBytes(12).toString("hex")}.copy`);
  try {
    try {
      await pipeline(got.stream, exactly(got.size, `${storage.kind} store, file ${key}`), createWriteStream(local, { mode: 0o600 }));
    } catch (e) {
      if (e instanceof StorageUnavailable) throw e;
      throw new StorageUnavailable(`${storage.kind} store, file ${key}: ${describeError(e)}`);
    }
    return await fn(local);
  } finally {
    await rm(local, { force: true });
  }
}
