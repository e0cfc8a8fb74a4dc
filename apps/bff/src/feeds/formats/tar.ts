// A push-based tar reader (ustar, GNU and pax variants) for .gem files and npm tarballs.
// Bytes arrive in chunks (a whole .gem at once, or a gunzip stream for npm), headers are
// checksum-validated, and file bodies are either skipped without being kept or collected
// up to a limit. Stopping early lets a caller find package.json without inflating the rest.
// scanTar drives it over a file on disk, reading headers and only the bodies it keeps.
import { FormatError, describeSize } from "./errors.ts";
import type { RandomAccess } from "./random-access.ts";

export interface TarHeader {
  /** Full path (ustar prefix, pax "path" or GNU long name applied). */
  name: string;
  /** The typeflag: "0" file, "5" directory, "2" symlink, … ("\0" is reported as "0"). */
  type: string;
  size: number;
}

export interface TarOptions {
  /** Used in messages: "The .gem", "The package tarball". */
  what: string;
  maxEntries: number;
  /** Largest body the caller may ask to read (also bounds pax and GNU long-name records). */
  maxReadBytes: number;
  /**
   * Decides about each regular file: "read" collects its body for onFile, "skip" passes
   * over it, "stop" ends the scan here.
   */
  visit: (h: TarHeader) => "read" | "skip" | "stop";
  /** Receives a body that visit() asked for; return "stop" to end the scan. */
  onFile?: (h: TarHeader, data: Uint8Array) => undefined | "stop";
}

const BLOCK = 512;
const META_LIMIT = 1024 * 1024;

export class TarReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private skipData = 0;
  private skipPad = 0;
  private pending: { kind: "pax" | "longname" | "file"; header: TarHeader } | undefined;
  private paxPath: string | undefined;
  private paxSize: number | undefined;
  private longName: string | undefined;
  private entries = 0;
  private consumed = 0;
  /** True once the end-of-archive block was seen or the visitor stopped the scan. */
  done = false;

  /**
   * Bytes of the archive consumed so far. Inside visit(), the position where the
   * visited entry's body starts.
   */
  get position(): number {
    return this.consumed;
  }

  /** Bytes the reader will pass over next without looking at them (0 while it has buffered input). */
  get unreadSkip(): number {
    return this.buffered === 0 && !this.done ? this.skipData + this.skipPad : 0;
  }

  /** Accounts for n of the unreadSkip bytes without their data: the caller read past them. */
  skipUnread(n: number): void {
    if (n > this.unreadSkip) throw new Error("skipping more than the reader passes over");
    const fromData = Math.min(n, this.skipData);
    this.skipData -= fromData;
    this.skipPad -= n - fromData;
    this.consumed += n;
  }

  constructor(private readonly opts: TarOptions) {}

  push(chunk: Uint8Array): void {
    if (this.done || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.drain();
  }

  /** Call at end of input: an archive may end without zero blocks, but not mid-entry. */
  finish(): void {
    if (this.done) return;
    const rest = this.take(this.buffered);
    if (this.pending || this.skipData > 0 || !isZero(rest)) throw this.truncated();
    this.done = true;
  }

  private drain(): void {
    while (!this.done) {
      if (this.skipData + this.skipPad > 0) {
        const n = Math.min(this.buffered, this.skipData + this.skipPad);
        if (n === 0) return;
        this.drop(n);
        const fromData = Math.min(n, this.skipData);
        this.skipData -= fromData;
        this.skipPad -= n - fromData;
        continue;
      }
      if (this.pending) {
        const { kind, header } = this.pending;
        if (this.buffered < header.size) return;
        const data = this.take(header.size);
        this.pending = undefined;
        this.skipPad = padding(header.size);
        if (kind === "pax") this.readPax(data);
        else if (kind === "longname") this.longName = cString(data);
        else if (this.opts.onFile?.(header, data) === "stop") this.done = true;
        continue;
      }
      if (this.buffered < BLOCK) return;
      const block = this.take(BLOCK);
      if (isZero(block)) {
        this.done = true; // end-of-archive marker; whatever follows is padding
        return;
      }
      this.header(block);
    }
  }

  private header(block: Uint8Array): void {
    const { what } = this.opts;
    if (++this.entries > this.opts.maxEntries) {
      throw new FormatError(`${what} has more than ${this.opts.maxEntries} entries.`);
    }
    if (!checksumOk(block)) throw new FormatError(`${what} is not a valid tar archive (a header checksum does not match).`);
    const posix = block[257] === 0x75 && block[262] === 0 && latin1(block.subarray(257, 262)) === "ustar"; // "ustar\0"
    const type = block[156] === 0 ? "0" : String.fromCharCode(block[156]!);
    const isMeta = type === "x" || type === "g" || type === "L" || type === "K";
    // A pax size describes the entry after the pax header, never another header's body.
    let size = (isMeta ? undefined : this.paxSize) ?? number(block.subarray(124, 136), what);
    let name = cString(block.subarray(0, 100));
    if (posix) {
      const prefix = cString(block.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    name = this.paxPath ?? this.longName ?? name;
    if (!isMeta) [this.paxPath, this.paxSize, this.longName] = [undefined, undefined, undefined];
    // Links, directories, devices and FIFOs carry no body whatever their size field says.
    if (type === "1" || type === "2" || type === "3" || type === "4" || type === "5" || type === "6") size = 0;
    const header: TarHeader = { name, type, size };

    if (type === "x" || type === "L") {
      if (size > META_LIMIT) throw new FormatError(`${what} has an oversized extended header.`);
      this.pending = { kind: type === "x" ? "pax" : "longname", header };
      return;
    }
    const regular = type === "0" || type === "7";
    const decision = regular ? this.opts.visit(header) : "skip";
    if (decision === "stop") {
      this.done = true;
    } else if (decision === "read") {
      if (size > this.opts.maxReadBytes) {
        throw new FormatError(
          `"${name}" in ${what.replace(/^The /, "the ")} is too large (${size} bytes; the limit is ${describeSize(this.opts.maxReadBytes)}).`,
        );
      }
      this.pending = { kind: "file", header };
    } else {
      this.skipData = size;
      this.skipPad = padding(size);
    }
  }

  /** pax records: "<length> <key>=<value>\n", length in bytes; only path and size matter. */
  private readPax(data: Uint8Array): void {
    const invalid = () => new FormatError(`${this.opts.what} has an invalid extended header.`);
    let p = 0;
    while (p < data.length) {
      if (data[p] === 0) break; // NUL padding after the last record
      const space = data.indexOf(0x20, p);
      const digits = space < 0 || space - p > 7 ? "" : latin1(data.subarray(p, space));
      const len = Number(digits);
      if (!/^\d{1,7}$/.test(digits) || len <= space - p || p + len > data.length) throw invalid();
      const record = utf8.decode(data.subarray(space + 1, p + len - 1));
      const eq = record.indexOf("=");
      const [key, value] = [record.slice(0, eq), record.slice(eq + 1)];
      if (key === "path") this.paxPath = value;
      if (key === "size") {
        if (!/^\d{1,15}$/.test(value)) throw invalid();
        this.paxSize = Number(value);
      }
      p += len;
    }
  }

  private truncated(): FormatError {
    return new FormatError(`${this.opts.what} is truncated.`);
  }

  /** Removes n buffered bytes from the front, returning them (a view when possible). */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    let out: Uint8Array;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
    } else {
      out = new Uint8Array(n);
      let off = 0;
      for (const c of this.chunks) {
        if (off >= n) break;
        out.set(c.subarray(0, n - off), off);
        off += Math.min(c.length, n - off);
      }
    }
    this.drop(n);
    return out;
  }

  private drop(n: number): void {
    this.buffered -= n;
    this.consumed += n;
    while (n > 0) {
      const c = this.chunks[0]!;
      if (c.length <= n) {
        this.chunks.shift();
        n -= c.length;
      } else {
        this.chunks[0] = c.subarray(n);
        n = 0;
      }
    }
  }
}

