// The block of addresses one client controls, for counting sign-in attempts: an IPv4
// address is one client, but an IPv6 client is normally handed a whole /64 and can
// rotate through it freely, so each /64 counts as one client (docs/threat-model.md).
import { isIPv4, isIPv6 } from "node:net";

/** "203.0.113.7" → "203.0.113.7"; "2001:db8:1:2:a:b:c:d" → "2001:db8:1:2::/64"; anything else as given. */
export function addressBlock(ip: string): string {
  const bare = ip.replace(/%.*$/, ""); // a zone index (fe80::1%eth0) names an interface, not a client
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  return `${expandIPv6(bare).slice(0, 4).join(":")}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros, lower case. */
function expandIPv6(ip: string): string[] {
  let text = ip.toLowerCase();
  // An embedded IPv4 tail (::1.2.3.4) is the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}
