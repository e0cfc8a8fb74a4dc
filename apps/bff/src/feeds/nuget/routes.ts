// The NuGet feed at /nuget/{feed}/: the v3 read resources, the v2 push/unlist/relist
// endpoints, and the feed-root forms nuget.exe 2.x uses when given the root URL.
import { Router } from "express";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { nugetErrors } from "./errors.ts";
import { nugetV2ReadRoutes } from "./odata/routes.ts";
import { packageFileHandler, versionListHandler } from "./flat-container.ts";
import { setListedHandler } from "./listing.ts";
import { pushHandler } from "./push.ts";
import { registrationIndexHandler, registrationLeafHandler } from "./registration.ts";
import { searchHandler } from "./search.ts";
import { feedRootHandler, pushUrlProbeHandler, serviceIndexHandler } from "./service-index.ts";

export function nugetRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const push = pushHandler(services);
  const unlist = setListedHandler(services, false);
  const relist = setListedHandler(services, true);

  router.get("/v3/index.json", serviceIndexHandler(services));
  router.get("/v3-flatcontainer/:id/index.json", versionListHandler(services));
  router.get("/v3-flatcontainer/:id/:version/:file", packageFileHandler(services));
  router.get("/v3/registration/:id/index.json", registrationIndexHandler(services));
  router.get("/v3/registration/:id/:leaf", registrationLeafHandler(services));
  router.get("/v3/search", searchHandler(services));

  router.get("/api/v2/package", pushUrlProbeHandler(services));
  router.put("/api/v2/package", push);
  router.delete("/api/v2/package/:id/:version", unlist);
  router.post("/api/v2/package/:id/:version", relist);
  router.use("/api/v2", nugetV2ReadRoutes(services));

  router.get("/", feedRootHandler(services));
  router.put("/", push);
  router.delete("/:id/:version", unlist);

  router.all("/{*rest}", (req) => {
    throw new AppError(
      "NOT_FOUND",
      `The NuGet feed has nothing at ${req.method} ${req.originalUrl.split("?")[0]}. Clients start from the service index, ${req.baseUrl}/v3/index.json.`,
    );
  });
  router.use(nugetErrors);
  return router;
}
