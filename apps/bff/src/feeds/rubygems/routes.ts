import { Router } from "express";
import type { Services } from "../../services.ts";

export function rubygemsRoutes(_services: Services): Router {
  const router = Router();
  return router;
}
