// The real npm CLI (npm 11) against the npm feed: publish, dist-tag, deprecate, install,
// unpublish and whoami, and the refusals of docs/authorization.md as npm prints them. One npm run at a
// time: each costs about a second, and the runs build on each other.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NpmSandbox, requireNpm, type NpmResult } from "./npm-cli.ts";
import { createNpmWorld, npmHttp, type NpmWorld } from "./test-world.ts";

let w: NpmWorld;
let sb: NpmSandbox;
let demo: string;
let lib: string;

const manifest = (name: string, version: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, version, main: "index.js", license: "MIT", ...extra }, null, 2);

beforeAll(async () => {
  w = await createNpmWorld();
  sb = new NpmSandbox(w.registry);
  demo = sb.project("kh-demo", { "package.json": manifest("kh-demo", "1.0.0"), "index.js": "module.exports = 'demo';\n", "README.md": "# kh-demo\n" });
  lib = sb.project("kh-lib", {
    "package.json": manifest("@kh/lib", "1.0.0", { dependencies: { "kh-demo": "^1.0.0" } }),
    "index.js": "module.exports = require('kh-demo');\n",
  });
}, 120_000);

afterAll(async () => {
  if (sb) {
    const total = sb.timings.reduce((s, t) => s + t.ms, 0);
    console.log(
      `npm CLI: ${sb.timings.length} runs, ${total} ms in all\n${sb.timings.map((t) => `  ${String(t.ms).padStart(5)} ms  npm ${t.args}`).join("\n")}`,
    );
    sb.cleanup();
  }
  await w?.close();
});

const ok = (r: NpmResult) => expect(r.code, `npm failed:\n${r.stderr}`).toBe(0);

/** npm prints `npm error <status> <reason> - <METHOD> <url> - <our message>`. */
function expectRefusal(r: NpmResult, status: number, message: string) {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`npm error code E${status}`);
  expect(r.stderr).toContain(` - ${message}`);
}

async function versionsOf(name: string): Promise<string[]> {
  const res = await npmHttp(w).get(name.replace("/", "%2f"), { key: w.keys.full });
  if (res.status === 404) return [];
  return Object.keys(((await res.json()) as { versions: object }).versions);
}

