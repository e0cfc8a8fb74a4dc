// The API reference page: Scalar's bundle from our own origin, under a CSP that lets in
// nothing else. (That it renders is checked in a real browser by e2e/tests/api-docs.spec.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { startServer } from "../test/server.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  t = await createTestDatabase();
  server = await startServer(t.db);
});
afterAll(async () => {
  await server.close();
  await t.drop();
});

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

async function page() {
  const res = await fetch(`${server.url}/api/docs`);
  return { res, html: await res.text() };
}

describe("GET /api/docs", () => {
  it("is an HTML page that loads Scalar from this origin and points it at /api/openapi.json", async () => {
    const { res, html } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    const sources = scripts.flatMap((s) => [...s.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]!));
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatch(/^\/api\/docs\/scalar-\d+\.\d+\.\d+\.js$/);
    // The only other script element is Scalar's configuration: empty, so never run as code.
    expect(html).toMatch(/<script id="api-reference" data-configuration='[^']*"url":"\/api\/openapi.json"[^']*'><\/script>/);
    expect(html.match(/<script\b[^>]*>([^<]*)<\/script>/g)?.every((s) => /<script\b[^>]*><\/script>/.test(s))).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it("has a strict CSP of its own: scripts from 'self' only, nothing from any other origin", async () => {
    const { res } = await page();
    const csp = directives(res.headers.get("content-security-policy") ?? "");
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("script-src")).toEqual(["'self'"]);
    // Scalar's style attributes and <style> elements: on this page only, and styles run no code.
    expect(csp.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    for (const [name, values] of csp) {
      for (const v of values) expect(v, name).toMatch(name === "style-src" ? /^('self'|'unsafe-inline')$/ : /^('self'|'none'|data:)$/);
    }
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("serves the pinned Scalar bundle as JavaScript, cacheable for good", async () => {
    const { html } = await page();
    const src = /<script src="([^"]+)"><\/script>/.exec(html)![1]!;
    const res = await fetch(`${server.url}${src}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await res.text();
    expect(body.length).toBeGreaterThan(100_000);
    expect(body).toContain("api-reference");
  });

  it("keeps the app's own CSP everywhere else", async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    const csp = directives(res.headers.get("content-security-policy") ?? "");
    expect(csp.get("style-src")).toEqual(["'self'"]);
    expect(csp.get("script-src")).toEqual(["'self'"]);
  });
});
