// The .nupkg in a push body: multipart (as nuget push sends it) or the raw package. The
// body is on disk already (receiveUpload); the part is found with positional reads and
// copied out as a stream, so neither the body nor the package is ever held in memory.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { multipartFirstFileRange } from "../formats/nuget.ts";
import { withFile } from "../formats/random-access.ts";
import type { ReceivedUpload } from "../upload/receive.ts";
import { readFormat } from "./context.ts";

/** The package file within the upload; dispose() removes only what this made (the upload's own dispose still applies). */
export async function packageFile(upload: ReceivedUpload, contentType: string, tmpDir: string): Promise<ReceivedUpload> {
  const { start, end } = await withFile(upload.path, (file) => readFormat(() => multipartFirstFileRange(file, contentType)));
  if (start === 0 && end === upload.size) return { ...upload, dispose: async () => {} };

  const target = path.join(tmpDir, `${randomBytes(12).toString("hex")}.nupkg`);
  const dispose = () => rm(target, { force: true });
  const hash = createHash("sha256");
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // An empty range still makes an (empty) file: createReadStream cannot read zero bytes.
    const source = end > start ? createReadStream(upload.path, { start, end: end - 1 }) : [];
    await pipeline(source, hashing, createWriteStream(target, { flags: "wx", mode: 0o600 }));
  } catch (err) {
    await dispose();
    throw err;
  }
  return { path: target, size: end - start, sha256: hash.digest("hex"), dispose };
}