describe("the npm CLI against the npm feed", { timeout: 120_000 }, () => {
  // Every test below fails the same way when npm is missing: none is skipped.
  it("has the npm CLI to run", () => {
    expect(requireNpm()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("publishes an unscoped package", async () => {
    const r = await sb.run(demo, w.keys.full, ["publish"]);
    ok(r);
    expect(r.stdout).toContain("+ kh-demo@1.0.0");
    expect(w.storedFiles("kh-demo")).toHaveLength(1);
  });

  it("publishes a scoped package with a legacy key", async () => {
    const r = await sb.run(lib, w.keys.legacy, ["publish", "--access", "public"]);
    ok(r);
    expect(r.stdout).toContain("+ @kh/lib@1.0.0");
    expect(await versionsOf("@kh/lib")).toEqual(["1.0.0"]);
  });

  it("whoami names the key's user, or api-key-user for a system key", async () => {
    const alice = await sb.run(demo, w.keys.full, ["whoami"]);
    ok(alice);
    expect(alice.stdout.trim()).toBe("alice");
    const system = await sb.run(demo, w.keys.system, ["whoami"]);
    ok(system);
    expect(system.stdout.trim()).toBe("api-key-user");
  });

  it("refuses to publish over an existing version with npm's message", async () => {
    // --force skips npm's own check, so the registry's answer is what npm prints.
    const r = await sb.run(demo, w.keys.full, ["publish", "--force"]);
    expectRefusal(r, 409, "You cannot publish over the previously published versions: 1.0.0.");
  });

  it("an Update-only key cannot publish a new package id, but can publish a new version", async () => {
    const fresh = sb.project("kh-fresh", { "package.json": manifest("kh-fresh", "1.0.0"), "index.js": "\n" });
    const refused = await sb.run(fresh, w.keys.updateOnly, ["publish"]);
    expectRefusal(refused, 403, 'This API key does not have the "push" scope, which is needed to push a new package ID.');
    expect(await versionsOf("kh-fresh")).toEqual([]);

    sb.project("kh-demo", { "package.json": manifest("kh-demo", "1.1.0") });
    const allowed = await sb.run(demo, w.keys.updateOnly, ["publish"]);
    ok(allowed);
    expect(await versionsOf("kh-demo")).toEqual(["1.0.0", "1.1.0"]);
  });

  it("dist-tag add, ls and rm", async () => {
    const add = await sb.run(demo, w.keys.full, ["dist-tag", "add", "kh-demo@1.0.0", "beta"]);
    ok(add);
    expect(add.stdout).toContain("+beta: kh-demo@1.0.0");
    const ls = await sb.run(demo, w.keys.full, ["dist-tag", "ls", "kh-demo"]);
    ok(ls);
    expect(ls.stdout.trim().split("\n")).toEqual(["beta: 1.0.0", "latest: 1.1.0"]);
    const rm = await sb.run(demo, w.keys.full, ["dist-tag", "rm", "kh-demo", "beta"]);
    ok(rm);
    expect(rm.stdout).toContain("-beta: kh-demo@1.0.0");
  });

  it("deprecate needs the unlist scope, and then marks the version", async () => {
    const refused = await sb.run(demo, w.keys.updateOnly, ["deprecate", "kh-demo@1.0.0", "Use 1.1.0"]);
    expectRefusal(refused, 403, 'This API key does not have the "unlist" scope.');
    const r = await sb.run(demo, w.keys.full, ["deprecate", "kh-demo@1.0.0", "Use 1.1.0"]);
    ok(r);
    const doc = (await (await npmHttp(w).get("kh-demo", { key: w.keys.full })).json()) as { versions: Record<string, { deprecated?: string }> };
    expect(doc.versions["1.0.0"]!.deprecated).toBe("Use 1.1.0");
    expect(doc.versions["1.1.0"]!.deprecated).toBeUndefined();
  });

  it("installs a published package and its dependency into a fresh project", async () => {
    const app = sb.project("app", { "package.json": JSON.stringify({ name: "app", version: "1.0.0", private: true }) });
    const r = await sb.run(app, w.keys.full, ["install", "@kh/lib", "--no-audit", "--no-fund", "--prefer-online"]);
    ok(r);
    expect(r.stdout).toMatch(/added 2 packages/);
    const installed = (p: string) => JSON.parse(readFileSync(path.join(app, "node_modules", p, "package.json"), "utf8")) as { version: string };
    expect(installed("@kh/lib").version).toBe("1.0.0");
    expect(installed("kh-demo").version).toBe("1.1.0");
    expect(existsSync(path.join(app, "node_modules", "kh-demo", "README.md"))).toBe(true);
    const lock = readFileSync(path.join(app, "package-lock.json"), "utf8");
    expect(lock).toContain(`"resolved": "${w.registry}kh-demo/-/kh-demo-1.1.0.tgz"`);
    expect(lock).not.toContain("registry.npmjs.org");
  });

  it("unpublishes one version", async () => {
    const r = await sb.run(demo, w.keys.full, ["unpublish", "kh-demo@1.0.0", "--force"]);
    ok(r);
    expect(r.stdout).toContain("- kh-demo@1.0.0");
    expect(await versionsOf("kh-demo")).toEqual(["1.1.0"]);
  });

  it("unpublishes a whole package", async () => {
    const r = await sb.run(lib, w.keys.full, ["unpublish", "@kh/lib", "--force"]);
    ok(r);
    expect(r.stdout).toContain("- @kh/lib");
    expect(await versionsOf("@kh/lib")).toEqual([]);
  });
});

describe("what the npm CLI prints when the feed refuses", { timeout: 120_000 }, () => {
  beforeAll(() => {
    sb.project("kh-demo", { "package.json": manifest("kh-demo", "1.2.0") });
  });

  it("no key: 401 naming the accepted ways", async () => {
    const r = await sb.run(demo, null, ["view", "kh-demo"]);
    expectRefusal(r, 401, "This request needs an API key. Present it in an Authorization: Bearer header (npm's _authToken) or Basic authentication.");
  });

  it.each([
    ["a wrong key", () => w.keys.wrong, MESSAGES.invalidKey],
    ["an expired key", () => w.keys.expired, MESSAGES.invalidKey],
    ["a revoked key", () => w.keys.revoked, MESSAGES.invalidKey],
    ["a key for another package", () => w.keys.otherPackage, 'This API key is not allowed for package "kh-demo".'],
    ["a key restricted to another feed", () => w.keys.otherFeed, 'This API key is restricted to other feeds and cannot be used on feed "npm".'],
  ])("%s: 403 with the message", async (_label, key, message) => {
    const r = await sb.run(demo, key(), ["publish"]);
    expectRefusal(r, 403, message);
    expect(await versionsOf("kh-demo")).toEqual(["1.1.0"]);
  });
});
