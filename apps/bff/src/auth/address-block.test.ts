import { describe, expect, it } from "vitest";
import { addressBlock } from "./address-block.ts";

describe("addressBlock", () => {
  it("keeps an IPv4 address whole", () => {
    expect(addressBlock("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBlock("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts every address of an IPv6 /64 as one client, however it is written", () => {
    const block = addressBlock("2001:db8:1:2::1");
    expect(block).toBe("2001:db8:1:2::/64");
    for (const same of ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0DB8:0001:0002:0:0:0:9", "2001:db8:1:2:a::b", "2001:db8:1:2::1.2.3.4"]) {
      expect(addressBlock(same), same).toBe(block);
    }
    expect(addressBlock("2001:db8:1:3::1")).not.toBe(block);
    expect(addressBlock("::1")).toBe("0:0:0:0::/64");
    expect(addressBlock("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("passes anything that is not an address through", () => {
    expect(addressBlock("unknown")).toBe("unknown");
  });
});
