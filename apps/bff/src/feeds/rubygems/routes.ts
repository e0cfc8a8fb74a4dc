// The RubyGems feed at /rubygems/{feed}/: push and yank as the gem client sends them,
// downloads, the compact index Bundler and `gem install` read, and the legacy Marshal
// indexes of `gem search --remote`.
import { Router } from "express";
import type { Services } from "../../services.ts";
import { infoFile, namesFile, versionsFile } from "./compact-index.ts";
import { downloadGem, quickSpecFile } from "./downloads.ts";
import { legacyIndex } from "./legacy-index.ts";
import { pushGem } from "./push.ts";
import { feedRoot, noDependencyApi } from "./root.ts";
import { notServed, textErrors } from "./text-responses.ts";
import { yankGem } from "./yank.ts";

export function rubygemsRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  router.get("/", feedRoot(services));
  router.post("/api/v1/gems", ...pushGem(services));
  router.delete("/api/v1/gems/yank", ...yankGem(services));
  router.get("/api/v1/dependencies", noDependencyApi(services));
  router.get("/versions", versionsFile(services));
  router.get("/names", namesFile(services));
  router.get("/info/:gem", infoFile(services));
  router.get("/gems/:file", downloadGem(services));
  router.get("/quick/Marshal.4.8/:file", quickSpecFile(services));
  for (const index of ["specs", "latest_specs", "prerelease_specs"] as const) router.get(`/${index}.4.8.gz`, legacyIndex(services, index));
  router.use(notServed(services));
  router.use(textErrors(services.log));
  return router;
}
