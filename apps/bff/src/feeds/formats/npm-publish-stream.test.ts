import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { FormatError } from "./errors.ts";
import { AttachmentFile, PublishBodyParser, readPublishBody, TooLargeError, type PublishBodyOptions } from "./npm-publish-stream.ts";

const tmpDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-npm-stream-"));
afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));
afterEach(() => {
  // Every test disposes what it read: nothing may stay behind, whatever the outcome.
  expect(readdirSync(tmpDir).filter((f) => f.startsWith("npm-attachment-"))).toEqual([]);
});

const OPTS: PublishBodyOptions = { tmpDir, maxJsonBytes: 1024 * 1024, maxAttachmentBytes: 8 * 1024 * 1024 };

/** The bytes cut into pieces: every size from 1 byte up, so every token is split somewhere. */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The JSON value only (no attachments expected), through the synchronous core. */
function parseInPieces(bytes: Buffer, size: number, opts: Partial<PublishBodyOptions> = {}): unknown {
  const p = new PublishBodyParser({ ...OPTS, ...opts });
  for (const piece of pieces(bytes, size)) p.write(piece);
  return p.end();
}

async function read(bytes: Buffer | Buffer[], opts: Partial<PublishBodyOptions> = {}) {
  return readPublishBody(Readable.from(Array.isArray(bytes) ? bytes : [bytes]), { ...OPTS, ...opts });
}

