// Reading an `npm publish` body without holding it. The body is JSON whose
// _attachments.{file}.data is the package tarball in base64 (docs/feeds.md): up to a third
// more than the upload limit, far too much to buffer, let alone JSON.parse. A small tokenizer
// walks the bytes once; every _attachments.*.data string is base64-decoded as it streams by
// into a temporary file (hashed while written), and only the rest of the JSON (manifest,
// readme, dist-tags) is built in memory, under a cap. docs/threat-model.md: upload memory.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { FormatError, describeSize } from "./errors.ts";

/** Thrown when the body is within the upload limit but a part of it is not: answered 413. */
export class TooLargeError extends Error {
  readonly status = 413;
  constructor(message: string) {
    super(message);
    this.name = "TooLargeError";
  }
}

/** Stands in the parsed JSON where an attachment's base64 `data` string was: the decoded bytes, on disk. */
export class AttachmentFile {
  size = 0;
  /** sha1 of the decoded bytes, hex (npm's dist.shasum). */
  sha1 = "";
  /** sha512 of the decoded bytes, base64 (npm's dist.integrity without "sha512-"). */
  sha512 = "";
  /** sha256 of the decoded bytes, hex (the access log's description of a package file). */
  sha256 = "";
  constructor(
    /** The attachment's key in _attachments, e.g. "pkg-1.0.0.tgz". */
    readonly name: string,
    readonly path: string,
  ) {}
}

export type PublishBodyOptions = {
  /** Where the decoded attachments are written (the caller's upload directory). */
  tmpDir: string;
  /** Most bytes of JSON kept in memory: everything but the attachments' data strings. */
  maxJsonBytes: number;
  /** Most decoded bytes one attachment may have. */
  maxAttachmentBytes: number;
  /** Most attachments decoded to files (a publish has one tarball). */
  maxAttachments?: number;
  /** Deepest nesting of arrays and objects. */
  maxDepth?: number;
  /** false: attachments' data stay strings (held, and counted against maxJsonBytes). */
  decodeAttachments?: boolean;
};

const HELD_JSON = "The request's JSON without the package tarball (manifest, readme, dist-tags)";

export type PublishBody = {
  /** The JSON value, with each streamed _attachments.*.data replaced by an AttachmentFile. */
  value: unknown;
  files: AttachmentFile[];
  /** Removes the attachment files; safe to call more than once. */
  dispose(): Promise<void>;
};

const DEFAULT_MAX_ATTACHMENTS = 4;
const DEFAULT_MAX_DEPTH = 256;
const READ_CHUNK = 64 * 1024;

/**
 * Parses a publish body from a file or a stream. Malformed JSON, bad base64 and truncated
 * bodies throw FormatError; a manifest or attachment over its cap throws TooLargeError.
 * Provenance bundles (*.sigstore attachments) carry JSON text, not base64: they stay strings.
 */
export async function readPublishBody(source: string | Readable, opts: PublishBodyOptions): Promise<PublishBody> {
  const stream = typeof source === "string" ? createReadStream(source, { highWaterMark: READ_CHUNK }) : source;
  const parser = new PublishBodyParser(opts);
  const writer = new AttachmentWriter();
  const dispose = async () => {
    await writer.close();
    await Promise.all(parser.files.map((f) => rm(f.path, { force: true })));
  };
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      // Decoded bytes wait in memory only until the next drain: a piece of input at a time.
      for (let i = 0; i < bytes.length; i += READ_CHUNK) {
        parser.write(bytes.subarray(i, i + READ_CHUNK));
        await writer.drain(parser.pending);
      }
    }
    const value = parser.end();
    await writer.drain(parser.pending);
    await writer.close();
    return { value, files: parser.files, dispose };
  } catch (err) {
    stream.destroy();
    await dispose();
    throw err;
  }
}

