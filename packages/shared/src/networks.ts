import { z } from "zod";
import { configureZod } from "./zod-config.ts";

configureZod();

// A key's allowed networks (docs/authorization.md, "Allowed networks"): CIDRs parsed once
// when the key is loaded and matched as bigints, so a 50-entry list costs a few comparisons
// per request. IPv4 addresses and IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are the same
// address here, whichever form the socket or the proxy header gave.

export const MAX_ALLOWED_NETWORKS = 50;

/** An address as a 128-bit number; IPv4 as IPv4-mapped IPv6. */
type Address = bigint;
export type Network = { base: Address; mask: Address };

const V4_MAPPED = 0xffffn << 32n;
const ALL = (1n << 128n) - 1n;

function parseV4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseV6(text: string): bigint | null {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== null) n = (n & ~0xffffffffn) | tailV4;
  return n;
}

/** An address as a 128-bit number (IPv4 mapped into IPv6), or null when it is not one. */
export function parseAddress(text: string): Address | null {
  if (text.length > 64) return null;
  const v4 = parseV4(text);
  if (v4 !== null) return V4_MAPPED | v4;
  const bare = text.replace(/%[0-9A-Za-z_.-]+$/, ""); // a zone id (fe80::1%eth0) does not change the address
  return bare.includes(":") ? parseV6(bare) : null;
}

/** A CIDR ("198.51.100.0/24", "2001:db8::/32") or a lone address; null when it is not a network. */
export function parseNetwork(text: string): Network | null {
  const [addr, prefix, extra] = text.trim().split("/");
  if (addr === undefined || extra !== undefined) return null;
  const isV4 = parseV4(addr) !== null;
  const base = parseAddress(addr);
  if (base === null) return null;
  const max = isV4 ? 32 : 128;
  let bits = max;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix)) return null;
    bits = Number(prefix);
    if (bits > max) return null;
  }
  const hostBits = BigInt(max - bits);
  const mask = ALL ^ ((1n << hostBits) - 1n);
  return { base: base & mask, mask };
}

/**
 * Networks split for speed: IPv4 ones (and IPv4-mapped IPv6 ones of /96 or longer) as
 * 32-bit numbers, the rest as 128-bit bigints. A request from an IPv4 address (the usual
 * case) then costs a parse and a few integer comparisons, no bigint arithmetic.
 */
export type CompiledNetworks = { readonly count: number; readonly v4: readonly { base: number; mask: number }[]; readonly v6: readonly Network[] };

export function compileNetworks(list: readonly string[]): CompiledNetworks {
  const v4: { base: number; mask: number }[] = [];
  const v6: Network[] = [];
  for (const n of list.map(parseNetwork)) {
    if (n === null) continue;
    const mappedPrefix = n.mask >> 32n === ALL >> 32n && n.base >> 32n === 0xffffn;
    if (mappedPrefix) v4.push({ base: Number(n.base & 0xffffffffn) >>> 0, mask: Number(n.mask & 0xffffffffn) >>> 0 });
    else v6.push(n);
  }
  return { count: v4.length + v6.length, v4, v6 };
}

/** parseV4 without bigints or regular expressions: it runs once per request. */
function parseV4Number(text: string): number | null {
  let n = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a final "."
    if (c === 46) {
      if (digits === 0 || part > 255 || ++parts > 4) return null;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return null; // a leading zero ("01")
      part = part * 10 + (c - 48);
      if (++digits > 3) return null;
    } else return null;
  }
  return parts === 4 ? n >>> 0 : null;
}

/** Whether the address lies in one of the networks; an address that does not parse is in none. */
export function addressInNetworks(address: string, networks: CompiledNetworks): boolean {
  const plain = address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
  const a4 = plain.includes(":") ? null : parseV4Number(plain);
  if (a4 !== null) {
    for (const n of networks.v4) if ((a4 & n.mask) >>> 0 === n.base) return true;
    if (networks.v6.length === 0) return false;
  }
  const a = a4 !== null ? V4_MAPPED | BigInt(a4) : parseAddress(address);
  if (a === null) return false;
  if (a >> 32n === 0xffffn) {
    const low = Number(a & 0xffffffffn) >>> 0;
    if (networks.v4.some((n) => (low & n.mask) >>> 0 === n.base)) return true;
  }
  return networks.v6.some((n) => (a & n.mask) === n.base);
}

/** The one schema for "Allowed networks", used by the wizard, the admin form and the server. */
export const allowedNetworksSchema = z
  .array(z.string().trim().max(64, "A network is at most 64 characters."))
  .max(MAX_ALLOWED_NETWORKS, `A key allows at most ${MAX_ALLOWED_NETWORKS} networks.`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const entry of list) {
      if (parseNetwork(entry) === null) ctx.addIssue({ code: "custom", message: `${entry} is not a network` });
      else if (seen.has(entry)) ctx.addIssue({ code: "custom", message: `${entry} is listed twice` });
      seen.add(entry);
    }
  });

/** The wizard's text field: one network per line or comma-separated. */
export function splitNetworks(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
