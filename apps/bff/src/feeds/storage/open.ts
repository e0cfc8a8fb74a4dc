// The store a configuration names (services.ts, scripts/storage-copy.ts).
import path from "node:path";
import type { Config } from "../../config.ts";
import type { Db } from "../../db/client.ts";
import { DatabaseStorage } from "./database.ts";
import { FileStorage } from "./file.ts";
import { S3Storage } from "./s3.ts";
import type { PackageStorage, StorageLocation } from "./types.ts";

/** Without STORAGE_URL (tests' configurations), the folder `packages` in the data folder, as always. */
export function storageLocationOf(config: Pick<Config, "storage" | "dataDir">): StorageLocation {
  return config.storage ?? { kind: "file", root: path.join(config.dataDir, "packages") };
}

/** `databaseUrl`: the database `db` is connected to (the database store writes its chunks there). */
export function openStorage(location: StorageLocation, db: Db, databaseUrl: string): PackageStorage {
  switch (location.kind) {
    case "file":
      return new FileStorage(location.root);
    case "database":
      return new DatabaseStorage(db, databaseUrl);
    case "s3":
      return new S3Storage(location);
  }
}