/**
 * A small JSON document already in memory (a dist-tag move, an unpublish), parsed under
 * the same memory cap as a publish's manifest; attachments, if any, stay strings.
 */
export function parseCappedJson(bytes: Uint8Array, maxJsonBytes: number): unknown {
  const parser = new PublishBodyParser({ tmpDir: "", maxJsonBytes, maxAttachmentBytes: 0, decodeAttachments: false });
  parser.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return parser.end();
}

/** Writes decoded attachment bytes to their files, one file open at a time. */
class AttachmentWriter {
  private open: { file: AttachmentFile; fh: FileHandle } | undefined;

  async drain(pending: PendingOutput[]): Promise<void> {
    while (pending.length > 0) {
      const out = pending.shift()!;
      if (this.open?.file !== out.file) {
        await this.close();
        this.open = { file: out.file, fh: await open(out.file.path, "wx", 0o600) };
      }
      for (const chunk of out.chunks) await this.open.fh.write(chunk);
      if (out.last) await this.close();
    }
  }

  async close(): Promise<void> {
    const o = this.open;
    this.open = undefined;
    await o?.fh.close();
  }
}

type PendingOutput = { file: AttachmentFile; chunks: Buffer[]; last: boolean };

// ---- the tokenizer ---------------------------------------------------------------------

// Parser states (plain numbers: enums are not erasable syntax).
const VALUE = 0;
const FIRST_KEY_OR_END = 1;
const KEY = 2;
const COLON = 3;
const COMMA_OR_END = 4;
const STRING = 5;
const NUMBER = 6;
const LITERAL = 7;
const DONE = 8;
const START = 9;
const FIRST_IN_ARRAY = 10;

// Where a container sits: the root object, its _attachments, or one attachment.
const OTHER = 0;
const ROOT = 1;
const ATTACHMENTS = 2;
const ATTACHMENT = 3;

type Frame = { array: false; obj: Record<string, unknown>; key: string | null; role: number; name: string } | { array: true; arr: unknown[] };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BASE64_TEXT = /^[A-Za-z0-9+/]*$/;
const PADDING = /^=*$/;
const LITERALS = { 116: "true", 102: "false", 110: "null" } as Record<number, string>;
const LITERAL_VALUES: Record<string, unknown> = { true: true, false: false, null: null };
const SIMPLE_ESCAPES: Record<number, string> = { 34: '"', 92: "\\", 47: "/", 98: "\b", 102: "\f", 110: "\n", 114: "\r", 116: "\t" };

// A value costs memory beyond its text: "[{},{},…]" would otherwise build some 60 bytes of
// objects per 3 bytes of JSON. Rough V8 sizes; a real manifest's overhead stays near its text size.
const VALUE_COST = 16;
const CONTAINER_COST = 48;

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // As JSON.parse: "__proto__" becomes an own property, never the object's prototype.
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** A base64 string decoded as it arrives: validated like /^[A-Za-z0-9+/]*={0,2}$/ with a length divisible by 4. */
class Base64Decoder {
  private carry = "";
  private chars = 0;
  private pads = 0;
  private readonly sha1: Hash = createHash("sha1");
  private readonly sha512: Hash = createHash("sha512");
  private readonly sha256: Hash = createHash("sha256");
  chunks: Buffer[] = [];

  constructor(
    readonly file: AttachmentFile,
    private readonly maxBytes: number,
  ) {}

  push(text: string): void {
    if (text.length === 0) return;
    if (this.pads > 0) {
      if (!PADDING.test(text)) throw badBase64();
      this.pads += text.length;
    } else {
      const eq = text.indexOf("=");
      if (!BASE64_TEXT.test(eq < 0 ? text : text.slice(0, eq))) throw badBase64();
      if (eq >= 0) {
        const tail = text.slice(eq);
        if (!PADDING.test(tail)) throw badBase64();
        this.pads = tail.length;
      }
    }
    if (this.pads > 2) throw badBase64();
    this.chars += text.length;
    const all = this.carry + text;
    const whole = all.length - (all.length % 4);
    this.carry = all.slice(whole);
    if (whole > 0) this.output(Buffer.from(all.slice(0, whole), "base64"));
  }

