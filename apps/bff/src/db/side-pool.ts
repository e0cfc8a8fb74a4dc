// A small pg pool of a component's own, beside Prisma's (the access-log inserter, the
// database package store): opened on first use, so a configuration that never needs it
// opens no connection, and closed by close(), after which a later use opens it again.
import pg from "pg";

export class SidePool {
  private pool: pg.Pool | undefined;

  constructor(
    private readonly url: string,
    private readonly max: number,
  ) {}

  get(): pg.Pool {
    if (!this.pool) {
      // allowExitOnIdle: an idle pool never holds the process open.
      this.pool = new pg.Pool({ connectionString: this.url, max: this.max, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
      // An idle connection the server dropped is replaced on the next query; a failed query is its caller's to handle.
      this.pool.on("error", () => {});
    }
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }
}
