// The npm feed at /npm/{feed}/: one dispatcher over the registry's URL grammar (paths.ts),
// because npm's scoped names do not fit Express route patterns.
import { Router, type Request } from "express";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { readJsonBody, readPackumentPut, SMALL_BODY_LIMIT } from "./body.ts";
import { PackumentCache } from "./cache.ts";
import { forNpmCli, registryBaseUrl, type NpmContext } from "./context.ts";
import { deleteDistTag, putDistTag } from "./dist-tags.ts";
import { parseNpmPath, type NpmRoute } from "./paths.ts";
import { publish } from "./publish.ts";
import { getDistTags, getPackument, getTarball, getVersion, ping, whoami } from "./read.ts";
import { unpublishPackage, unpublishTarball, updatePackument } from "./update.ts";

type Handlers = Partial<Record<"GET" | "PUT" | "POST" | "DELETE", () => Promise<void> | void>>;

/**
 * The gate before any npm PUT reads its body (docs/authorization.md): the key, its feeds
 * API and feed restriction, the acting user's add or unlist privilege and a write scope.
 * A refusal answers at once and closes the connection instead of reading the body.
 */
function checkBeforeBody(ctx: NpmContext): Promise<void> {
  return ctx.services.feedAccess.checkBeforeUpload(ctx.req, ctx.res, ctx.feed, "npm-put");
}

/** A publish carries its tarball in _attachments; anything else PUT to /{name} edits the packument. */
async function putPackument(ctx: NpmContext, name: string): Promise<void> {
  await checkBeforeBody(ctx);
  const body = await readPackumentPut(ctx.req, ctx.res, ctx.services.config);
  try {
    const attachments = (body.value as { _attachments?: unknown } | null)?._attachments;
    const isPublish = typeof attachments === "object" && attachments !== null && Object.keys(attachments).length > 0;
    // Until the tarball is read, the access log describes the whole upload (receiveUpload), never its content.
    if (isPublish) return await publish(ctx, name, body);
    // A packument edit is a small JSON document: logged as one when the key logs bodies.
    delete ctx.res.locals.keyhouseUpload;
    ctx.req.body = body.value;
    return await updatePackument(ctx, name, body.value);
  } finally {
    await body.dispose();
  }
}

function handlersFor(ctx: NpmContext, route: NpmRoute): Handlers {
  switch (route.kind) {
    case "ping":
      return { GET: () => ping(ctx) };
    case "whoami":
      return { GET: () => whoami(ctx) };
    case "login": {
      const refuse = () => {
        const nerfDart = ctx.baseUrl.replace(/^https?:/, "");
        throw new AppError(
          "NOT_FOUND",
          `npm login is not supported: this feed takes API keys. Create one in Keyhouse (Account › API keys) and add it to your .npmrc as ${nerfDart}:_authToken=<key>.`,
        );
      };
      return { GET: refuse, PUT: refuse, DELETE: refuse, POST: refuse };
    }
    case "distTags":
      return { GET: () => getDistTags(ctx, route.name) };
    case "distTag":
      return {
        PUT: async () => {
          await checkBeforeBody(ctx);
          await putDistTag(ctx, route.name, route.tag);
        },
        DELETE: () => deleteDistTag(ctx, route.name, route.tag),
      };
    case "packument":
      return { GET: () => getPackument(ctx, route.name), PUT: () => putPackument(ctx, route.name) };
    case "version":
      return { GET: () => getVersion(ctx, route.name, route.spec) };
    case "tarball":
      return { GET: () => getTarball(ctx, route.name, route.file) };
    case "packageRev":
      return {
        PUT: async () => {
          await checkBeforeBody(ctx);
          await updatePackument(ctx, route.name, await readJsonBody(ctx.req, ctx.res, SMALL_BODY_LIMIT), route.rev);
        },
        DELETE: () => unpublishPackage(ctx, route.name, route.rev),
      };
    case "tarballRev":
      return { DELETE: () => unpublishTarball(ctx, route.name, route.file, route.rev) };
  }
}

function describe(req: Request): string {
  return `${req.method} ${req.baseUrl}${req.path}`.slice(0, 300);
}

export function npmRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const cache = new PackumentCache(services.db);
  router.use(async (req, res, next) => {
    try {
      const feedName = String((req.params as Record<string, string>).feed);
      // PostgreSQL refuses NUL in a query parameter; no feed name has control characters.
      if (/[\u0000-\u001f]/.test(feedName))
        throw new AppError("NOT_FOUND", `There is no npm feed named "${feedName.replace(/[\u0000-\u001f]/g, "?").slice(0, 100)}".`);
      const feed = await services.feedAccess.feed(feedName, "npm");
      const ctx: NpmContext = { services, feed, baseUrl: registryBaseUrl(req, services, feed), req, res, cache };
      const route = parseNpmPath(req.path);
      if (!route) throw new AppError("NOT_FOUND", `The npm feed "${feed.name}" has no endpoint at ${describe(req)}.`);
      const handlers = handlersFor(ctx, route);
      const method = req.method === "HEAD" ? "GET" : req.method;
      const handler = handlers[method as keyof Handlers];
      if (!handler) {
        throw new AppError("METHOD_NOT_ALLOWED", `${req.method} is not supported at ${req.baseUrl}${req.path}; use ${Object.keys(handlers).join(" or ")}.`, {
          headers: { Allow: Object.keys(handlers).join(", ") },
        });
      }
      await handler();
    } catch (err) {
      next(forNpmCli(req, err));
    }
  });
  return router;
}
