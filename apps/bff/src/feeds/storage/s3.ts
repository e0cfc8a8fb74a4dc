// STORAGE_URL=s3://BUCKET/PREFIX?endpoint=URL&region=R&forcePathStyle=true: package files
// as objects in AWS S3 or any S3-compatible store, credentials from the standard AWS
// variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, …). Uploads are multipart and
// streamed (5 MiB parts, two in flight), downloads are ranged GETs streamed through.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";
import { Digesting } from "./digest.ts";
import { checkKey } from "./keys.ts";
import {
  describeError,
  StorageUnavailable,
  type ByteRange,
  type ListedFile,
  type PackageStorage,
  type StorageLocation,
  type StoredFile,
  type StoredStream,
} from "./types.ts";

type S3Location = Extract<StorageLocation, { kind: "s3" }>;

const PART_BYTES = 5 * 1024 * 1024;

/** Passes `take` bytes after skipping `skip`, then ends. */
async function* sliceGen(source: AsyncIterable<Uint8Array>, skip: number, take: number): AsyncGenerator<Uint8Array> {
  let pos = 0;
  for await (const chunk of source) {
    const from = Math.max(0, skip - pos);
    const to = Math.min(chunk.byteLength, skip + take - pos);
    pos += chunk.byteLength;
    if (to > from) yield chunk.subarray(from, to);
    if (pos >= skip + take) return;
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === "NoSuchKey" || err?.name === "NotFound" || err?.$metadata?.httpStatusCode === 404;
}

export class S3Storage implements PackageStorage {
  readonly kind = "s3" as const;
  private readonly client: S3Client;

  constructor(
    private readonly location: S3Location,
    clientOptions: { maxAttempts?: number; credentials?: { accessKeyId: string; secretAccessKey: string } } = {},
  ) {
    this.client = new S3Client({
      region: location.region,
      ...(location.endpoint ? { endpoint: location.endpoint } : {}),
      forcePathStyle: location.forcePathStyle,
      // Checksums only where S3 requires them: S3-compatible servers often do not speak the
      // newer trailing-checksum uploads. Our own sha512 is checked by storage:copy.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: clientOptions.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: 5000, requestTimeout: 30_000 },
      ...(clientOptions.credentials ? { credentials: clientOptions.credentials } : {}),
    });
  }

  private objectKey(key: string): string {
    return this.location.prefix + checkKey(key);
  }

  private unavailable(what: string, e: unknown): StorageUnavailable {
    return new StorageUnavailable(`S3 store (bucket ${this.location.bucket}), ${what}: ${describeError(e)}`);
  }

  async put(key: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredFile> {
    const digest = new Digesting();
    const body = Readable.from(digest.pass(source), { objectMode: false });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: this.objectKey(key), Body: body, ContentType: "application/octet-stream" },
      partSize: PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      body.destroy();
      throw this.unavailable("writing", e);
    }
    return digest.result(key);
  }

  async get(key: string, range?: ByteRange): Promise<StoredStream | null> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const body = answer.Body as Readable;
      const served = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(answer.ContentRange ?? "");
      const size = served ? Number(served[3]) : Number(answer.ContentLength ?? 0);
      if (!range) return { stream: body, size };
      // A server that answered more than the range (s3rver answers bytes=0-0 with the whole object): cut it here.
      const from = served ? Number(served[1]) : 0;
      return { stream: Readable.from(sliceGen(body, range.start - from, range.end - range.start + 1), { objectMode: false }), size };
    } catch (e) {
      if (isNotFound(e)) return null;
      // A range past the end of a file that is there.
      if ((e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 416) {
        const size = await this.size(key);
        if (size !== null) return { stream: Readable.from([]), size };
      }
      throw this.unavailable("reading", e);
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
      return Number(head.ContentLength ?? 0);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw this.unavailable("reading a size", e);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
    } catch (e) {
      if (isNotFound(e)) return;
      throw this.unavailable("deleting", e);
    }
  }

  async *list(prefix = ""): AsyncIterable<ListedFile> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: this.location.prefix + prefix, ContinuationToken: token }),
        );
      } catch (e) {
        throw this.unavailable("listing", e);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(this.location.prefix.length), size: Number(o.Size ?? 0), modifiedAt: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Multipart uploads a crash left open are S3's to expire (a bucket lifecycle rule, docs/deployment.md). */
  async dropAbandoned(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
