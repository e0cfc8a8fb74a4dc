// Where package files live (STORAGE_URL, docs/configuration.md): one small interface over
// a local folder, chunked database rows and S3. Files go in and out as streams, so no
// store ever holds a whole package in memory.
import type { Readable } from "node:stream";
import { AppError } from "../../errors.ts";

export type StoredFile = { key: string; size: number; sha512: string; sha256: string };

/** Inclusive byte positions, as HTTP ranges count them. */
export type ByteRange = { start: number; end: number };

export type StoredStream = {
  stream: Readable;
  /** The whole file's size (not the range's). */
  size: number;
};

export type ListedFile = { key: string; size: number; modifiedAt: Date };

export interface PackageStorage {
  /** "file", "database" or "s3": for logs and messages, never holding a secret. */
  readonly kind: StorageLocation["kind"];
  /** Stores the bytes under key (replacing a file already there) once they are all durable; answers their size and digests. */
  put(key: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredFile>;
  /** The file (or the range of it) as a stream; null when there is no such file. */
  get(key: string, range?: ByteRange): Promise<StoredStream | null>;
  size(key: string): Promise<number | null>;
  /** Deleting a file that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored file whose key starts with prefix, for the orphan sweep and copies. */
  list(prefix?: string): AsyncIterable<ListedFile>;
  /** Removes writes that never finished (a crash mid-upload) older than the cut-off; answers how many. */
  dropAbandoned(olderThan: Date): Promise<number>;
  close(): Promise<void>;
}

export type StorageLocation =
  | { kind: "file"; root: string }
  | { kind: "database" }
  | { kind: "s3"; bucket: string; prefix: string; endpoint: string | undefined; region: string; forcePathStyle: boolean };

export const UNAVAILABLE_MESSAGE = "The package file is not available right now; try again shortly.";

/**
 * The store could not be reached, failed, or does not hold a file a version row names:
 * answered 503 with a message (docs/deployment.md), never 500, and never as a half-written
 * version. `detail` is for the server's log only.
 */
export class StorageUnavailable extends AppError {
  constructor(
    readonly detail: string,
    message = UNAVAILABLE_MESSAGE,
  ) {
    super("UNAVAILABLE", message, { retryAfterSeconds: 5 });
  }
}

export function describeError(e: unknown): string {
  const err = e as { name?: string; message?: string; code?: string };
  return `${err?.name ?? "Error"}${err?.code ? ` ${err.code}` : ""}: ${String(err?.message ?? e).split("\n")[0]}`;
}
