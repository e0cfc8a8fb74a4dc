// The real RubyGems clients against the feed: `gem build`, `gem push`, `gem yank`,
// `gem install` and Bundler, each with a temporary HOME so no user configuration leaks in.
// They run asynchronously: the server under test lives in this same process.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGem } from "../formats/gem.fixtures.ts";
import { DAY, startGemFeed, type GemFeed } from "./rubygems.fixtures.ts";
import { mistypedKeyValue } from "../../test/keys.ts";

const INSTALL_HINT =
  "The RubyGems client is missing: these tests run the real `gem` and `bundle` commands. Install them with `apt-get install -y ruby` (Debian/Ubuntu) and run the tests again.";

/** Debian names Bundler's command after the Ruby version (bundle3.1); others call it bundle. */
function findCommand(names: string[]): string | null {
  for (const name of names) if (spawnSync(name, ["--version"], { timeout: 30_000 }).status === 0) return name;
  return null;
}

type Run = { code: number | null; out: string; ms: number };

let f: GemFeed;
let work: string;
let home: string;
let owner: string;
let bundle: string | null;

function run(command: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: opts.cwd ?? work,
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8", ...opts.env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, out: `${stdout}${stderr}`, ms: Date.now() - started });
      },
    );
  });
}

/** `gem push`, with the key in GEM_HOST_API_KEY as CI would set it ("" sends no key). */
const gemPush = (file: string, key: string, host = f.url) => run("gem", ["push", file, "--host", host], { env: { GEM_HOST_API_KEY: key } });
const gemYank = (name: string, version: string, key: string, extra: string[] = []) =>
  run("gem", ["yank", name, "-v", version, ...extra, "--host", f.url], { env: { GEM_HOST_API_KEY: key } });

/** A .gem built by the real `gem build` from a tiny gemspec. */
async function gemBuild(name: string, version: string, deps: string[] = []): Promise<string> {
  const dir = path.join(work, `${name}-${version}-src`);
  mkdirSync(path.join(dir, "lib"), { recursive: true });
  writeFileSync(path.join(dir, "lib", `${name}.rb`), `module KhClient; VERSION = "${version}"; end\n`);
  writeFileSync(
    path.join(dir, `${name}.gemspec`),
    `Gem::Specification.new do |s|
  s.name = "${name}"
  s.version = "${version}"
  s.summary = "A gem built by the client tests"
  s.authors = ["Keyhouse"]
  s.license = "MIT"
  s.homepage = "https://keyhouse.invalid"
  s.files = ["lib/${name}.rb"]
${deps.map((d) => `  s.add_dependency ${d}\n`).join("")}end
`,
  );
  const built = await run("gem", ["build", `${name}.gemspec`], { cwd: dir });
  expect(built.out).toContain("Successfully built RubyGem");
  return path.join(dir, `${name}-${version}.gem`);
}

/** A .gem from the fixture builder, for gems `gem build` cannot make here (other platforms). */
function fixtureGem(name: string, version: string, platform?: string): string {
  const file = path.join(work, `${name}-${version}${platform ? `-${platform}` : ""}.gem`);
  writeFileSync(file, buildGem({ name, version, platform }));
  return file;
}

