// The real client: Debian's nuget.exe 2.8.7 on Mono pushing to and deleting from the
// feed, through both the PackagePublish URL and the feed root. Mono's nuget refuses
// absolute package paths, so it runs in the package's folder with a relative path, with
// HOME pointing at an empty folder so no user configuration leaks in.
import { execFile } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNupkg } from "../formats/nuget.fixtures.ts";
import { createNuGetWorld, DAY, type NuGetWorld } from "./testing.ts";
import { mistypedKeyValue } from "../../test/keys.ts";

const INSTALL_HINT = "The nuget client is not installed. Install it with `apt-get install -y nuget` (Debian's NuGet 2.8.7 on Mono).";
// Found on PATH rather than run: `nuget help` spins forever under Mono without a terminal.
const nugetInstalled = (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
  try {
    accessSync(path.join(dir, "nuget"), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

let w: NuGetWorld;
let home: string;
let work: string;
const timings: { command: string; ms: number }[] = [];

beforeAll(async () => {
  w = await createNuGetWorld();
  home = mkdtempSync(path.join(os.tmpdir(), "keyhouse-nuget-home-"));
  work = path.join(home, "packages");
  mkdirSync(work);
});
afterAll(async () => {
  if (timings.length) console.log(`nuget client timings:\n${timings.map((t) => `  ${t.ms} ms  ${t.command}`).join("\n")}`);
  await w?.close();
  rmSync(home, { recursive: true, force: true });
});

type Run = { code: number | null; output: string };

function nuget(args: string[]): Promise<Run> {
  if (!nugetInstalled) throw new Error(INSTALL_HINT);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      "nuget",
      [...args, "-NonInteractive"],
      { cwd: work, timeout: 90_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") } },
      (err, stdout, stderr) => {
        timings.push({
          command: `nuget ${args.map((a) => (a.startsWith("khk_") || /^[0-9a-f-]{36}$/.test(a) ? "KEY" : a)).join(" ")}`,
          ms: Date.now() - started,
        });
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` });
      },
    );
    // stdin closed: should the client ever prompt, it fails at once instead of waiting.
    child.stdin?.end();
  });
}

/** Writes Id.Version.nupkg into the working folder and answers its relative name. */
function nupkg(id: string, version: string): string {
  const file = `${id}.${version}.nupkg`;
  writeFileSync(path.join(work, file), buildNupkg({ id, version }));
  return file;
}

const publishUrl = () => `${w.server.url}/nuget/main/api/v2/package`;
const rootUrl = () => `${w.server.url}/nuget/main/`;
const push = (file: string, key: string | null, source = publishUrl()) => nuget(["push", file, "-Source", source, ...(key ? ["-ApiKey", key] : [])]);
const versionRow = (id: string, version: string) =>
  w.db.packageVersion.findFirst({ where: { versionLower: version, package: { nameLower: id.toLowerCase() } } });

// Mono's nuget takes 1–3 s a run, but far longer on a loaded 2-core machine.
describe("nuget.exe 2.8.7 against the NuGet feed", { timeout: 120_000 }, () => {
  it("pushes with a key that has the push scope", async () => {
    const run = await push(nupkg("Contoso.Core", "1.0.0"), await w.key({ scopes: ["push", "update", "unlist"] }));
    expect(run.output).toContain("Your package was pushed.");
    expect(run.code).toBe(0);
    expect(await versionRow("Contoso.Core", "1.0.0")).toMatchObject({ listed: true });
  });

  it("is refused without a key", async () => {
    // nuget.exe answers any 401 by asking for a user name, before it would show a
    // reason phrase, so the 401's message (checked in access.test.ts) never appears.
    const run = await push(nupkg("Contoso.Other", "1.0.0"), null);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("Cannot prompt for input in non-interactive mode.");
    expect(await versionRow("Contoso.Other", "1.0.0")).toBeNull();
  });

  const refusals: [string, () => Promise<string | null>, string, string][] = [
    ["a wrong key", async () => mistypedKeyValue(), "Contoso.Other", MESSAGES.invalidKey],
    ["an expired key", () => w.key({ expiresAt: new Date(Date.now() - DAY) }), "Contoso.Other", MESSAGES.invalidKey],
    ["a revoked key", () => w.key({ revokedAt: new Date() }), "Contoso.Other", MESSAGES.invalidKey],
    [
      "an update-only key pushing a new id",
      () => w.key({ scopes: ["update"] }),
      "Contoso.Other",
      'This API key does not have the "push" scope, which is needed to push a new package ID.',
    ],
    ["a key for another package", () => w.key({ packages: ["Contoso.Core"] }), "Contoso.Other", 'This API key is not allowed for package "Contoso.Other".'],
    [
      "a key restricted to another feed",
      () => w.key({ feeds: ["other"] }),
      "Contoso.Other",
      'This API key is restricted to other feeds and cannot be used on feed "main".',
    ],
  ];
  it.each(refusals)("is refused for %s, and prints why", async (_what, makeKey, id, message) => {
    const run = await push(nupkg(id, "1.0.0"), await makeKey());
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(message);
    expect(await versionRow(id, "1.0.0")).toBeNull();
  });

  it("is told a version already exists", async () => {
    const run = await push(nupkg("Contoso.Core", "1.0.0"), await w.key({ scopes: ["update"] }));
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('Version 1.0.0 of package "Contoso.Core" already exists in feed "main".');
  });

  it("pushes with a legacy key to the feed root URL", async () => {
    const run = await push(nupkg("Contoso.Core", "1.1.0"), await w.legacyKey(), rootUrl());
    expect(run.output).toContain("Your package was pushed.");
    expect(run.code).toBe(0);
    expect(await versionRow("Contoso.Core", "1.1.0")).not.toBeNull();
  });

  it("pushes with a key expiring in 5 days, which the server warns about", async () => {
    // nuget.exe 2.8.7 predates X-NuGet-Warning and never prints it (NuGet 3+ clients do);
    // push.test/access.test check the header itself. Here: the push still works.
    const run = await push(nupkg("Contoso.Core", "1.2.0"), await w.key({ scopes: ["update"], expiresAt: new Date(Date.now() + 5 * DAY - 60_000) }));
    expect(run.code).toBe(0);
    expect(await versionRow("Contoso.Core", "1.2.0")).not.toBeNull();
  });

  it("unlists with nuget delete through the PackagePublish URL", async () => {
    const run = await nuget(["delete", "Contoso.Core", "1.0.0", "-Source", publishUrl(), "-ApiKey", await w.key({ scopes: ["unlist"] })]);
    expect(run.code).toBe(0);
    expect(run.output).toContain("Contoso.Core 1.0.0 was deleted successfully.");
    expect(await versionRow("Contoso.Core", "1.0.0")).toMatchObject({ listed: false });
  });

  it("unlists through the feed root URL, and is refused without the unlist scope", async () => {
    const refused = await nuget(["delete", "Contoso.Core", "1.1.0", "-Source", rootUrl(), "-ApiKey", await w.key({ scopes: ["push", "update"] })]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('This API key does not have the "unlist" scope.');
    const run = await nuget(["delete", "Contoso.Core", "1.1.0", "-Source", rootUrl(), "-ApiKey", await w.legacyKey()]);
    expect(run.code).toBe(0);
    expect(await versionRow("Contoso.Core", "1.1.0")).toMatchObject({ listed: false });
  });
});