  private output(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.file.size += bytes.length;
    if (this.file.size > this.maxBytes) {
      throw new TooLargeError(`The attachment "${this.file.name.slice(0, 120)}" is larger than the ${describeSize(this.maxBytes)} upload limit of this feed.`);
    }
    this.sha1.update(bytes);
    this.sha512.update(bytes);
    this.sha256.update(bytes);
    this.chunks.push(bytes);
  }

  finish(): void {
    if (this.chars % 4 !== 0) throw badBase64();
    this.file.sha1 = this.sha1.digest("hex");
    this.file.sha512 = this.sha512.digest("base64");
    this.file.sha256 = this.sha256.digest("hex");
  }
}

const badBase64 = () => new FormatError("The tarball attachment's data is not valid base64.");

/**
 * The synchronous core: write() bytes in any chunking, end() for the value. Decoded
 * attachment bytes wait in `pending` until the caller writes them out.
 */
export class PublishBodyParser {
  readonly files: AttachmentFile[] = [];
  readonly pending: PendingOutput[] = [];
  private readonly maxAttachments: number;
  private readonly maxDepth: number;
  private state = START;
  private stack: Frame[] = [];
  private root: unknown;
  /** Bytes seen, and bytes of attachment data among them: the difference is held in memory. */
  private seen = 0;
  private streamed = 0;
  /** What values and containers cost in memory beyond their text (see VALUE_COST). */
  private overhead = 0;
  // The string being read: where it goes, its text so far, and an escape in progress.
  private target: "key" | "value" | "attachment" = "value";
  private text = "";
  private decoder = new StringDecoder("utf8");
  private base64: Base64Decoder | undefined;
  /** -1: no escape; 0: after "\"; 1-4: hex digits of "\u" read so far + 1. */
  private escape = -1;
  private hex = "";
  private token = "";
  private literal = "";

