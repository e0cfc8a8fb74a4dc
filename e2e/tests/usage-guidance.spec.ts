// Usage guidance (docs/presenting-keys.md): the reveal's set-up snippets work as copied.
// alice makes a key in the wizard, copies the .npmrc, `nuget setapikey` and
// `GEM_HOST_API_KEY … gem push` snippets with their Copy buttons, and the real clients
// (npm, Debian's nuget 2.8.7 on Mono, gem) publish with exactly what the clipboard held.
// Elsewhere ("How to use" on a key) the same snippets hold a placeholder, never the value.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, GENERATED_KEY, pageHeading, test } from "../fixtures";

const RUN = randomBytes(3).toString("hex");
const PLACEHOLDER = "<YOUR_API_KEY>";

type Run = { code: number | null; output: string };

/** Runs a client in `cwd` with HOME in its own empty folder, so no user configuration leaks in. */
function run(command: string, args: string[], cwd: string, home: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { cwd, timeout: 120_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
    // stdin closed: should a client ever prompt, it fails at once instead of waiting.
    child.stdin?.end();
  });
}

/** Clicks a snippet's Copy button and answers what landed on the clipboard. */
async function copySnippet(page: Page, label: string): Promise<string> {
  await page.getByRole("button", { name: label, exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `Copied ${label.replace(/^Copy /, "")}` })).toBeVisible();
  return page.evaluate(() => navigator.clipboard.readText());
}

let work: string;
test.beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), "keyhouse-e2e-usage-"));
});
test.afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

