// KEYHOUSE_TRUST_PROXY: which X-Forwarded-For entries to believe (docs/configuration.md).
// Never "any": a client could then name whatever address it likes, and the sign-in
// throttle and the access log would believe it (docs/threat-model.md). The value maps
// one to one onto Express's `trust proxy` setting, which takes a hop count or a list.
import { isIP } from "node:net";

/** false: no proxy; a number: that many proxies in front; a list: proxies at these addresses/CIDRs. */
export type TrustProxy = false | number | string[];

// proxy-addr's (Express's) names for well-known ranges.
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);
const MAX_HOPS = 10;

const ALLOWED =
  'must be "false", a number of proxy hops in front of Keyhouse (such as 1), or a comma-separated list of the trusted proxies\' addresses or CIDRs (such as 10.0.0.0/8,fd00::/8)';

/** The setting for a variable's value, or the reason it is refused. */
export function parseTrustProxy(value: string): { ok: true; trustProxy: TrustProxy } | { ok: false; message: string } {
  const v = value.trim();
  if (v === "false" || v === "0") return { ok: true, trustProxy: false };
  if (v === "true") {
    return { ok: false, message: `${ALLOWED}; "true" would believe any X-Forwarded-For, so give the number of proxy hops or the proxies' CIDRs instead` };
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= MAX_HOPS ? { ok: true, trustProxy: hops } : { ok: false, message: `${ALLOWED}; at most ${MAX_HOPS} hops` };
  }
  const entries = v.split(",").map((e) => e.trim());
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (bad.length > 0) return { ok: false, message: `${ALLOWED}; ${bad.map((b) => JSON.stringify(b)).join(", ")} is not an IP address or CIDR` };
  return { ok: true, trustProxy: entries };
}

function isAddressOrCidr(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
