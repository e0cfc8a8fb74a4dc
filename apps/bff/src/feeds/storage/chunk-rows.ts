// The chunk rows of STORAGE_URL=database, written and read with the database's own driver
// rather than through Prisma. Measured with a 16 MiB file (feeds/storage/storage.test.ts):
// through Prisma, SQLite and PostgreSQL alike, the process still held about 22 MB per
// 16 MiB written after the write had ended (PostgreSQL's client grew to about 160 MB
// after 100 chunks before it levelled off), so a few uploads would keep whole packages in
// memory. Through the driver it holds about one chunk. The file rows around the chunks
// (incomplete, complete, replaced) stay with Prisma: they are small.
import Database from "better-sqlite3";
import { isPostgresUrl, sqliteFileOf } from "../../db/client.ts";
import { SidePool } from "../../db/side-pool.ts";

export interface ChunkRows {
  insert(fileId: number, seq: number, data: Uint8Array): Promise<void>;
  /** The chunk's bytes, or null when the row is missing. */
  read(fileId: number, seq: number): Promise<Buffer | null>;
  close(): Promise<void>;
}

/** How long a SQLite chunk write waits for the write lock, as Prisma's connection does (db/client.ts). */
const SQLITE_BUSY_WAIT_MS = 5000;

const INSERT = `INSERT INTO "PackageFileChunk" ("fileId", "seq", "data") VALUES`;
const SELECT = `SELECT "data" FROM "PackageFileChunk" WHERE "fileId" =`;

export function chunkRowsFor(databaseUrl: string): ChunkRows {
  return isPostgresUrl(databaseUrl) ? new PostgresChunkRows(databaseUrl) : new SqliteChunkRows(databaseUrl);
}

/** A small pool of its own: a chunk never waits for one of Prisma's connections, nor they for it. */
class PostgresChunkRows implements ChunkRows {
  private readonly pool: SidePool;
  constructor(url: string) {
    this.pool = new SidePool(url, 4);
  }

  async insert(fileId: number, seq: number, data: Uint8Array): Promise<void> {
    await this.pool.get().query(`${INSERT} ($1, $2, $3)`, [fileId, seq, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  }

  async read(fileId: number, seq: number): Promise<Buffer | null> {
    // As hex text (pg 8 reads no binary results): a chunk arrives as twice its size, once.
    const r = await this.pool.get().query<{ data: Buffer }>(`${SELECT} $1 AND "seq" = $2`, [fileId, seq]);
    return r.rows[0]?.data ?? null;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * Its own connection to the database file (WAL, as Prisma's). better-sqlite3 is
 * synchronous: a busy timeout would block the event loop while a Prisma transaction on
 * this same thread holds the write lock, and so never see it released. So a chunk that
 * finds the database locked waits here, asynchronously, and tries again.
 */
class SqliteChunkRows implements ChunkRows {
  private db: Database.Database | undefined;
  private statements: { insert: Database.Statement; read: Database.Statement } | undefined;
  constructor(private readonly url: string) {}

  private open() {
    if (!this.statements) {
      this.db = new Database(sqliteFileOf(this.url), { fileMustExist: true });
      this.db.pragma("busy_timeout = 0");
      this.statements = {
        insert: this.db.prepare(`${INSERT} (?, ?, ?)`),
        read: this.db.prepare(`${SELECT} ? AND "seq" = ?`),
      };
    }
    return this.statements;
  }

  async insert(fileId: number, seq: number, data: Uint8Array): Promise<void> {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (let waited = 0; ; ) {
      try {
        this.open().insert.run(fileId, seq, bytes);
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== "SQLITE_BUSY" || waited >= SQLITE_BUSY_WAIT_MS) throw e;
        const pause = Math.min(50, 2 + waited / 4);
        await new Promise((r) => setTimeout(r, pause));
        waited += pause;
      }
    }
  }

  async read(fileId: number, seq: number): Promise<Buffer | null> {
    // WAL: a reader never waits for a writer.
    const row = this.open().read.get(fileId, seq) as { data: Buffer } | undefined;
    return row?.data ?? null;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.statements = undefined;
  }
}
