// Everything under /api: the Native API (/api/json/{Method}), the API-keys management
// API (/api/api-keys/*), the OpenAPI document and its reference page. The JSON and form
// body parsers run before this router (http/app.ts), with their 1 MB limit.
import { Router } from "express";
import type { Services } from "../services.ts";
import { ApiAccess } from "./access.ts";
import { docsRoutes } from "./docs.ts";
import { managementRoutes } from "./management/routes.ts";
import { nativeHandler } from "./native/handler.ts";
import { openApiDocument } from "./openapi.ts";

export function apiRoutes(services: Services): Router {
  const router = Router();
  const access = new ApiAccess(services.db, services.keys);

  router.get("/openapi.json", (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.json(openApiDocument());
  });

  router.use(docsRoutes());

  router.all("/json/:method", nativeHandler(services, access));
  router.use("/api-keys", managementRoutes(services, access));
  return router;
}
