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
export type CompiledNetworks = readonly Network[];

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
    head = text.slice(0, lastColon + 1) + "0:0";
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

export function compileNetworks(list: readonly string[]): CompiledNetworks {
  return list.map(parseNetwork).filter((n): n is Network => n !== null);
}

/** Whether the address lies in one of the networks; an address that does not parse is in none. */
export function addressInNetworks(address: string, networks: CompiledNetworks): boolean {
  const a = parseAddress(address);
  if (a === null) return false;
  return networks.some((n) => (a & n.mask) === n.base);
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
