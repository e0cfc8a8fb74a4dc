import type { Request } from "express";

const IP = Symbol("keyhouse.clientIp");

/**
 * The client's address as Express sees it: the connection's address, or the last
 * X-Forwarded-For entry not added by a proxy that KEYHOUSE_TRUST_PROXY trusts (a hop count
 * or CIDRs, http/trust-proxy.ts; entries before it are whatever the client chose to send).
 * Worked out once per request.
 */
export function clientIp(req: Request): string {
  const r = req as Request & { [IP]?: string };
  return (r[IP] ??= (req.ip ?? req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, ""));
}
