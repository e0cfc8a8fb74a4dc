// STORAGE_URL=file:PATH: package files in a local folder. A file is written to a temporary
// name, flushed to disk and renamed into place, so a reader never sees half a file and a
// crash leaves at most a stray temporary file (removed by the orphan sweep).
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Digesting } from "./digest.ts";
import { checkKey } from "./keys.ts";
import { describeError, StorageUnavailable, type ByteRange, type ListedFile, type PackageStorage, type StoredFile, type StoredStream } from "./types.ts";

const TMP = ".tmp";

export class FileStorage implements PackageStorage {
  readonly kind = "file" as const;
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    const abs = path.resolve(this.root, checkKey(key));
    if (!abs.startsWith(path.resolve(this.root) + path.sep)) throw new Error("package path escapes the store");
    return abs;
  }

  async put(key: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredFile> {
    const abs = this.pathOf(key);
    const tmp = path.join(this.root, TMP, `${randomBytes(12).toString("hex")}.part`);
    const digest = new Digesting();
    try {
      await mkdir(path.dirname(abs), { recursive: true });
      await mkdir(path.dirname(tmp), { recursive: true });
    } catch (e) {
      throw new StorageUnavailable(`file store ${this.root}: ${describeError(e)}`);
    }
    const fh = await open(tmp, "wx", 0o640);
    try {
      for await (const chunk of digest.pass(source)) await fh.write(chunk);
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
    return digest.result(key);
  }

  async get(key: string, range?: ByteRange): Promise<StoredStream | null> {
    let fh;
    try {
      fh = await open(this.pathOf(key), "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new StorageUnavailable(`file store ${this.root}: ${describeError(e)}`);
    }
    const size = (await fh.stat()).size;
    const stream = fh.createReadStream(range ? { start: range.start, end: range.end } : {});
    return { stream, size };
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new StorageUnavailable(`file store ${this.root}: ${describeError(e)}`);
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(prefix = ""): AsyncIterable<ListedFile> {
    const walk = async function* (dir: string, rel: string): AsyncGenerator<ListedFile> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
        throw e;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const key = rel ? `${rel}/${entry.name}` : entry.name;
        if (!rel && entry.name === TMP) continue;
        if (entry.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk(path.join(dir, entry.name), key);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const s = await stat(path.join(dir, entry.name)).catch(() => null);
          if (s) yield { key, size: s.size, modifiedAt: s.mtime };
        }
      }
    };
    yield* walk(this.root, "");
  }

  async dropAbandoned(olderThan: Date): Promise<number> {
    const dir = path.join(this.root, TMP);
    let dropped = 0;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const s = await stat(path.join(dir, name)).catch(() => null);
      if (s && s.mtime < olderThan) {
        await rm(path.join(dir, name), { force: true });
        dropped++;
      }
    }
    return dropped;
  }

  async close(): Promise<void> {}
}
