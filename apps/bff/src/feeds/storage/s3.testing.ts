// An S3 protocol server for tests: s3rver (npm), in-process on loopback, path-style,
// credentials S3RVER/S3RVER.
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
// @ts-expect-error s3rver ships no types
import S3rver from "s3rver";
import type { StorageLocation } from "./types.ts";

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export type TestS3 = {
  endpoint: string;
  port: number;
  location: (bucket: string, prefix?: string) => Extract<StorageLocation, { kind: "s3" }>;
  createBucket: (name: string) => Promise<void>;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  close: () => Promise<void>;
};

export async function startS3(): Promise<TestS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "keyhouse-s3rver-"));
  // The SDK reads these like any deployment would (docs/configuration.md).
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  let server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  let running = true;
  const s3: TestS3 = {
    endpoint,
    port,
    location: (bucket, prefix = "") => ({ kind: "s3", bucket, prefix, endpoint, region: "us-east-1", forcePathStyle: true }),
    createBucket: async (name) => {
      const client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
      await client.send(new CreateBucketCommand({ Bucket: name }));
      client.destroy();
    },
    /** Stops answering (connections refused), keeping the data, as a store that is down. */
    stop: async () => {
      if (running) await server.close();
      running = false;
    },
    start: async () => {
      if (running) return;
      server = new S3rver({ port, address: "127.0.0.1", silent: true, directory });
      await server.run();
      running = true;
    },
    close: async () => {
      await s3.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return s3;
}