  constructor(private readonly opts: PublishBodyOptions) {
    this.maxAttachments = opts.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  write(buf: Buffer): void {
    const base = this.seen;
    this.seen += buf.length;
    const n = buf.length;
    let i = 0;
    // The next backslash in buf, found once and reused: each string must not rescan the chunk.
    let nextBackslash = -2;
    while (i < n) {
      const state = this.state;
      if (state === STRING) {
        if (this.escape >= 0) {
          this.readEscape(buf[i]!, base + i);
          i++;
          continue;
        }
        let q = buf.indexOf(QUOTE, i);
        if (q < 0) q = n;
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = buf.indexOf(BACKSLASH, i);
        const end = nextBackslash >= 0 && nextBackslash < q ? nextBackslash : q;
        if (end > i) this.stringBytes(buf, i, end, base);
        if (end === n) {
          i = n;
        } else if (end === q) {
          this.endString();
          i = q + 1;
        } else {
          this.escape = 0;
          i = end + 1;
        }
        continue;
      }
      const b = buf[i]!;
      switch (state) {
        case START:
        case VALUE:
          if (isSpace(b)) break;
          this.startValue(b, base + i);
          break;
        case FIRST_IN_ARRAY:
          if (isSpace(b)) break;
          if (b === 0x5d) this.closeContainer(true, b, base + i);
          else this.startValue(b, base + i);
          break;
        case FIRST_KEY_OR_END:
        case KEY:
          if (isSpace(b)) break;
          if (b === QUOTE) {
            this.target = "key";
            this.state = STRING;
          } else if (b === 0x7d && state === FIRST_KEY_OR_END) {
            this.closeContainer(false, b, base + i);
          } else {
            throw this.unexpected(b, base + i);
          }
          break;
        case COLON:
          if (isSpace(b)) break;
          if (b !== 0x3a) throw this.unexpected(b, base + i);
          this.state = VALUE;
          break;
        case COMMA_OR_END: {
          if (isSpace(b)) break;
          const top = this.stack[this.stack.length - 1]!;
          if (b === 0x2c) this.state = top.array ? VALUE : KEY;
          else if (b === 0x5d || b === 0x7d) this.closeContainer(b === 0x5d, b, base + i);
          else throw this.unexpected(b, base + i);
          break;
        }
        case NUMBER:
          if ((b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45) {
            this.token += String.fromCharCode(b);
            break;
          }
          this.endNumber(base + i);
          continue; // this byte belongs to what follows the number
        case LITERAL:
          if (b !== this.literal.charCodeAt(this.token.length)) throw this.unexpected(b, base + i);
          this.token += String.fromCharCode(b);
          if (this.token.length === this.literal.length) this.emit(LITERAL_VALUES[this.literal]);
          break;
        case DONE:
          if (!isSpace(b)) throw this.unexpected(b, base + i);
          break;
      }
      i++;
    }
    this.checkHeld(this.seen);
  }

  /** The parsed value; throws when the body ended early or was empty. */
  end(): unknown {
    if (this.state === NUMBER) this.endNumber(this.seen);
    if (this.state === START) throw new FormatError("The request needs a JSON body.");
    if (this.state !== DONE) throw new FormatError("The request body is not valid JSON: it ends before the JSON is complete (was the upload cut short?).");
    return this.root;
  }

  /** `at`: bytes of input consumed so far; all but the streamed attachment data is held. */
  private checkHeld(at: number): void {
    const held = at - this.streamed + this.overhead;
    if (held > this.opts.maxJsonBytes) {
      throw new TooLargeError(
        `${this.opts.decodeAttachments === false ? "The request's JSON" : HELD_JSON} is too large: held in memory it would exceed the ${describeSize(this.opts.maxJsonBytes)} limit of this feed.`,
      );
    }
  }

  private unexpected(b: number, at: number): FormatError {
    const shown = b >= 0x21 && b <= 0x7e ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, "0")}`;
    return new FormatError(`The request body is not valid JSON: unexpected ${shown} at byte ${at}.`);
  }

  private startValue(b: number, at: number): void {
    if (b === 0x7b || b === 0x5b) {
      if (this.stack.length >= this.maxDepth) throw new FormatError(`The request body nests arrays and objects more than ${this.maxDepth} levels deep.`);
      this.overhead += CONTAINER_COST;
      this.checkHeld(at);
      if (b === 0x5b) {
        this.stack.push({ array: true, arr: [] });
        this.state = FIRST_IN_ARRAY;
        return;
      }
      const parent = this.stack[this.stack.length - 1];
      let role = OTHER;
      let name = "";
      if (!parent) role = ROOT;
      else if (!parent.array && parent.role === ROOT && parent.key === "_attachments") role = ATTACHMENTS;
      else if (!parent.array && parent.role === ATTACHMENTS) {
        role = ATTACHMENT;
        name = parent.key!;
      }
      this.stack.push({ array: false, obj: {}, key: null, role, name });
      this.state = FIRST_KEY_OR_END;
      return;
    }
    if (b === QUOTE) {
      const top = this.stack[this.stack.length - 1];
      if (this.opts.decodeAttachments !== false && top && !top.array && top.role === ATTACHMENT && top.key === "data" && !top.name.endsWith(".sigstore")) {
        if (this.files.length >= this.maxAttachments) {
          throw new FormatError(
            `A publish must carry exactly one tarball in _attachments (this one has more than ${this.maxAttachments} attachments with data).`,
          );
        }
        const file = new AttachmentFile(top.name, path.join(this.opts.tmpDir, `npm-attachment-${randomBytes(12).toString("hex")}.part`));
        this.files.push(file);
        this.base64 = new Base64Decoder(file, this.opts.maxAttachmentBytes);
        this.target = "attachment";
      } else {
        this.target = "value";
      }
      this.state = STRING;
      return;
    }
    if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
      this.token = String.fromCharCode(b);
      this.state = NUMBER;
      return;
    }
    const literal = LITERALS[b];
    if (literal) {
      this.literal = literal;
      this.token = literal[0]!;
      this.state = LITERAL;
      return;
    }
    throw this.unexpected(b, at);
  }

  private closeContainer(array: boolean, b: number, at: number): void {
    const top = this.stack[this.stack.length - 1];
    if (!top || top.array !== array) throw this.unexpected(b, at);
    this.stack.pop();
    this.emit(top.array ? top.arr : top.obj);
  }

  /** A complete value: into its container, or it is the root. */
  private emit(value: unknown): void {
    this.token = "";
    this.overhead += VALUE_COST;
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.root = value;
      this.state = DONE;
      return;
    }
    if (top.array) top.arr.push(value);
    else setOwn(top.obj, top.key!, value);
    this.state = COMMA_OR_END;
  }

  private endNumber(at: number): void {
    if (!NUMBER_TEXT.test(this.token))
      throw new FormatError(`The request body is not valid JSON: "${this.token.slice(0, 40)}" before byte ${at} is not a number.`);
    this.emit(Number(this.token));
  }

  private stringBytes(buf: Buffer, from: number, to: number, base: number): void {
    if (this.target === "attachment") {
      this.streamed += to - from;
      this.base64!.push(buf.toString("latin1", from, to));
      this.flushAttachment(false);
      return;
    }
    for (let j = from; j < to; j++) if (buf[j]! < 0x20) throw this.unexpected(buf[j]!, base + j);
    this.text += this.decoder.write(buf.subarray(from, to));
    this.checkHeld(base + to);
  }

  private flushAttachment(last: boolean): void {
    const dec = this.base64!;
    if (dec.chunks.length === 0 && !last) return;
    const prev = this.pending[this.pending.length - 1];
    if (prev && prev.file === dec.file && !prev.last) {
      prev.chunks.push(...dec.chunks);
      prev.last = last;
    } else {
      this.pending.push({ file: dec.file, chunks: dec.chunks, last });
    }
    dec.chunks = [];
  }

  private readEscape(b: number, at: number): void {
    if (this.escape === 0) {
      if (b === 0x75) {
        this.escape = 1;
        this.hex = "";
        return;
      }
      const ch = SIMPLE_ESCAPES[b];
      if (ch === undefined) throw new FormatError(`The request body is not valid JSON: "\\${String.fromCharCode(b)}" at byte ${at - 1} is not a valid escape.`);
      this.escape = -1;
      this.stringChar(ch);
      return;
    }
    const isHex = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
    if (!isHex) throw this.unexpected(b, at);
    this.hex += String.fromCharCode(b);
    if (this.hex.length < 4) return;
    this.escape = -1;
    this.stringChar(String.fromCharCode(parseInt(this.hex, 16)));
  }

  private stringChar(ch: string): void {
    if (this.target === "attachment") {
      this.base64!.push(ch);
      this.flushAttachment(false);
      return;
    }
    // A partial UTF-8 sequence cut by an escape is invalid: end() turns it into U+FFFD, as toString would.
    this.text += this.decoder.end() + ch;
  }

  private endString(): void {
    if (this.target === "attachment") {
      const dec = this.base64!;
      dec.finish();
      this.flushAttachment(true);
      this.base64 = undefined;
      this.emit(dec.file);
      return;
    }
    const text = this.text + this.decoder.end();
    this.text = "";
    if (this.target === "key") {
      const top = this.stack[this.stack.length - 1]!;
      if (!top.array) top.key = text;
      this.state = COLON;
      return;
    }
    this.emit(text);
  }
}
