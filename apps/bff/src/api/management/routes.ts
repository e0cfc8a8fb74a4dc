// The API-keys management API (ProGet's /api/api-keys/*): create, list, delete, with the
// ApiKeyInfo JSON shape. Calls need a key with the "keys" or "native" API; creating
// needs an administrator or the API key user and gives at most the calling key's own APIs,
// feeds and user (keys/key-bounds.ts); listing and deleting reach only the caller's
// own keys unless it is one of those.
import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { AppError, badRequest } from "../../errors.ts";
import { clientIp } from "../../http/client-ip.ts";
import { requireGrantWithinCaller, requireKeyOnCallerFeeds } from "../../keys/key-bounds.ts";
import { keyUsageAdvice } from "../../keys/advisor.ts";
import { deleteKey } from "../../keys/lifecycle.ts";
import { reachableKey, reachableKeys } from "../../keys/reach.ts";
import { createSystemKey } from "../../keys/system.ts";
import type { Services } from "../../services.ts";
import { requireFullControl, callerOf, type ApiAccess } from "../access.ts";
import { arg, checkJsonBody, parseArguments } from "../args.ts";
import { apiKeyInfo, apiKeyInfoCreateSchema, systemKeyInputOf } from "./api-key-info.ts";

export const usageArgsSchema = z.object({ id: arg.integer({ description: "The ID of the key whose usage to read.", required: true }) });
export const deleteArgsSchema = z.object({ id: arg.integer({ description: "The ID of the key to delete.", required: true }) });

const isJson = (req: Request) => (req.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase() === "application/json";

function only(methods: string[]): RequestHandler {
  return (req, _res, next) => {
    if (methods.includes(req.method) || (req.method === "HEAD" && methods.includes("GET"))) return next();
    next(
      new AppError("METHOD_NOT_ALLOWED", `${req.baseUrl}${req.path} is called with ${methods.join(" or ")}, not ${req.method}.`, {
        headers: { Allow: methods.join(", ") },
      }),
    );
  };
}

export function managementRoutes(services: Services, access: ApiAccess): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  router.all("/create", only(["POST"]), async (req: Request, res: Response) => {
    const now = new Date();
    const caller = await access.check(req, res, "keys", now);
    requireFullControl(caller, "create API keys");
    if (!isJson(req) || req.body === null || typeof req.body !== "object" || Array.isArray(req.body)) {
      throw badRequest("Send the ApiKeyInfo as a JSON object, with Content-Type: application/json.");
    }
    checkJsonBody(req.body);
    const parsed = apiKeyInfoCreateSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? "The ApiKeyInfo is not valid.");
    const input = systemKeyInputOf(parsed.data, caller);
    requireGrantWithinCaller(caller, input, { feeds: '"feed"', user: '"user"' });
    const { key, value } = await createSystemKey({ db: services.db, secret: services.config.secret }, callerOf(caller, clientIp(req)), input, now);
    services.keys.invalidate();
    res.json(apiKeyInfo(key, value));
  });

  router.all("/list", only(["GET"]), async (req: Request, res: Response) => {
    const now = new Date();
    const caller = await access.check(req, res, "keys", now);
    res.json((await reachableKeys(services.db, callerOf(caller, clientIp(req)), now)).map((k) => apiKeyInfo(k)));
  });

  // What the key used over the window and the advisor's suggestion (docs/advisor.md); the same answer as ApiKeys_GetUsage.
  router.all("/usage", only(["GET"]), async (req: Request, res: Response) => {
    const now = new Date();
    const caller = await access.check(req, res, "keys", now);
    const { id } = parseArguments(usageArgsSchema, req.query, req.body, "/api/api-keys/usage");
    res.json(await keyUsageAdvice(services.db, callerOf(caller, clientIp(req)), id, services.config.logRetentionDays, now));
  });

  router.all("/delete", only(["POST", "DELETE"]), async (req: Request, res: Response) => {
    const caller = await access.check(req, res, "keys");
    const { id } = parseArguments(deleteArgsSchema, req.query, req.body, "/api/api-keys/delete");
    const viewer = callerOf(caller, clientIp(req));
    if (caller.feeds !== null) requireKeyOnCallerFeeds(caller, await reachableKey(services.db, viewer, id));
    await deleteKey(services.db, viewer, id);
    services.keys.invalidate();
    res.json({ id, deleted: true });
  });

  return router;
}
