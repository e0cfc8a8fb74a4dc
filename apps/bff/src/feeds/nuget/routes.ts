import { Router } from "express";
import type { Services } from "../../services.ts";

export function nugetRoutes(_services: Services): Router {
  const router = Router();
  return router;
}
