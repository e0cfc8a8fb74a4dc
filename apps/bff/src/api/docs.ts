// GET /api/docs: the API reference, rendered in the browser by Scalar from
// /api/openapi.json (so the page and the document cannot disagree), with "try it".
// Scalar's standalone bundle is a pinned dependency served from our own origin; nothing
// is fetched from elsewhere. The page gets its own Content-Security-Policy: scripts from
// 'self' only, nothing from any other origin. Styles need 'unsafe-inline' on this one
// page: Scalar sets style attributes and adds <style> elements (themes, highlighting)
// that no nonce or hash can cover; styles cannot run code, and every other response
// keeps the app's CSP without it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Router } from "express";

const scalarDir = path.dirname(path.dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")));
const SCALAR_VERSION = (JSON.parse(readFileSync(path.join(scalarDir, "package.json"), "utf8")) as { version: string }).version;
const SCALAR_BUNDLE = path.join(scalarDir, "dist", "browser", "standalone.js");

/** Versioned, so the bundle can be cached for good and a new pin is fetched at once. */
export const SCALAR_BUNDLE_PATH = `/api/docs/scalar-${SCALAR_VERSION}.js`;

// Scalar's defaults reach out to scalar.com (fonts, telemetry, a request proxy, its agent);
// the reference needs none of them: "try it" calls this origin directly.
const SCALAR_CONFIGURATION = {
  url: "/api/openapi.json",
  telemetry: false,
  withDefaultFonts: false,
  persistAuth: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: "never",
};

export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const attribute = (s: string) => s.replace(/&/g, "&amp;").replace(/'/g, "&#39;").replace(/</g, "&lt;");

export function renderDocsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keyhouse API reference</title>
</head>
<body>
<noscript>The API reference needs JavaScript. The OpenAPI document itself is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
<script id="api-reference" data-configuration='${attribute(JSON.stringify(SCALAR_CONFIGURATION))}'></script>
<script src="${SCALAR_BUNDLE_PATH}"></script>
</body>
</html>
`;
}

export function docsRoutes(): Router {
  const router = Router();
  const page = renderDocsPage();
  router.get("/docs", (_req, res) => {
    res.setHeader("Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY);
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(page);
  });
  router.get(SCALAR_BUNDLE_PATH.slice("/api".length), (_req, res) => {
    // pnpm keeps packages under node_modules/.pnpm, which sendFile would otherwise refuse as a dotfile.
    res.sendFile(SCALAR_BUNDLE, {
      dotfiles: "allow",
      headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable" },
    });
  });
  return router;
}