beforeAll(async () => {
  if (!findCommand(["gem"])) throw new Error(INSTALL_HINT);
  bundle = findCommand(["bundle", "bundle3.1"]);
  f = await startGemFeed();
  work = mkdtempSync(path.join(os.tmpdir(), "keyhouse-gem-client-"));
  home = path.join(work, "home");
  mkdirSync(home);
  owner = await f.key({ scopes: ["push", "update", "unlist"] });
});
afterAll(async () => {
  await f?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("gem push, install and yank with the right key", () => {
  it("pushes a gem built by `gem build` and prints rubygems.org's answer", async () => {
    const file = await gemBuild("kh-client", "0.1.0");
    const r = await gemPush(file, owner);
    expect(r.out).toContain(`Pushing gem to ${f.url}...`);
    expect(r.out).toContain("Successfully registered gem: kh-client (0.1.0)");
    expect(r.code).toBe(0);
  });

  it("prints the 409 for a version that exists and exits 1", async () => {
    const r = await gemPush(path.join(work, "kh-client-0.1.0-src", "kh-client-0.1.0.gem"), owner);
    expect(r.out).toContain('Version 0.1.0 of package "kh-client" already exists in feed "gems".');
    expect(r.code).toBe(1);
  });

  it("installs with `gem install --source` through the compact index, dependencies included", async () => {
    expect((await gemPush(await gemBuild("kh-dep", "1.0.0"), owner)).code).toBe(0);
    expect((await gemPush(await gemBuild("kh-app", "2.0.0", ['"kh-dep", "~> 1.0"']), owner)).code).toBe(0);
    const source = `${f.url.replace("http://", `http://api:${owner}@`)}/`;
    const dir = path.join(work, "installed");
    const r = await run("gem", ["install", "kh-app", "--clear-sources", "--source", source, "--install-dir", dir, "--no-document"]);
    expect(r.out).toContain("Successfully installed kh-dep-1.0.0");
    expect(r.out).toContain("Successfully installed kh-app-2.0.0");
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(dir, "gems")).sort()).toEqual(["kh-app-2.0.0", "kh-dep-1.0.0"]);
  });

  it("`gem install` without the key is refused with a 401", async () => {
    const r = await run("gem", ["install", "kh-app", "--clear-sources", "--source", `${f.url}/`, "--install-dir", path.join(work, "anon"), "--no-document"]);
    expect(r.out).toMatch(/bad response Unauthorized 401/);
    expect(r.code).not.toBe(0);
  });

  it("lists the feed with `gem search --remote` (the legacy Marshal indexes)", async () => {
    const source = `${f.url.replace("http://", `http://api:${owner}@`)}/`;
    const latest = await run("gem", ["search", "kh-", "--remote", "--clear-sources", "--source", source]);
    expect(latest.out).toContain("kh-app (2.0.0)");
    expect(latest.out).toContain("kh-dep (1.0.0)");
    expect(latest.code).toBe(0);
    expect((await gemPush(await gemBuild("kh-dep", "1.1.0.pre"), owner)).code).toBe(0);
    const all = await run("gem", ["search", "kh-dep", "--remote", "--all", "--prerelease", "--clear-sources", "--source", source]);
    expect(all.out).toContain("kh-dep (1.1.0.pre, 1.0.0)");
  });

  it("resolves and installs with Bundler, the key kept in Bundler's config rather than the Gemfile", async () => {
    if (!bundle) throw new Error(INSTALL_HINT);
    const dir = path.join(work, "bundler-app");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "Gemfile"), `source "${f.url}/"\ngem "kh-app"\n`);
    const env = { BUNDLE_PATH: path.join(dir, "vendor"), BUNDLE_APP_CONFIG: path.join(dir, ".bundle") };
    expect((await run(bundle, ["config", "set", "--local", `${f.url}/`, `api:${owner}`], { cwd: dir, env })).code).toBe(0);
    const r = await run(bundle, ["install"], { cwd: dir, env });
    expect(r.out).toContain("Installing kh-dep 1.0.0");
    expect(r.out).toContain("Installing kh-app 2.0.0");
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, "Gemfile.lock"))).toBe(true);
  });

  it("yanks with `gem yank`, and with --platform for a platform gem", async () => {
    expect((await gemPush(fixtureGem("kh-client", "0.2.0", "java"), owner)).out).toContain("Successfully registered gem: kh-client (0.2.0-java)");
    const platform = await gemYank("kh-client", "0.2.0", owner, ["--platform", "java"]);
    expect(platform.out).toContain("Successfully deleted gem: kh-client (0.2.0-java)");
    const r = await gemYank("kh-client", "0.1.0", owner);
    expect(r.out).toContain(`Yanking gem from ${f.url}...`);
    expect(r.out).toContain("Successfully deleted gem: kh-client (0.1.0)");
    expect(r.code).toBe(0);
    const again = await gemYank("kh-client", "0.1.0", owner);
    expect(again.out).toContain("The version kh-client (0.1.0) has already been yanked.");
  });

  it("a legacy key pushes", async () => {
    const r = await gemPush(await gemBuild("kh-client", "0.3.0"), await f.legacyKey());
    expect(r.out).toContain("Successfully registered gem: kh-client (0.3.0)");
    expect(r.code).toBe(0);
  });
});

describe("gem push refusals print the docs/authorization.md message and exit 1", () => {
  const cases: [string, () => Promise<string>, string, string?][] = [
    ["no key", async () => "", "This request needs an API key. Present it in the Authorization header."],
    ["a wrong key", async () => mistypedKeyValue(), MESSAGES.invalidKey],
    ["an expired key", () => f.key({ expiresAt: new Date(Date.now() - DAY) }), MESSAGES.invalidKey],
    ["a revoked key", () => f.key({ revokedAt: new Date(Date.now() - 60_000) }), MESSAGES.invalidKey],
    [
      "an Update-only key pushing a new id",
      () => f.key({ scopes: ["update"] }),
      'This API key does not have the "push" scope, which is needed to push a new package ID.',
      "kh-brand-new",
    ],
    ["a key for another package", () => f.key({ packages: ["kh-dep"], globs: [] }), 'This API key is not allowed for package "kh-client".'],
    [
      "a key restricted to another feed",
      () => f.key({ feeds: ["other-gems"] }),
      'This API key is restricted to other feeds and cannot be used on feed "gems".',
    ],
  ];
  let n = 10;
  it.each(cases)("%s", async (_label, makeKey, message, gem = "kh-client") => {
    const file = fixtureGem(gem, `0.${n++}.0`);
    const r = await gemPush(file, await makeKey());
    expect(r.out).toContain(message);
    expect(r.code).toBe(1);
  });

  it("`gem yank` with a key without the unlist scope prints the refusal", async () => {
    const r = await gemYank("kh-client", "0.3.0", await f.key({ scopes: ["push", "update"] }));
    expect(r.out).toContain('This API key does not have the "unlist" scope.');
    // gem yank prints any answer and exits 0; the version must still be there.
    const row = await f.db.packageVersion.findFirst({ where: { version: "0.3.0", package: { name: "kh-client" } } });
    expect(row?.listed).toBe(true);
  });

  it("`gem yank` by a user who does not own the gem prints the owner refusal", async () => {
    const bobs = await f.key({ ownerId: f.bob.id, scopes: ["unlist"] });
    const r = await gemYank("kh-client", "0.3.0", bobs);
    expect(r.out).toContain('User "bob" is not an owner of package "kh-client".');
  });
});
