// The least-privilege advisor (docs/advisor.md): alice's broad key publishes one package
// with the real npm CLI; "What this key used" suggests narrowing it to that package, she
// applies it after the confirmation, and the key then still publishes that package and is
// refused another.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "../demo/fixtures";

const MARK = randomBytes(4).toString("hex");
const USED = `@contoso/advised-${MARK}`;
const OTHER = `@contoso/other-${MARK}`;

/** `npm publish` from a temporary project whose .npmrc holds the key; answers npm's error output on failure. */
async function npmPublish(registry: string, key: string, name: string, version: string): Promise<string | null> {
  const project = mkdtempSync(path.join(os.tmpdir(), "keyhouse-advisor-npm-"));
  try {
    const host = registry.replace(/^https?:/, "");
    writeFileSync(path.join(project, ".npmrc"), `registry=${registry}\n${host}:_authToken=${key}\n`);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name, version, main: "index.js", license: "MIT" }));
    writeFileSync(path.join(project, "index.js"), "module.exports = 1;\n");
    const env = {
      ...process.env,
      npm_config_cache: path.join(project, ".npm-cache"),
      npm_config_userconfig: path.join(project, ".npmrc"),
      npm_config_update_notifier: "false",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    await promisify(execFile)("npm", ["publish", "--access", "public"], { cwd: project, env, timeout: 60_000 });
    return null;
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

test("What this key used: a broad key narrowed to the one package it published keeps working for it only", async ({ page, baseURL, keyhouseAs, signInAs }) => {
  const alice = await keyhouseAs("alice");
  const name = `Broad ${MARK}`;
  const { key, value } = await alice.createKey({ name, scopes: ["push"], glob: "*" });
  const registry = `${baseURL}/npm/npm/`;
  expect(await npmPublish(registry, value, USED, "1.0.0")).toBeNull();
  // The log batch (and its usage summary) is written within a quarter of a second.
  await expect.poll(async () => (await alice.query<{ usage: { requests: number } }>("keys.used", { id: key.id })).usage.requests).toBeGreaterThan(0);

  await signInAs("alice");
  await page.goto("/account/api-keys");
  await page
    .getByRole("button", { name: `What this key used “${name}”` })
    .first()
    .click();
  const panel = page.getByRole("dialog", { name: `What “${name}” used` });
  await expect(panel.getByText(`Suggestion: Narrow to: Push on ${USED}; feed npm`)).toBeVisible();
  await expect(panel.getByText("Every package (*)")).toBeVisible();
  await panel.getByRole("button", { name: "Narrow this key" }).click();

  const confirm = page.getByRole("dialog", { name: `Narrow “${name}”?` });
  await expect(confirm).toContainText(`Narrow to: Push on ${USED}`);
  await confirm.getByRole("button", { name: "Narrow", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Narrowed." })).toBeVisible();

  expect(await npmPublish(registry, value, USED, "1.0.1")).toBeNull();
  const refused = await npmPublish(registry, value, OTHER, "1.0.0");
  expect(refused).toContain("403");
  expect(refused).toContain(`This API key is not allowed for package`);
});
