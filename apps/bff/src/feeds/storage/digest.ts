// Digests and size taken while a file streams into a store, so nothing reads it twice.
import { createHash } from "node:crypto";

export class Digesting {
  private readonly sha512 = createHash("sha512");
  private readonly sha256 = createHash("sha256");
  size = 0;

  async *pass(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.sha512.update(chunk);
      this.sha256.update(chunk);
      this.size += chunk.byteLength;
      yield chunk;
    }
  }

  result(key: string) {
    return { key, size: this.size, sha512: this.sha512.digest("base64"), sha256: this.sha256.digest("hex") };
  }
}

/** Re-cuts a stream into pieces of exactly `size` bytes (the last may be shorter), holding at most one piece. */
export async function* fixedChunks(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let buf = Buffer.allocUnsafe(size);
  let used = 0;
  for await (const chunk of source) {
    let off = 0;
    while (off < chunk.byteLength) {
      const n = Math.min(size - used, chunk.byteLength - off);
      buf.set(chunk.subarray(off, off + n), used);
      used += n;
      off += n;
      if (used === size) {
        yield buf;
        buf = Buffer.allocUnsafe(size);
        used = 0;
      }
    }
  }
  if (used > 0) yield buf.subarray(0, used);
}