async function errorOf(fn: () => Promise<unknown> | unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

const publishJson = (data: string, extra = "") =>
  Buffer.from(
    `{"name":"p","versions":{"1.0.0":{"name":"p"}}${extra},"_attachments":{"p-1.0.0.tgz":{"content_type":"application/octet-stream","data":"${data}","length":3}}}`,
  );

describe("the JSON outside attachments matches JSON.parse", () => {
  it("for any JSON value, split at every boundary", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.integer({ min: 1, max: 17 }), (value, pretty, size) => {
        const text = Buffer.from(pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value));
        const expected = JSON.parse(text.toString("utf8"));
        expect(parseInPieces(text, 1)).toStrictEqual(expected);
        expect(parseInPieces(text, size)).toStrictEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it("for strings with escapes, surrogate pairs and multi-byte UTF-8 cut mid-character", () => {
    const text = Buffer.from(
      String.raw`{"a\"b":"x\\y\/z\b\f\n\r\t\u00e9\uD83D\uDE00","é😀ü":["日本",-0.5e+3,1E2,0,true,false,null,{}],"__proto__":{"polluted":1}}`,
    );
    const expected = JSON.parse(text.toString("utf8"));
    for (let size = 1; size <= text.length; size++) expect(parseInPieces(text, size)).toStrictEqual(expected);
    const parsed = parseInPieces(text, 1) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses exactly what JSON.parse refuses", () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]:,"\\ 0123456789.eE+-tfnrulsa\n\tu'.split("")), maxLength: 24 });
    const mutated = fc
      .tuple(fc.jsonValue(), fc.nat(), fc.constantFrom("", "{", "}", "[", "]", ",", ":", '"', "\\", "x", "\u0001", "1", "-"), fc.boolean())
      .map(([v, at, insert, drop]) => {
        const s = JSON.stringify(v) ?? "";
        const i = s.length ? at % (s.length + 1) : 0;
        return s.slice(0, i) + insert + s.slice(drop ? i + 1 : i);
      });
    fc.assert(
      fc.property(fc.oneof(jsonish, mutated), (text) => {
        let expected: unknown;
        let refused = false;
        try {
          expected = JSON.parse(text);
        } catch {
          refused = true;
        }
        const bytes = Buffer.from(text);
        if (refused) {
          expect(() => parseInPieces(bytes, 1)).toThrow(FormatError);
          expect(() => parseInPieces(bytes, 5)).toThrow(FormatError);
        } else {
          expect(parseInPieces(bytes, 1)).toStrictEqual(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ["", "The request needs a JSON body."],
    [" \n\t", "The request needs a JSON body."],
    ['{"a":1', "The request body is not valid JSON: it ends before the JSON is complete (was the upload cut short?)."],
    ['{"a":"b', "The request body is not valid JSON: it ends before the JSON is complete (was the upload cut short?)."],
    ["tru", "The request body is not valid JSON: it ends before the JSON is complete (was the upload cut short?)."],
    ["{nope", 'The request body is not valid JSON: unexpected "n" at byte 1.'],
    ["[1,]", 'The request body is not valid JSON: unexpected "]" at byte 3.'],
    ['"a\u0001"', "The request body is not valid JSON: unexpected byte 0x01 at byte 2."],
    ['"\\x"', 'The request body is not valid JSON: "\\x" at byte 1 is not a valid escape.'],
    ["[01]", 'The request body is not valid JSON: "01" before byte 3 is not a number.'],
    ["{} {}", 'The request body is not valid JSON: unexpected "{" at byte 3.'],
  ])("explains %j", async (text, message) => {
    const err = await errorOf(() => read(Buffer.from(text)));
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toBe(message);
  });

  it("refuses nesting deeper than its limit", () => {
    const deep = Buffer.from("[".repeat(300) + "]".repeat(300));
    expect(() => parseInPieces(deep, 7)).toThrow("The request body nests arrays and objects more than 256 levels deep.");
    expect(parseInPieces(Buffer.from("[".repeat(256) + "]".repeat(256)), 7)).toBeInstanceOf(Array);
  });
});

describe("attachments are decoded to files as they stream", () => {
  it("writes the decoded bytes and their digests, wherever the chunks split the base64 and its escapes", async () => {
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251));
    const b64 = bytes.toString("base64");
    // JSON may escape any character: "/" as \/, a letter as \u0041.
    const escaped = b64.replace(/\//g, "\\/").replace(/^A|B/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
    expect(escaped).not.toBe(b64);
    const body = Buffer.from(
      `{"name":"p","_attachments":{"p-1.0.0.tgz":{"content_type":"application/octet-stream","data":"${escaped}","length":${bytes.length}}}}`,
    );
    for (const size of [1, 2, 3, 5, 64, 4096, body.length]) {
      const got = await read(pieces(body, size));
      try {
        const value = got.value as { name: string; _attachments: Record<string, { data: AttachmentFile; length: number }> };
        const file = value._attachments["p-1.0.0.tgz"]!.data;
        expect(file).toBeInstanceOf(AttachmentFile);
        expect(got.files).toEqual([file]);
        expect(readFileSync(file.path)).toEqual(bytes);
        expect(file).toMatchObject({
          name: "p-1.0.0.tgz",
          size: bytes.length,
          sha1: createHash("sha1").update(bytes).digest("hex"),
          sha512: createHash("sha512").update(bytes).digest("base64"),
          sha256: createHash("sha256").update(bytes).digest("hex"),
        });
        expect(value.name).toBe("p");
        expect(value._attachments["p-1.0.0.tgz"]!.length).toBe(bytes.length);
      } finally {
        await got.dispose();
      }
    }
  });

  it("decodes padded endings and the empty string", async () => {
    for (const original of ["", "a", "ab", "abc", "abcd"]) {
      const got = await read(publishJson(Buffer.from(original).toString("base64")));
      const file = (got.value as { _attachments: Record<string, { data: AttachmentFile }> })._attachments["p-1.0.0.tgz"]!.data;
      expect(readFileSync(file.path).toString()).toBe(original);
      await got.dispose();
    }
  });

  it("keeps a provenance bundle (JSON text, not base64) as a string, and data elsewhere as a string", async () => {
    const body = Buffer.from(
      JSON.stringify({
        data: "not/an/attachment",
        _attachments: { "p-1.0.0.sigstore": { data: '{"mediaType":"x"}' } },
        versions: { "1.0.0": { _attachments: { x: { data: "a b" } } } },
      }),
    );
    const got = await read(pieces(body, 3));
    expect(got.value).toStrictEqual(JSON.parse(body.toString()));
    expect(got.files).toEqual([]);
    await got.dispose();
  });

  it.each([
    ["a length that is not a multiple of 4", "QUJ"],
    ["a character outside base64", "QU$D"],
    ["padding in the middle", "QU==QUJD"],
    ["three padding characters", "Q==="],
    ["a newline escape", "QUJD\\nQUJD"],
    ["a non-ASCII character", "QUJDé"],
    ["a control character", "QUJD\u0001"],
  ])("refuses %s, removing the partial file", async (_label, data) => {
    for (const size of [1, 4, 1000]) {
      const err = await errorOf(() => read(pieces(publishJson(data), size)));
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toBe("The tarball attachment's data is not valid base64.");
    }
  });

  it("refuses a body that ends inside the attachment", async () => {
    const whole = publishJson(Buffer.alloc(10_000).toString("base64"));
    const err = await errorOf(() => read(pieces(whole.subarray(0, 5000), 512)));
    expect(err.message).toBe("The request body is not valid JSON: it ends before the JSON is complete (was the upload cut short?).");
  });

  it("limits how many attachments are decoded to files", async () => {
    const atts = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.tgz`, { data: "QUJD" }]));
    const err = await errorOf(() => read(Buffer.from(JSON.stringify({ _attachments: atts }))));
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toBe("A publish must carry exactly one tarball in _attachments (this one has more than 4 attachments with data).");
  });
});

describe("caps", () => {
  it("does not count attachment data against the JSON cap", async () => {
    const data = Buffer.alloc(200 * 1024).toString("base64");
    const got = await read(pieces(publishJson(data), 65536), { maxJsonBytes: 4096 });
    expect(got.files[0]!.size).toBe(200 * 1024);
    await got.dispose();
  });

  it("refuses JSON over the cap with 413, even inside one long string and however it is chunked", async () => {
    const readme = "r".repeat(5000);
    for (const chunks of [[publishJson("QUJD", `,"readme":"${readme}"`)], pieces(publishJson("QUJD", `,"readme":"${readme}"`), 100)]) {
      const err = await errorOf(() => read(chunks, { maxJsonBytes: 4096 }));
      expect(err).toBeInstanceOf(TooLargeError);
      expect((err as TooLargeError).status).toBe(413);
      expect(err.message).toBe(
        "The request's JSON without the package tarball (manifest, readme, dist-tags) is too large: held in memory it would exceed the 4 KiB limit of this feed.",
      );
    }
  });

  it("counts what values cost in memory, not only their text", async () => {
    // JSON.parse turns 4 MiB of "[{},{},…]" into some 75 MiB of objects.
    const objects = Buffer.from(`[${Array.from({ length: 100_000 }, () => "{}").join(",")}]`);
    expect(objects.length).toBeLessThan(OPTS.maxJsonBytes / 3);
    const err = await errorOf(() => read(objects));
    expect(err).toBeInstanceOf(TooLargeError);
    const text = Buffer.from(JSON.stringify({ readme: "r".repeat(OPTS.maxJsonBytes / 2) }));
    const got = await read(text);
    expect(got.value).toStrictEqual(JSON.parse(text.toString()));
    await got.dispose();
  });

  it("refuses an attachment over its cap with 413 and removes the file", async () => {
    const data = Buffer.alloc(100 * 1024).toString("base64");
    const err = await errorOf(() => read(pieces(publishJson(data), 8192), { maxAttachmentBytes: 64 * 1024 }));
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err.message).toBe('The attachment "p-1.0.0.tgz" is larger than the 64 KiB upload limit of this feed.');
  });

  it("reads from a file path", async () => {
    const file = path.join(tmpDir, "body.json");
    writeFileSync(file, publishJson(Buffer.from("hello").toString("base64")));
    const got = await readPublishBody(file, OPTS);
    expect(readFileSync(got.files[0]!.path).toString()).toBe("hello");
    await got.dispose();
    await got.dispose();
    rmSync(file);
  });
});
