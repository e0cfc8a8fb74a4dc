// Writes real ustar archives for tests (the layout RubyGems' TarWriter and node-tar use):
// 512-byte headers with octal fields and a checksum, bodies padded to 512, two zero blocks.
export interface TarInput {
  name: string;
  data?: string | Uint8Array;
  /** typeflag, "0" (file) by default */
  type?: string;
  mode?: number;
  /** Write a pax "x" header carrying the path (as node-tar does for long paths). */
  paxPath?: boolean;
}

const enc = new TextEncoder();

export function tarHeader(name: string, size: number, type = "0", mode = 0o644, prefix = ""): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, len: number, s: string) => h.set(enc.encode(s).subarray(0, len), at);
  const octal = (at: number, len: number, n: number) => put(at, len, `${n.toString(8).padStart(len - 1, "0")}\0`);
  put(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 1_700_000_000);
  put(148, 8, "        ");
  put(156, 1, type);
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(265, 32, "wheel");
  put(297, 32, "wheel");
  put(345, 155, prefix);
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

export function buildTar(entries: TarInput[], { endBlocks = 2 } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const addBody = (body: Uint8Array) => {
    parts.push(body, new Uint8Array((512 - (body.length % 512)) % 512));
  };
  for (const e of entries) {
    const body = typeof e.data === "string" ? enc.encode(e.data) : (e.data ?? new Uint8Array(0));
    let name = e.name;
    let prefix = "";
    if (e.paxPath) {
      const record = (s: string) => {
        // The length prefix counts itself, so settle it by iterating.
        let len = s.length + 3;
        while (`${len} ${s}\n`.length !== len) len = `${len} ${s}\n`.length;
        return `${len} ${s}\n`;
      };
      const pax = enc.encode(record(`path=${e.name}`));
      parts.push(tarHeader("PaxHeader/x", pax.length, "x"));
      addBody(pax);
      name = e.name.slice(-99);
    } else if (enc.encode(name).length > 100) {
      const cut = name.lastIndexOf("/", name.length - 1);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    parts.push(tarHeader(name, body.length, e.type ?? "0", e.mode ?? 0o644, prefix));
    addBody(body);
  }
  for (let i = 0; i < endBlocks; i++) parts.push(new Uint8Array(512));
  return Buffer.concat(parts);
}
