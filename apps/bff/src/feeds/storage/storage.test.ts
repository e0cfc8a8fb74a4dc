import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../../test/database.ts";
import { storageContract } from "./contract.testing.ts";
import { DatabaseStorage } from "./database.ts";
import { FileStorage } from "./file.ts";
import { S3Storage } from "./s3.ts";
import { startS3, type TestS3 } from "./s3.testing.ts";

let dir: string;
let t: TestDatabase;
let s3: TestS3;
const opened: { close: () => Promise<void> }[] = [];
const track = <T extends { close: () => Promise<void> }>(s: T): T => (opened.push(s), s);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-storage-"));
  t = await createTestDatabase();
  s3 = await startS3();
  await s3.createBucket("contract-bucket");
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t?.drop();
  for (const s of opened) await s.close();
  await s3?.close();
});

storageContract("file", () => new FileStorage(dir));
storageContract(`database (${testProvider})`, () => track(new DatabaseStorage(t.db, t.url)));
storageContract("s3 (s3rver)", () => track(new S3Storage(s3.location("contract-bucket", "pkgs/"))), { largeMiB: 11, memoryBound: false, sameKeyRaces: false });
