// `npm run storage:copy -- FROM TO` — copies every package file a version row points at
// from one store to another (STORAGE_URL forms: file:PATH, database, s3://…), checking
// each file's sha512 against its row. Idempotent: a file already at TO with the right
// digest is left alone. The database is the one DATABASE_URL names (docs/deployment.md).
import { createHash } from "node:crypto";
import { repoRoot } from "../src/config.ts";
import { createDb, prepareDb } from "../src/db/client.ts";
import { parseStorageUrl, STORAGE_URL_FORMS } from "../src/feeds/storage/location.ts";
import { openStorage } from "../src/feeds/storage/open.ts";
import type { PackageStorage } from "../src/feeds/storage/types.ts";
import { loadScriptConfig } from "./script-config.ts";

async function digestOf(storage: PackageStorage, key: string): Promise<string | null> {
  const got = await storage.get(key);
  if (!got) return null;
  const hash = createHash("sha512");
  for await (const chunk of got.stream) hash.update(chunk as Uint8Array);
  return hash.digest("base64");
}

async function main(): Promise<number> {
  const [from, to] = process.argv.slice(2).filter((a) => a !== "--");
  if (!from || !to) {
    console.error(`Usage: npm run storage:copy -- FROM TO   (each ${STORAGE_URL_FORMS})`);
    return 2;
  }
  const config = loadScriptConfig();
  if (!config) return 1;
  const locations = [from, to].map((u) => parseStorageUrl(u, repoRoot(), process.env));
  for (const [i, l] of locations.entries()) {
    if ("error" in l) {
      console.error(`${i === 0 ? "FROM" : "TO"}: ${l.error}`);
      return 2;
    }
  }
  const db = createDb(config.databaseUrl);
  await prepareDb(db, config.databaseUrl);
  const source = openStorage(locations[0] as Exclude<(typeof locations)[0], { error: string }>, db, config.databaseUrl);
  const target = openStorage(locations[1] as Exclude<(typeof locations)[1], { error: string }>, db, config.databaseUrl);
  const counts = { copied: 0, alreadyThere: 0, missing: 0, mismatched: 0 };
  try {
    let after = 0;
    for (;;) {
      const rows = await db.packageVersion.findMany({
        where: { id: { gt: after } },
        orderBy: { id: "asc" },
        take: 200,
        select: { id: true, filePath: true, sha512: true },
      });
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      for (const row of rows) {
        if ((await digestOf(target, row.filePath)) === row.sha512) {
          counts.alreadyThere++;
          continue;
        }
        const got = await source.get(row.filePath);
        if (!got) {
          counts.missing++;
          console.error(`missing at FROM: ${row.filePath}`);
          continue;
        }
        const stored = await target.put(row.filePath, got.stream);
        if (stored.sha512 !== row.sha512) {
          counts.mismatched++;
          await target.delete(row.filePath);
          console.error(`sha512 differs from its version row, not copied: ${row.filePath}`);
          continue;
        }
        counts.copied++;
      }
    }
  } finally {
    await source.close();
    await target.close();
    await db.$disconnect();
  }
  console.log(`copied ${counts.copied}, already there ${counts.alreadyThere}, missing at FROM ${counts.missing}, sha512 mismatch ${counts.mismatched}`);
  return counts.missing + counts.mismatched > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error("storage:copy failed:", (e as Error).message);
    process.exit(1);
  },
);
