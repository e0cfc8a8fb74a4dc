// STORAGE_URL=database: package files as chunk rows in the database DATABASE_URL names,
// so every instance sharing that database shares the files. A write inserts its chunks
// one statement at a time under a row marked incomplete and marks it complete last (so a
// long upload never holds a transaction, SQLite's write lock included); readers see only
// complete files. Reads fetch one chunk at a time, so at most one chunk (1 MiB) of a
// package is in memory per transfer. The chunks go through the driver, not Prisma
// (chunk-rows.ts says why).
import { Readable } from "node:stream";
import { isPostgresUrl, type Db } from "../../db/client.ts";
import { chunkRowsFor, type ChunkRows } from "./chunk-rows.ts";
import { Digesting, fixedChunks } from "./digest.ts";
import { checkKey } from "./keys.ts";
import { describeError, StorageUnavailable, type ByteRange, type ListedFile, type PackageStorage, type StoredFile, type StoredStream } from "./types.ts";

export const CHUNK_BYTES = 256 * 1024;

export class DatabaseStorage implements PackageStorage {
  readonly kind = "database" as const;
  private readonly provider: "sqlite" | "postgres";
  private readonly chunks: ChunkRows;
  /** `databaseUrl`: the database `db` is connected to. */
  constructor(
    private readonly db: Db,
    databaseUrl: string,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.provider = isPostgresUrl(databaseUrl) ? "postgres" : "sqlite";
    this.chunks = chunkRowsFor(databaseUrl);
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StorageUnavailable) throw e;
      throw new StorageUnavailable(`database store, ${what}: ${describeError(e)}`);
    }
  }

  async put(key: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredFile> {
    checkKey(key);
    const digest = new Digesting();
    const file = await this.guard("starting a write", () => this.db.packageFile.create({ data: { key, chunkSize: this.chunkBytes }, select: { id: true } }));
    try {
      let seq = 0;
      const chunks = fixedChunks(digest.pass(source), this.chunkBytes);
      for await (const data of chunks) {
        await this.guard("writing a chunk", () => this.chunks.insert(file.id, seq, data));
        seq++;
      }
      await this.guard("completing a write", () =>
        this.db.$transaction(async (tx) => {
          // Two writes of one key completing at once must not both stay: SQLite's transactions
          // already run one at a time (BEGIN IMMEDIATE); PostgreSQL's take a lock on the key.
          if (this.provider === "postgres") await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))::text AS locked`;
          await tx.packageFile.update({ where: { id: file.id }, data: { complete: true, size: digest.size } });
          // Another complete file under the same key is replaced by this one.
          const others = await tx.packageFile.findMany({ where: { key, complete: true, id: { not: file.id } }, select: { id: true } });
          if (others.length > 0) {
            await tx.packageFileChunk.deleteMany({ where: { fileId: { in: others.map((o) => o.id) } } });
            await tx.packageFile.deleteMany({ where: { id: { in: others.map((o) => o.id) } } });
          }
        }),
      );
    } catch (e) {
      await this.dropFile(file.id).catch(() => undefined);
      throw e;
    }
    return digest.result(key);
  }

  private async dropFile(id: number): Promise<void> {
    await this.db.packageFileChunk.deleteMany({ where: { fileId: id } });
    await this.db.packageFile.deleteMany({ where: { id } });
  }

  private current(key: string) {
    return this.db.packageFile.findFirst({ where: { key, complete: true }, orderBy: { id: "desc" }, select: { id: true, size: true, chunkSize: true } });
  }

  async get(key: string, range?: ByteRange): Promise<StoredStream | null> {
    checkKey(key);
    const file = await this.guard("reading", () => this.current(key));
    if (!file) return null;
    const expected = Math.ceil(file.size / file.chunkSize);
    const present = await this.guard("counting chunks", () => this.db.packageFileChunk.count({ where: { fileId: file.id } }));
    if (present !== expected) throw new StorageUnavailable(`database store: file ${key} has ${present} of its ${expected} chunks`);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? file.size - 1, file.size - 1);
    const rows = this.chunks;
    const chunks = async function* (): AsyncGenerator<Buffer> {
      if (end < start) return;
      for (let seq = Math.floor(start / file.chunkSize); seq <= Math.floor(end / file.chunkSize); seq++) {
        const data = await rows.read(file.id, seq).catch((e: unknown) => {
          throw new StorageUnavailable(`database store, reading chunk ${seq} of ${key}: ${describeError(e)}`);
        });
        if (!data) throw new StorageUnavailable(`database store: chunk ${seq} of ${key} is missing`);
        const base = seq * file.chunkSize;
        const from = Math.max(0, start - base);
        const to = Math.min(data.byteLength, end - base + 1);
        yield data.subarray(from, to);
      }
    };
    return { stream: Readable.from(chunks(), { objectMode: false }), size: file.size };
  }

  async size(key: string): Promise<number | null> {
    checkKey(key);
    const file = await this.guard("reading a size", () => this.current(key));
    return file ? file.size : null;
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.guard("deleting", async () => {
      const files = await this.db.packageFile.findMany({ where: { key }, select: { id: true } });
      for (const f of files) await this.dropFile(f.id);
    });
  }

  async *list(prefix = ""): AsyncIterable<ListedFile> {
    let after = 0;
    for (;;) {
      const page = await this.guard("listing", () =>
        this.db.packageFile.findMany({
          where: { complete: true, id: { gt: after }, ...(prefix ? { key: { startsWith: prefix } } : {}) },
          orderBy: { id: "asc" },
          take: 500,
          select: { id: true, key: true, size: true, createdAt: true },
        }),
      );
      for (const f of page) yield { key: f.key, size: f.size, modifiedAt: f.createdAt };
      if (page.length < 500) return;
      after = page[page.length - 1]!.id;
    }
  }

  async dropAbandoned(olderThan: Date): Promise<number> {
    const stale = await this.guard("sweeping", () =>
      this.db.packageFile.findMany({ where: { complete: false, createdAt: { lt: olderThan } }, select: { id: true } }),
    );
    for (const f of stale) await this.dropFile(f.id);
    return stale.length;
  }

  async close(): Promise<void> {
    await this.chunks.close();
  }
}
