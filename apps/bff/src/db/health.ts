// Whether the database answers, for /healthz.
import type { Db } from "./client.ts";

export async function databaseAnswers(db: Db): Promise<boolean> {
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return true;
  } catch {
    return false;
  }
}
