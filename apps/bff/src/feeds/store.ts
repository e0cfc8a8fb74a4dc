// Package files on local disk. A file is written to a temporary name, flushed to disk
// and renamed into place, so a reader never sees half a file and a crash leaves at
// most a stray temporary file, never a damaged package. Packages arrive as streams (an
// upload's temporary file), so none is ever held whole in memory.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";

export type StoredFile = { path: string; size: number; sha512: string; sha256: string };

export class PackageStore {
  constructor(readonly root: string) {}

  private safeName(s: string): string {
    return s.toLowerCase().replace(/[^a-z0-9._-]+/g, "_").slice(0, 120);
  }

  /** Writes the bytes durably and answers their relative path and digests. */
  write(feed: string, packageId: string, version: string, ext: string, bytes: Uint8Array): Promise<StoredFile> {
    return this.writeStream(feed, packageId, version, ext, [bytes]);
  }

  /** Copies a file (an upload on disk) into the store; see writeStream. */
  writeFile(feed: string, packageId: string, version: string, ext: string, source: string): Promise<StoredFile> {
    return this.writeStream(feed, packageId, version, ext, createReadStream(source));
  }

  /**
   * Writes a stream durably, computing the digests while copying, so a package is never
   * held whole in memory; answers its relative path and digests.
   */
  async writeStream(feed: string, packageId: string, version: string, ext: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredFile> {
    const dir = path.join(this.safeName(feed), this.safeName(packageId));
    // A random part keeps two concurrent pushes of one version from sharing a file.
    const rel = path.join(dir, `${this.safeName(version)}-${randomBytes(6).toString("hex")}.${ext}`);
    const abs = path.join(this.root, rel);
    const tmp = path.join(this.root, ".tmp", `${randomBytes(12).toString("hex")}.part`);
    await mkdir(path.dirname(abs), { recursive: true });
    await mkdir(path.dirname(tmp), { recursive: true });
    const sha512 = createHash("sha512");
    const sha256 = createHash("sha256");
    let size = 0;
    const fh = await open(tmp, "wx", 0o640);
    try {
      for await (const chunk of source) {
        sha512.update(chunk);
        sha256.update(chunk);
        size += chunk.byteLength;
        await fh.write(chunk);
      }
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, abs);
    const dirHandle = await open(path.dirname(abs), "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    return { path: rel, size, sha512: sha512.digest("base64"), sha256: sha256.digest("hex") };
  }

  absolute(rel: string): string {
    const abs = path.resolve(this.root, rel);
    if (!abs.startsWith(path.resolve(this.root) + path.sep)) throw new Error("package path escapes the store");
    return abs;
  }

  async size(rel: string): Promise<number | null> {
    try {
      return (await stat(this.absolute(rel))).size;
    } catch {
      return null;
    }
  }

  read(rel: string): Readable {
    return createReadStream(this.absolute(rel));
  }

  async remove(rel: string): Promise<void> {
    await rm(this.absolute(rel), { force: true });
  }
}