const SCAN_CHUNK = 64 * 1024;

/**
 * Runs a TarReader over positional reads: headers and the bodies visit() asks for are
 * read, skipped bodies are never read at all (reader.position inside visit() says where
 * a body starts, for a caller that wants to hash or copy it from the file itself).
 */
export function scanTar(file: RandomAccess, reader: TarReader): void {
  let pos = 0;
  while (!reader.done && pos < file.size) {
    const skip = reader.unreadSkip;
    if (skip > 0) {
      const n = Math.min(skip, file.size - pos);
      reader.skipUnread(n);
      pos += n;
      continue;
    }
    const chunk = file.read(pos, Math.min(SCAN_CHUNK, file.size - pos));
    if (chunk.length === 0) break;
    pos += chunk.length;
    reader.push(chunk);
  }
  reader.finish();
}

/** Reads a whole in-memory tar and returns the regular files visit() asked for. */
export function readTar(bytes: Uint8Array, opts: Omit<TarOptions, "onFile">): { header: TarHeader; data: Uint8Array }[] {
  const files: { header: TarHeader; data: Uint8Array }[] = [];
  const reader = new TarReader({ ...opts, onFile: (header, data) => void files.push({ header, data }) });
  reader.push(bytes);
  reader.finish();
  return files;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The checksum counts the checksum field itself as eight spaces; old tars summed signed bytes. */
function checksumOk(block: Uint8Array): boolean {
  const stored = octal(block.subarray(148, 156));
  if (stored === undefined || stored.digits === 0) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored.value === unsigned || stored.value === signed;
}

/** Octal digits with optional leading spaces and trailing NULs/spaces (read byte-wise: hot path). */
function octal(b: Uint8Array): { value: number; digits: number } | undefined {
  let i = 0;
  while (i < b.length && b[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < b.length && b[i]! >= 0x30 && b[i]! <= 0x37; i++, digits++) value = value * 8 + (b[i]! - 0x30);
  for (; i < b.length; i++) if (b[i] !== 0 && b[i] !== 0x20) return undefined;
  return { value, digits };
}

/** Octal ASCII, or GNU base-256 when the high bit of the first byte is set. */
function number(field: Uint8Array, what: string): number {
  const bad = () => new FormatError(`${what} is not a valid tar archive (a header has an invalid size).`);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw bad(); // negative
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) {
      n = n * 256 + field[i]!;
      if (n > Number.MAX_SAFE_INTEGER) throw bad();
    }
    return n;
  }
  const parsed = octal(field);
  if (!parsed) throw bad();
  return parsed.value;
}

// Constructing a TextDecoder costs more than decoding a header name: share one.
const utf8 = new TextDecoder();

function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return utf8.decode(nul < 0 ? b : b.subarray(0, nul));
}

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function latin1(b: Uint8Array): string {
  return String.fromCharCode(...b);
}
