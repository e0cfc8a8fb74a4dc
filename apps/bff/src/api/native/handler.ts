// GET|POST /api/json/{Method}: find the method, check the key (ApiAccess, surface
// "native"), read the arguments (args.ts), run the adapter, answer its rows as JSON.
import type { Request, RequestHandler, Response } from "express";
import { AppError } from "../../errors.ts";
import { clientIp } from "../../http/client-ip.ts";
import type { Services } from "../../services.ts";
import type { ApiAccess } from "../access.ts";
import { parseArguments } from "../args.ts";
import { findMethod } from "./registry.ts";

function methodName(req: Request): string {
  const raw = String(req.params.method ?? "");
  const clean = raw.replace(/[\u0000-\u001f\u007f"\\]/g, "?");
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}

export function nativeHandler(services: Services, access: ApiAccess): RequestHandler {
  return async (req: Request, res: Response) => {
    res.setHeader("Cache-Control", "no-store");
    if (req.method !== "GET" && req.method !== "HEAD" && req.method !== "POST") {
      throw new AppError("METHOD_NOT_ALLOWED", `Native API methods are called with GET or POST, not ${req.method}.`, { headers: { Allow: "GET, POST" } });
    }
    const method = findMethod(String(req.params.method ?? ""));
    if (!method) throw new AppError("NOT_FOUND", `There is no Native API method "${methodName(req)}". The methods are listed at /api/openapi.json.`);
    const now = new Date();
    const caller = await access.check(req, res, "native", now);
    const args = parseArguments(method.args, req.query, req.body, `Method ${method.name}`);
    const rows = await method.run({ db: services.db, services, caller, ip: clientIp(req), now }, args as never);
    res.json(rows);
  };
}
