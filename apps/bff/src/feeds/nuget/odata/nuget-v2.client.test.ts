// The real NuGet 2.x client reading the v2 OData feed: Debian's nuget.exe 2.8.7 on Mono
// installing (latest and an exact, unlisted version), listing and updating a
// packages.config project, with the key in NuGet.Config's packageSourceCredentials
// (user api, key as password), as a user of a feed that is not anonymous would.
// nuget.exe first GETs the source without credentials and takes them from the config
// only after a 401 (docs/feeds.md). `nuget list` prints through Mono's console, which
// loops on a zero-width console without a terminal: it runs under script(1)'s pty.
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNupkg, type NupkgSpec } from "../../formats/nuget.fixtures.ts";
import { createNuGetWorld, type NuGetWorld } from "../testing.ts";

const INSTALL_HINT = "The nuget client is not installed. Install it with `apt-get install -y nuget` (Debian's NuGet 2.8.7 on Mono).";
const onPath = (name: string) =>
  (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

// The fixture's part types, and text: NuGet 2.x skips files whose extension has none.
const CONTENT_TYPES =
  `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  ["rels", "nuspec", "dll", "txt"].map((e) => `<Default Extension="${e}" ContentType="application/octet" />`).join("") +
  `</Types>`;

let w: NuGetWorld;
let home: string;
let readKey: string;
const timings: { command: string; ms: number }[] = [];

beforeAll(async () => {
  w = await createNuGetWorld();
  home = mkdtempSync(path.join(os.tmpdir(), "keyhouse-nuget-v2-"));
  const key = await w.key({ scopes: ["push", "update", "unlist"] });
  // A content file makes each package installable into any project, whatever framework
  // NuGet 2.x reads from it (Mono's project system cannot add assembly references).
  const pkg = (spec: NupkgSpec) =>
    buildNupkg({ ...spec, files: { "[Content_Types].xml": CONTENT_TYPES, [`content/${spec.id}.txt`]: `${spec.id} ${spec.version}` } });
  for (const version of ["0.9.0", "1.0.0", "1.1.0", "1.2.0", "2.0.0-beta"])
    expect((await w.push(key, pkg({ id: "Contoso.Core", version, description: "The heart of Contoso" }))).status).toBe(201);
  expect(
    (await w.push(key, pkg({ id: "Contoso.Web", version: "3.0.0", description: "Web bits", dependencies: [{ id: "Contoso.Core", range: "[1.0.0, )" }] })))
      .status,
  ).toBe(201);
  expect((await w.push(key, pkg({ id: "Secret.Tool", version: "1.0.0", description: "Not for everyone" }))).status).toBe(201);
  // Unlisted: 0.9.0, and 1.2.0, which would otherwise be the latest.
  for (const version of ["0.9.0", "1.2.0"]) expect((await w.send("DELETE", `/nuget/main/api/v2/package/Contoso.Core/${version}`, key)).status).toBe(204);
  readKey = await w.key({ scopes: [] });
}, 120_000);
afterAll(async () => {
  if (timings.length) console.log(`nuget v2 client timings:\n${timings.map((t) => `  ${t.ms} ms  ${t.command}`).join("\n")}`);
  await w?.close();
  rmSync(home, { recursive: true, force: true });
});

const source = (feed = "main") => `${w.server.url}/nuget/${feed}/api/v2/`;

/** A fresh working folder whose NuGet.Config names the feed, with the key as the source's password. */
function workFolder(key: string | null, feed = "main"): string {
  const dir = mkdtempSync(path.join(home, "work-"));
  const credentials = key
    ? `<packageSourceCredentials><keyhouse><add key="Username" value="api" /><add key="ClearTextPassword" value="${key}" /></keyhouse></packageSourceCredentials>`
    : "";
  writeFileSync(
    path.join(dir, "NuGet.Config"),
    `<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources><clear /><add key="keyhouse" value="${source(feed)}" /></packageSources>${credentials}</configuration>\n`,
  );
  return dir;
}

type Run = { code: number | null; output: string };

function nuget(cwd: string, args: string[], opts: { pty?: boolean } = {}): Promise<Run> {
  if (!onPath("nuget")) throw new Error(INSTALL_HINT);
  const full = [...args, "-ConfigFile", "NuGet.Config", "-NonInteractive"];
  const [file, argv] = opts.pty ? ["script", ["-qec", `stty cols 200 rows 50; nuget ${full.map((a) => `'${a}'`).join(" ")}`, "/dev/null"]] : ["nuget", full];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      file,
      argv,
      { cwd, timeout: 90_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") } },
      (err, stdout, stderr) => {
        timings.push({ command: `nuget ${args.join(" ")}`, ms: Date.now() - started });
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` });
      },
    );
    child.stdin?.end();
  });
}

const install = (cwd: string, id: string, ...more: string[]) => nuget(cwd, ["install", id, "-Source", source(), "-OutputDirectory", "packages", ...more]);
const installed = (cwd: string, folder: string) => existsSync(path.join(cwd, "packages", folder, `${folder}.nupkg`));

