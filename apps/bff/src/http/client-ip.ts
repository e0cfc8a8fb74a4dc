import type { Request } from "express";

const IP = Symbol("keyhouse.clientIp");

/** The client's address as Express sees it (X-Forwarded-For only when KEYHOUSE_TRUST_PROXY is on); worked out once per request. */
export function clientIp(req: Request): string {
  const r = req as Request & { [IP]?: string };
  return (r[IP] ??= (req.ip ?? req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, ""));
}
