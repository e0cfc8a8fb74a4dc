// The readers over a package on disk: the same answers as in memory, reading only the
// small parts they need (counted here), never the whole file.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { FormatError, readGem, readGemFile } from "./gem.ts";
import { buildGem, gemspecYaml } from "./gem.fixtures.ts";
import { multipartFirstFile, multipartFirstFileRange, readNupkg } from "./nuget.ts";
import { buildNupkg, nugetPushBody } from "./nuget.fixtures.ts";
import { bytesAccess, type RandomAccessFile, withFile, type RandomAccess } from "./random-access.ts";
import { buildTar } from "./tar.fixtures.ts";

const MiB = 1024 * 1024;
const dir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-random-access-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function onDisk(bytes: Uint8Array): string {
  const file = path.join(dir, `${++n}.bin`);
  writeFileSync(file, bytes);
  return file;
}

/** Wraps an access, adding up the bytes each read returns. */
function counting(inner: RandomAccess): RandomAccess & { bytesRead: number } {
  const out = {
    size: inner.size,
    bytesRead: 0,
    read(position: number, length: number) {
      const got = inner.read(position, length);
      out.bytesRead += got.length;
      return got;
    },
  };
  return out;
}

describe("RandomAccessFile", () => {
  it("reads ranges, short at the end, empty past it", async () => {
    const bytes = randomBytes(1000);
    await withFile(onDisk(bytes), (file) => {
      expect(file.size).toBe(1000);
      expect(Buffer.from(file.read(10, 20))).toEqual(bytes.subarray(10, 30));
      expect(Buffer.from(file.read(990, 20))).toEqual(bytes.subarray(990));
      expect(file.read(2000, 10).length).toBe(0);
    });
  });

  it("is closed by withFile even when the reader throws", async () => {
    let opened: RandomAccessFile | undefined;
    await expect(
      withFile(onDisk(new Uint8Array(4)), (file) => {
        opened = file;
        throw new FormatError("no");
      }),
    ).rejects.toThrow("no");
    expect(() => opened!.read(0, 1)).toThrow("read after close");
  });
});

describe("a .nupkg on disk", () => {
  // 8 MiB of incompressible content next to a small manifest.
  const nupkg = buildNupkg({ id: "Big.Content", version: "2.0.0", files: { "content/blob.bin": randomBytes(8 * MiB) } });

  it("reads the same .nuspec as in memory, reading the directory and the manifest only", async () => {
    const fromMemory = readNupkg(nupkg);
    await withFile(onDisk(nupkg), (file) => {
      const access = counting(file);
      expect(readNupkg(access)).toEqual(fromMemory);
      expect(access.bytesRead).toBeLessThan(128 * 1024);
    });
  });

  it("finds the package in a multipart body by reading around the boundaries only", async () => {
    const { body, contentType } = nugetPushBody(nupkg);
    await withFile(onDisk(body), (file) => {
      const access = counting(file);
      const { start, end } = multipartFirstFileRange(access, contentType);
      expect(Buffer.from(file.read(start, end - start)).equals(Buffer.from(nupkg))).toBe(true);
      // The scan for the closing boundary reads the part once, a window at a time.
      expect(access.bytesRead).toBeLessThan(body.length + 2 * MiB);
    });
  });

  it("finds a boundary that straddles two scan windows", () => {
    const boundary = "edge";
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="p.nupkg"\r\n\r\n`, "latin1");
    // The closing "\r\n--edge" begins 3 bytes before the 1 MiB window edge.
    const content = Buffer.alloc(MiB - 3 - head.length, 0x41);
    const body = Buffer.concat([head, content, Buffer.from(`\r\n--${boundary}--\r\n`, "latin1")]);
    const range = multipartFirstFileRange(bytesAccess(body), `multipart/form-data; boundary=${boundary}`);
    expect(range).toEqual({ start: head.length, end: head.length + content.length });
    expect(multipartFirstFile(body, `multipart/form-data; boundary=${boundary}`).length).toBe(content.length);
  });
});

describe("a .gem on disk", () => {
  it("reads the same gem as in memory, without reading data.tar.gz into memory", async () => {
    const bytes = buildGem({ name: "hola", version: "1.2.3", summary: "Hi" });
    await withFile(onDisk(bytes), async (file) => {
      expect(await readGemFile(file)).toEqual(readGem(bytes));
    });

    // A gem with 4 MiB of data: the positional reads take the headers and spec files only.
    const metadata = gzipSync(gemspecYaml({ name: "large", version: "1.0.0" }));
    const data = randomBytes(4 * MiB);
    const sums = gzipSync(`---\nSHA256:\n  data.tar.gz: ${createHash("sha256").update(data).digest("hex")}\n`);
    const large = buildTar([
      { name: "metadata.gz", data: metadata },
      { name: "data.tar.gz", data },
      { name: "checksums.yaml.gz", data: sums },
    ]);
    await withFile(onDisk(large), async (file) => {
      const access = counting(file);
      const info = await readGemFile(Object.assign(Object.create(file) as RandomAccessFile, { read: access.read }));
      expect(info).toMatchObject({ name: "large", version: "1.0.0", sha256: createHash("sha256").update(large).digest("hex") });
      expect(access.bytesRead).toBeLessThan(256 * 1024);
    });
  });

  it("checks data.tar.gz against checksums.yaml.gz from the file", async () => {
    const metadata = gzipSync(gemspecYaml({ name: "bad", version: "1.0.0" }));
    const sums = gzipSync(`---\nSHA512:\n  data.tar.gz: ${"0".repeat(128)}\n`);
    const gem = buildTar([
      { name: "metadata.gz", data: metadata },
      { name: "data.tar.gz", data: randomBytes(100_000) },
      { name: "checksums.yaml.gz", data: sums },
    ]);
    await withFile(onDisk(gem), async (file) => {
      await expect(readGemFile(file)).rejects.toThrow(
        new FormatError("data.tar.gz does not match its SHA512 checksum in checksums.yaml.gz; the .gem is damaged."),
      );
    });
  });

  it("refuses a truncated gem on disk as in memory", async () => {
    const bytes = buildGem({ name: "cut", version: "1.0.0" }).subarray(0, 700);
    await withFile(onDisk(bytes), async (file) => {
      await expect(readGemFile(file)).rejects.toThrow(new FormatError("The .gem is truncated."));
    });
  });
});
