import { BlockList } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressInNetworks, allowedNetworksSchema, compileNetworks, parseNetwork } from "./networks.ts";

// Node's own BlockList is the reference: a different implementation (the C++ one in
// node:net) that also treats IPv4-mapped IPv6 addresses as their IPv4 address.

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((n) => n.toString(16)).join(":"));
const mapped = v4.map((a) => `::ffff:${a}`);

function reference(address: string, networks: { addr: string; prefix: number; v6: boolean }[]): boolean {
  const list = new BlockList();
  for (const n of networks) list.addSubnet(n.addr, n.prefix, n.v6 ? "ipv6" : "ipv4");
  return list.check(address, address.includes(":") ? "ipv6" : "ipv4");
}

const network = fc.oneof(
  fc.record({ addr: v4, prefix: fc.nat(32), v6: fc.constant(false) }),
  fc.record({ addr: v6, prefix: fc.nat(128), v6: fc.constant(true) }),
);

describe("allowed networks", () => {
  it("match as node:net's BlockList does, IPv4-mapped IPv6 addresses included", () => {
    fc.assert(
      fc.property(fc.array(network, { maxLength: 6 }), fc.oneof(v4, v6, mapped), (nets, address) => {
        const compiled = compileNetworks(nets.map((n) => `${n.addr}/${n.prefix}`));
        expect(addressInNetworks(address, compiled)).toBe(reference(address, nets));
      }),
      { numRuns: 2000 },
    );
  });

  it("an address inside a generated network matches, in both IPv4 forms", () => {
    fc.assert(
      fc.property(v4, fc.nat(32), (address, prefix) => {
        const compiled = compileNetworks([`${address}/${prefix}`]);
        expect(addressInNetworks(address, compiled)).toBe(true);
        expect(addressInNetworks(`::ffff:${address}`, compiled)).toBe(true);
      }),
    );
  });

  it("reads compressed IPv6 and IPv4-mapped networks", () => {
    expect(addressInNetworks("2001:db8::1", compileNetworks(["2001:db8::/32"]))).toBe(true);
    expect(addressInNetworks("2001:db9::1", compileNetworks(["2001:db8::/32"]))).toBe(false);
    expect(addressInNetworks("203.0.113.9", compileNetworks(["::ffff:203.0.113.0/120"]))).toBe(true);
    expect(addressInNetworks("unknown", compileNetworks(["0.0.0.0/0"]))).toBe(false);
    // IPv6 networks that hold the IPv4-mapped range, however written, hold IPv4 addresses.
    expect(addressInNetworks("10.1.2.3", compileNetworks(["::/0"]))).toBe(true);
    expect(addressInNetworks("10.1.2.3", compileNetworks(["::ffff:0:0/96"]))).toBe(true);
    expect(addressInNetworks("::ffff:10.1.2.3", compileNetworks(["10.0.0.0/8"]))).toBe(true);
    expect(addressInNetworks("::ffff:a01:203", compileNetworks(["10.0.0.0/8"]))).toBe(true);
    expect(addressInNetworks("10.1.2.3", compileNetworks(["2001:db8::/32"]))).toBe(false);
  });

  it("refuses what is not a network with a message naming it", () => {
    for (const bad of ["198.51.100.7/33", "256.1.1.1", "1.2.3", "2001:db8::/129", "::1::2", "10.0.0.0/8/1", "example.com", "01.2.3.4"]) {
      expect(parseNetwork(bad), bad).toBeNull();
    }
    const result = allowedNetworksSchema.safeParse(["10.0.0.0/8", "198.51.100.7/33"]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(["198.51.100.7/33 is not a network"]);
    expect(allowedNetworksSchema.safeParse(Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`)).error?.issues[0]?.message).toBe(
      "A key allows at most 50 networks.",
    );
  });
});
