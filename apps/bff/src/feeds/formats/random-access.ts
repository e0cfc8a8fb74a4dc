// Positional reads over a package, so readers take only the parts they need (a zip's
// central directory, a manifest, tar headers) from an upload on disk, never the whole
// file. Reads are synchronous: each is small (bounded by the readers' limits) and comes
// from a file just written, so from the page cache.
import { createHash } from "node:crypto";
import { closeSync, createReadStream, fstatSync, openSync, readSync } from "node:fs";

export interface RandomAccess {
  readonly size: number;
  /** Up to length bytes from position (fewer only at the end). */
  read(position: number, length: number): Uint8Array;
}

export function bytesAccess(bytes: Uint8Array): RandomAccess {
  return {
    size: bytes.byteLength,
    read: (position, length) => bytes.subarray(Math.max(0, position), Math.max(0, Math.min(bytes.byteLength, position + length))),
  };
}

export function toAccess(input: Uint8Array | RandomAccess): RandomAccess {
  return input instanceof Uint8Array ? bytesAccess(input) : input;
}

export class RandomAccessFile implements RandomAccess {
  readonly size: number;
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  static open(path: string): RandomAccessFile {
    return new RandomAccessFile(path, openSync(path, "r"));
  }

  read(position: number, length: number): Uint8Array {
    if (this.fd === null) throw new Error("read after close");
    const start = Math.max(0, position);
    const want = Math.max(0, Math.min(length, this.size - start));
    const out = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, out, got, want - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Opens the file, runs fn over it and closes it again whatever happens. */
export async function withFile<T>(path: string, fn: (file: RandomAccessFile) => T | Promise<T>): Promise<T> {
  const file = RandomAccessFile.open(path);
  try {
    return await fn(file);
  } finally {
    file.close();
  }
}

/** Digests (hex) of length bytes of a file from start, read as a stream. */
export async function hashFileRange(path: string, start: number, length: number, algorithms: readonly string[]): Promise<Record<string, string>> {
  const hashes = algorithms.map((a) => createHash(a));
  if (hashes.length && length > 0) {
    for await (const chunk of createReadStream(path, { start, end: start + length - 1 })) for (const h of hashes) h.update(chunk as Buffer);
  }
  return Object.fromEntries(algorithms.map((a, i) => [a, hashes[i]!.digest("hex")]));
}
