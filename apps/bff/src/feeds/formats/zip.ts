// A small zip reader for uploaded packages, over positional reads (an upload on disk, or
// bytes in memory). It reads only the central directory (the authoritative list; local
// headers may carry zero sizes when a data descriptor is used) and the entries asked
// for, bounds-checks every offset, and inflates never past an entry's declared size, so
// a zip bomb costs at most the caller's limit and a large package is never held whole.
import { crc32, inflateRawSync } from "node:zlib";
import { FormatError, LIMITS, describeSize } from "./errors.ts";
import { toAccess, type RandomAccess } from "./random-access.ts";

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Largest central directory read into memory: 10 000 entries with long names fit many times over. */
const CENTRAL_DIRECTORY_LIMIT = 8 * 1024 * 1024;

export function listZip(input: Uint8Array | RandomAccess, what = "The package"): ZipEntry[] {
  const file = toAccess(input);
  const notZip = () => new FormatError(`${what} is not a valid zip file.`);
  // The end record sits in the last 22 bytes plus a comment of at most 65535 bytes.
  const tailStart = Math.max(0, file.size - 22 - 0xffff);
  const tail = view(file.read(tailStart, file.size - tailStart));
  const at = findEocd(tail);
  if (at < 0) throw notZip();
  if (tail.getUint16(at + 4, true) !== 0 || tail.getUint16(at + 6, true) !== 0) {
    throw new FormatError(`${what} is a multi-part zip, which is not supported.`);
  }
  let count = tail.getUint16(at + 10, true);
  let cdSize = tail.getUint32(at + 12, true);
  let cdOffset = tail.getUint32(at + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: the real values live in the ZIP64 end record the locator points at.
    const loc = tailStart + at - 20;
    if (loc < 0) throw notZip();
    const locator = view(file.read(loc, 20));
    if (locator.byteLength < 20 || locator.getUint32(0, true) !== ZIP64_LOCATOR) throw notZip();
    const rec = u64(locator, 8);
    const record = view(file.read(rec, 56));
    if (record.byteLength < 56 || record.getUint32(0, true) !== ZIP64_EOCD) throw notZip();
    count = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
  }
  if (count > LIMITS.archiveEntries) {
    throw new FormatError(`${what} has ${count} files; at most ${LIMITS.archiveEntries} are allowed.`);
  }
  if (cdOffset + cdSize > file.size) throw notZip();
  if (cdSize > CENTRAL_DIRECTORY_LIMIT)
    throw new FormatError(`${what} has a zip directory larger than ${describeSize(CENTRAL_DIRECTORY_LIMIT)}, which is not supported.`);

  const cd = file.read(cdOffset, cdSize);
  const dir = view(cd);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.byteLength || dir.getUint32(p, true) !== CENTRAL) throw notZip();
    const flags = dir.getUint16(p + 8, true);
    const nameLen = dir.getUint16(p + 28, true);
    const extraLen = dir.getUint16(p + 30, true);
    const commentLen = dir.getUint16(p + 32, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > dir.byteLength) throw notZip();
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    // Bit 11 marks UTF-8 names; others are CP437, which is ASCII for any name we look for.
    const name = new TextDecoder(flags & 0x800 ? "utf-8" : "latin1").decode(nameBytes);
    const entry: ZipEntry = {
      name,
      method: dir.getUint16(p + 10, true),
      flags,
      crc: dir.getUint32(p + 16, true),
      compressedSize: dir.getUint32(p + 20, true),
      size: dir.getUint32(p + 24, true),
      localOffset: dir.getUint32(p + 42, true),
    };
    applyZip64Extra(dir, p + 46 + nameLen, extraLen, entry);
    entries.push(entry);
    p = end;
  }
  return entries;
}

/** Inflates one entry, refusing anything that declares or turns out larger than maxBytes. */
export function readZipEntry(input: Uint8Array | RandomAccess, entry: ZipEntry, maxBytes: number): Uint8Array {
  const file = toAccess(input);
  const label = `"${entry.name}"`;
  if (entry.size > maxBytes) {
    throw new FormatError(`${label} is too large: ${entry.size} bytes uncompressed, more than the ${describeSize(maxBytes)} allowed.`);
  }
  if (entry.flags & 0x1) throw new FormatError(`${label} is encrypted, which is not supported.`);
  const p = entry.localOffset;
  const local = view(file.read(p, 30));
  if (local.byteLength < 30 || local.getUint32(0, true) !== LOCAL) {
    throw new FormatError(`${label} points at a damaged part of the zip file.`);
  }
  const start = p + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  const end = start + entry.compressedSize;
  if (end > file.size) throw new FormatError(`${label} is truncated.`);
  // Deflate never needs much more room than the data it holds: a larger claim is damage,
  // and reading it would only cost memory.
  if (entry.compressedSize > maxBytes + (maxBytes >> 3) + 1024) throw new FormatError(`${label} is larger than its zip entry declares.`);
  const raw = file.read(start, entry.compressedSize);

  let out: Uint8Array;
  if (entry.method === 0) {
    out = raw;
  } else if (entry.method === 8) {
    try {
      // maxOutputLength caps the work at the declared size: a bomb stops right there.
      out = inflateRawSync(raw, { maxOutputLength: Math.max(entry.size, 1) });
    } catch (err) {
      if (err instanceof RangeError) throw new FormatError(`${label} is larger than its zip entry declares.`);
      throw new FormatError(`${label} is damaged and cannot be decompressed.`);
    }
  } else {
    throw new FormatError(`${label} uses zip compression method ${entry.method}; only stored and deflate are supported.`);
  }
  if (out.length !== entry.size) throw new FormatError(`${label} does not match the size its zip entry declares.`);
  if (crc32(out) >>> 0 !== entry.crc) throw new FormatError(`${label} is damaged (its checksum does not match).`);
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function findEocd(view: DataView): number {
  const last = view.byteLength - 22;
  const first = Math.max(0, last - 0xffff); // the comment is at most 65535 bytes
  for (let i = last; i >= first; i--) {
    if (view.getUint32(i, true) === EOCD && i + 22 + view.getUint16(i + 20, true) <= view.byteLength) return i;
  }
  return -1;
}

function u64(view: DataView, at: number): number {
  if (at < 0 || at + 8 > view.byteLength) throw new FormatError("The package is not a valid zip file.");
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError("The package is not a valid zip file.");
  return Number(v);
}

/** ZIP64 extra field (id 1): 8-byte values for whichever header fields were saturated. */
function applyZip64Extra(view: DataView, start: number, len: number, e: ZipEntry): void {
  let p = start;
  while (p + 4 <= start + len) {
    const id = view.getUint16(p, true);
    const size = view.getUint16(p + 2, true);
    if (id === 1) {
      let q = p + 4;
      const take = () => {
        if (q + 8 > p + 4 + size) throw new FormatError("The package is not a valid zip file.");
        const v = u64(view, q);
        q += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = take();
      if (e.compressedSize === 0xffffffff) e.compressedSize = take();
      if (e.localOffset === 0xffffffff) e.localOffset = take();
      return;
    }
    p += 4 + size;
  }
}