test.describe("Usage guidance", () => {
  test("the reveal's snippets, copied as they are, publish with npm, nuget and gem; How to use shows a placeholder", async ({
    page,
    context,
    baseURL,
    signInAs,
  }) => {
    test.setTimeout(300_000); // three real clients, Mono's nuget among them
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    await signInAs("alice");
    const keyName = `Usage ${RUN}`;

    await page.goto("/account/api-keys/create");
    await expect(pageHeading(page, "Create an API key")).toBeVisible();
    await page.getByLabel("Key name", { exact: true }).fill(keyName);
    await page.getByRole("checkbox", { name: "Push", exact: true }).check();
    await page.getByLabel("Glob pattern", { exact: true }).fill("*");
    await page.getByRole("button", { name: "Generate key", exact: true }).click();

    const value = await page.getByRole("textbox", { name: "Your new API key", exact: true }).inputValue();
    expect(value).toMatch(GENERATED_KEY);
    const guide = page.getByRole("region", { name: "How to use this key" });
    await expect(guide).toBeVisible();

    // npm: the .npmrc as copied, in a fresh project, and `npm publish`.
    const npmrc = await copySnippet(page, "Copy .npmrc");
    expect(npmrc).toBe(`registry=${baseURL}/npm/npm/\n${baseURL!.replace(/^http:/, "")}/npm/npm/:_authToken=${value}\n`);
    const npmProject = folder("npm");
    const npmName = `usage-guide-${RUN}`;
    writeFileSync(path.join(npmProject, ".npmrc"), npmrc);
    writeFileSync(path.join(npmProject, "package.json"), JSON.stringify({ name: npmName, version: "1.0.0", description: "usage guidance e2e" }));
    writeFileSync(path.join(npmProject, "index.js"), "module.exports = 1;\n");
    const published = await run("npm", ["publish"], npmProject, folder("npm-home"), {
      npm_config_cache: path.join(work, "npm-cache"),
      npm_config_update_notifier: "false",
    });
    expect(published.code, published.output.replaceAll(value, "KEY")).toBe(0);
    const packument = await page.request.get(`/npm/npm/${npmName}`, { headers: { authorization: `Bearer ${value}` } });
    expect(packument.status()).toBe(200);
    expect(Object.keys(((await packument.json()) as { versions: object }).versions)).toEqual(["1.0.0"]);

    // NuGet: the setapikey line as copied (split as a shell would), then a push without -ApiKey.
    const setApiKey = await copySnippet(page, "Copy nuget setapikey");
    expect(setApiKey).toBe(`nuget setapikey ${value} -Source ${baseURL}/nuget/nuget/api/v2/package`);
    const nugetHome = folder("nuget-home");
    const nugetWork = folder("nuget");
    const [command, ...args] = setApiKey.split(" ");
    const stored = await run(command!, [...args, "-NonInteractive"], nugetWork, nugetHome);
    expect(stored.code, stored.output.replaceAll(value, "KEY")).toBe(0);
    const nugetId = `UsageGuide.N${RUN}`;
    writeFileSync(
      path.join(nugetWork, `${nugetId}.nuspec`),
      `<?xml version="1.0"?>\n<package><metadata><id>${nugetId}</id><version>1.0.0</version><authors>e2e</authors><description>usage guidance e2e</description></metadata>` +
        `<files><file src="readme.txt" target="content" /></files></package>\n`,
    );
    writeFileSync(path.join(nugetWork, "readme.txt"), "usage guidance\n");
    const packed = await run("nuget", ["pack", `${nugetId}.nuspec`, "-NonInteractive"], nugetWork, nugetHome);
    expect(packed.code, packed.output).toBe(0);
    const nupkg = readdirSync(nugetWork).find((f) => f.endsWith(".nupkg"))!;
    // Relative path, in the package's folder: Mono's nuget refuses absolute ones.
    const pushed = await run("nuget", ["push", nupkg, "-Source", `${baseURL}/nuget/nuget/api/v2/package`, "-NonInteractive"], nugetWork, nugetHome);
    expect(pushed.code, pushed.output.replaceAll(value, "KEY")).toBe(0);
    const registration = await page.request.get(`/nuget/nuget/v3-flatcontainer/${nugetId.toLowerCase()}/index.json`, { headers: { "X-NuGet-ApiKey": value } });
    expect(registration.status()).toBe(200);
    expect(await registration.json()).toEqual({ versions: ["1.0.0"] });

    // RubyGems: the GEM_HOST_API_KEY line as copied, run by a shell beside the gem it names.
    const gemLine = await copySnippet(page, "Copy gem push");
    expect(gemLine).toBe(`GEM_HOST_API_KEY=${value} gem push my_gem-1.0.0.gem --host ${baseURL}/rubygems/gems`);
    const gemWork = folder("gem");
    const gemHome = folder("gem-home");
    writeFileSync(path.join(gemWork, "lib.rb"), "module MyGem; end\n");
    writeFileSync(
      path.join(gemWork, "my_gem.gemspec"),
      `Gem::Specification.new do |s|\n  s.name = "my_gem"\n  s.version = "1.0.0"\n  s.summary = "usage guidance e2e"\n  s.authors = ["e2e"]\n  s.files = ["lib.rb"]\n  s.license = "MIT"\nend\n`,
    );
    const built = await run("gem", ["build", "my_gem.gemspec"], gemWork, gemHome);
    expect(built.code, built.output).toBe(0);
    const gemPushed = await run("sh", ["-c", gemLine], gemWork, gemHome);
    expect(gemPushed.code, gemPushed.output.replaceAll(value, "KEY")).toBe(0);
    expect(gemPushed.output).not.toContain(value);
    const info = await page.request.get("/rubygems/gems/info/my_gem", {
      headers: { authorization: `Basic ${Buffer.from(`api:${value}`).toString("base64")}` },
    });
    expect(info.status(), await info.text()).toBe(200);
    expect(await info.text()).toMatch(/^1\.0\.0 /m);

    // The other snippets carry the value too, and nothing else on the reveal is missing.
    for (const label of ["Copy dotnet nuget push", "Copy NuGet.Config", "Copy ~/.gem/credentials", "Copy bundle config"]) {
      expect(await copySnippet(page, label)).toContain(value);
    }

    // Done: the list's "How to use" shows the same set-up with a placeholder, never the value.
    await page.getByRole("link", { name: "Done", exact: true }).click();
    await page.getByRole("button", { name: `How to use “${keyName}”`, exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `How to use “${keyName}”` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Copy .npmrc", exact: true })).toBeVisible();
    const shown = (await dialog.textContent()) ?? "";
    expect(shown).toContain(`//${new URL(baseURL!).host}/npm/npm/:_authToken=${PLACEHOLDER}`);
    expect(shown).toContain(`nuget setapikey ${PLACEHOLDER} -Source ${baseURL}/nuget/nuget/api/v2/package`);
    expect(shown).not.toContain(value);
    expect(await copySnippet(page, "Copy .npmrc")).toContain(`:_authToken=${PLACEHOLDER}`);
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await expect(dialog).toBeHidden();
  });
});
