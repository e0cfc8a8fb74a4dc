import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FormatError } from "./errors.ts";
import { TarReader, readTar } from "./tar.ts";
import type { TarHeader } from "./tar.ts";
import { buildTar, tarHeader } from "./tar.fixtures.ts";

const all = { what: "The archive", maxEntries: 1000, maxReadBytes: 1 << 20, visit: () => "read" as const };
const names = (bytes: Uint8Array) => readTar(bytes, all).map((f) => [f.header.name, Buffer.from(f.data).toString()]);

/** Recomputes a hand-edited header's checksum. */
function resum(h: Uint8Array): Uint8Array {
  h.set(Buffer.from("        "), 148);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(Buffer.from(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
  return h;
}

describe("TarReader", () => {
  const archive = buildTar([
    { name: "a.txt", data: "alpha" },
    { name: "dir", type: "5" },
    { name: `deep/${"x".repeat(120)}/b.txt`, data: "beta" },
    { name: `pax/${"y".repeat(200)}.txt`, data: "gamma", paxPath: true },
    { name: "c.txt", data: "c".repeat(1300) },
  ]);

  it("reads ustar prefixes, pax paths and skips directories", () => {
    expect(names(archive)).toEqual([
      ["a.txt", "alpha"],
      [`deep/${"x".repeat(120)}/b.txt`, "beta"],
      [`pax/${"y".repeat(200)}.txt`, "gamma"],
      ["c.txt", "c".repeat(1300)],
    ]);
  });

  it("gives the same result however the bytes are chunked", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }), (sizes) => {
        const seen: [string, string][] = [];
        const reader = new TarReader({ ...all, onFile: (h, d) => void seen.push([h.name, Buffer.from(d).toString()]) });
        let p = 0;
        for (let i = 0; p < archive.length; i++) {
          const n = sizes[i % sizes.length]!;
          reader.push(archive.subarray(p, p + n));
          p += n;
        }
        reader.finish();
        expect(seen).toEqual(names(archive));
      }),
      { numRuns: 100 },
    );
  });

  it("stops when asked, without reading further", () => {
    const visited: string[] = [];
    const reader = new TarReader({ ...all, visit: (h: TarHeader) => (visited.push(h.name), h.name === "a.txt" ? "stop" : "skip") });
    reader.push(archive);
    expect(reader.done).toBe(true);
    expect(visited).toEqual(["a.txt"]);
  });

  it("reads GNU long names, GNU magic, base-256 sizes and skips global pax headers", () => {
    const long = "l".repeat(150);
    const gnuName = tarHeader("././@LongLink", long.length + 1, "L");
    const body = (s: string) => {
      const b = Buffer.alloc(Math.ceil(s.length / 512) * 512);
      b.write(s);
      return b;
    };
    const gnu = tarHeader("short", 3);
    gnu.set(Buffer.from("ustar  \0"), 257);
    const b256 = tarHeader("big", 0);
    b256.fill(0, 124, 136);
    b256[124] = 0x80;
    b256[135] = 2;
    const bytes = Buffer.concat([
      tarHeader("pax_global_header", 9, "g"),
      body("9 a=b\n\0\0"),
      gnuName,
      body(`${long}\0`),
      resum(gnu),
      body("abc"),
      resum(b256),
      body("hi"),
      Buffer.alloc(1024),
    ]);
    expect(names(bytes)).toEqual([
      [long, "abc"],
      ["big", "hi"],
    ]);
  });

  it("accepts signed-byte checksums from old tars", () => {
    const h = tarHeader("é", 0);
    h.set(Buffer.from("        "), 148);
    const signed = h.reduce((a, b) => a + (b > 127 ? b - 256 : b), 0);
    h.set(Buffer.from(`${signed.toString(8).padStart(6, "0")}\0 `), 148);
    expect(names(Buffer.concat([h, Buffer.alloc(1024)]))).toEqual([["é", ""]]);
  });

  it.each([
    [Buffer.concat([tarHeader("a", 600), Buffer.alloc(100)]), "The archive is truncated."],
    [Buffer.concat([tarHeader("a", 0), Buffer.from("garbage")]), "The archive is truncated."],
    [
      (() => {
        const h = tarHeader("a", 0);
        h[0] = 0x62;
        return h;
      })(),
      "The archive is not a valid tar archive (a header checksum does not match).",
    ],
    [
      resum(
        (() => {
          const h = tarHeader("a", 0);
          h.fill(0, 124, 136);
          h[124] = 0xff;
          return h;
        })(),
      ),
      "The archive is not a valid tar archive (a header has an invalid size).",
    ],
    [Buffer.concat([tarHeader("x", 6, "x"), Buffer.from("abc=d\n"), Buffer.alloc(506)]), "The archive has an invalid extended header."],
    [Buffer.concat([tarHeader("x", 11, "x"), Buffer.from("11 size=1x\n"), Buffer.alloc(501)]), "The archive has an invalid extended header."],
  ])("rejects a bad archive %#", (bytes, message) => {
    expect(() => readTar(bytes, all)).toThrow(new FormatError(message));
  });

  it("enforces entry and size limits", () => {
    expect(() => readTar(archive, { ...all, maxEntries: 2 })).toThrow("The archive has more than 2 entries.");
    expect(() => readTar(archive, { ...all, maxReadBytes: 1000 })).toThrow('"c.txt" in the archive is too large (1300 bytes; the limit is 1000 bytes).');
    const hugePax = Buffer.concat([tarHeader("x", 2 * 1024 * 1024, "x"), Buffer.alloc(512)]);
    expect(() => readTar(hugePax, all)).toThrow("The archive has an oversized extended header.");
  });
});