describe("nuget.exe 2.8.7 reading the v2 feed", { timeout: 180_000 }, () => {
  it("installs the latest version with its dependency, the key taken from NuGet.Config", async () => {
    const cwd = workFolder(readKey);
    const run = await install(cwd, "Contoso.Web");
    expect(run.output).toContain("Successfully installed 'Contoso.Web 3.0.0'.");
    expect(run.code).toBe(0);
    // NuGet 2.x resolves a dependency to the lowest version its range allows.
    expect(installed(cwd, "Contoso.Web.3.0.0") && installed(cwd, "Contoso.Core.1.0.0")).toBe(true);

    const latest = await install(cwd, "Contoso.Core");
    expect(latest.output).toContain("Successfully installed 'Contoso.Core 1.1.0'.");
    expect(installed(cwd, "Contoso.Core.2.0.0-beta") || installed(cwd, "Contoso.Core.1.2.0")).toBe(false);
  });

  it("installs an exact version, even one that is unlisted", async () => {
    const cwd = workFolder(readKey);
    const run = await install(cwd, "Contoso.Core", "-Version", "0.9.0");
    expect(run.output).toContain("Successfully installed 'Contoso.Core 0.9.0'.");
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(cwd, "packages", "Contoso.Core.0.9.0", "content", "Contoso.Core.txt"), "utf8")).toBe("Contoso.Core 0.9.0");
  });

  it("lists the latest listed versions, and only the packages a restricted key may read", async () => {
    const all = await nuget(workFolder(readKey), ["list", "-Source", source()], { pty: true });
    const lines = (run: Run) => run.output.split(/\r?\n/).filter((l) => /^[A-Za-z.]+ \d/.test(l));
    expect(lines(all)).toEqual(["Contoso.Core 1.1.0", "Contoso.Web 3.0.0", "Secret.Tool 1.0.0"]);
    const limited = await nuget(workFolder(await w.key({ scopes: [], globs: ["contoso.*"] })), ["list", "-Source", source()], { pty: true });
    expect(lines(limited)).toEqual(["Contoso.Core 1.1.0", "Contoso.Web 3.0.0"]);
  });

  it("updates a packages.config project to the newest listed stable version, past the unlisted one", async () => {
    const cwd = workFolder(readKey);
    mkdirSync(path.join(cwd, "App"));
    writeFileSync(
      path.join(cwd, "App", "packages.config"),
      `<?xml version="1.0" encoding="utf-8"?>\n<packages>\n  <package id="Contoso.Core" version="1.0.0" targetFramework="net45" />\n</packages>\n`,
    );
    writeFileSync(
      path.join(cwd, "App", "App.csproj"),
      `<?xml version="1.0" encoding="utf-8"?>\n<Project ToolsVersion="4.0" DefaultTargets="Build" xmlns="http://schemas.microsoft.com/developer/msbuild/2003"><PropertyGroup><OutputType>Library</OutputType><TargetFrameworkVersion>v4.5</TargetFrameworkVersion></PropertyGroup><ItemGroup><None Include="packages.config" /></ItemGroup></Project>\n`,
    );
    const restore = await nuget(cwd, ["install", "App/packages.config", "-Source", source(), "-OutputDirectory", "packages"]);
    expect(restore.code, restore.output).toBe(0);
    expect(installed(cwd, "Contoso.Core.1.0.0")).toBe(true);
    const run = await nuget(cwd, ["update", "App/packages.config", "-Source", source(), "-RepositoryPath", "packages"]);
    expect(run.code, run.output).toBe(0);
    expect(readFileSync(path.join(cwd, "App", "packages.config"), "utf8")).toContain('<package id="Contoso.Core" version="1.1.0"');
    expect(installed(cwd, "Contoso.Core.1.1.0")).toBe(true);
    expect(installed(cwd, "Contoso.Core.1.2.0")).toBe(false);
  });

  it("is refused without a key (401, and nuget.exe cannot ask for one)", async () => {
    const cwd = workFolder(null);
    const run = await install(cwd, "Contoso.Core");
    expect(run.output).toContain("Cannot prompt for input in non-interactive mode.");
    expect(run.output).toContain("Unable to find package 'Contoso.Core'.");
    expect(run.code).not.toBe(0);
    expect(existsSync(path.join(cwd, "packages"))).toBe(false);
  });

  it("is refused with a key restricted to another feed (403), and prints why", async () => {
    const cwd = workFolder(await w.key({ scopes: [], feeds: ["other"] }));
    const run = await install(cwd, "Contoso.Core");
    expect(run.output).toContain('The remote server returned an error: (403) This API key is restricted to other feeds and cannot be used on feed "main"..');
    expect(run.code).not.toBe(0);
    expect(existsSync(path.join(cwd, "packages"))).toBe(false);
  });
});
