// The access log's live tail (docs/access-logs.md, "Live tail"): alice turns on Live under
// Account › Access logs, publishes with the real npm CLI, and the push appears on top of
// the grid without a refresh; pausing holds new entries back as "N more".
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "../demo/fixtures";

const MARK = randomBytes(4).toString("hex");
const PACKAGE = `@contoso/live-${MARK}`;

/** `npm publish` of a small package from a temporary project whose .npmrc holds the key. */
async function npmPublish(registry: string, key: string, version: string): Promise<void> {
  const project = mkdtempSync(path.join(os.tmpdir(), "keyhouse-live-npm-"));
  try {
    const host = registry.replace(/^https?:/, "");
    writeFileSync(path.join(project, ".npmrc"), `registry=${registry}\n${host}:_authToken=${key}\n`);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: PACKAGE, version, main: "index.js", license: "MIT" }));
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
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

test("Live shows an npm publish on top of the grid as it happens; Pause holds entries back", async ({ page, baseURL, keyhouseAs, signInAs }) => {
  const alice = await keyhouseAs("alice");
  const { value } = await alice.createKey({ name: `Live tail ${MARK}`, scopes: ["push"], glob: `@contoso/live-${MARK}` });
  const registry = `${baseURL}/npm/npm/`;

  await signInAs("alice");
  await page.goto("/account/access-logs");
  await page.getByRole("switch", { name: "Live" }).check();
  await expect(page.getByText("Streaming new entries")).toBeVisible();

  await npmPublish(registry, value, "1.0.0");
  const pushes = page
    .getByRole("row")
    .filter({ hasText: "PUT" })
    .filter({ hasText: `live-${MARK}` });
  // No refresh is pressed: the entry arrives on the stream.
  await expect(pushes).toHaveCount(1, { timeout: 5_000 });
  await expect(pushes.first()).toContainText("201");

  await page.getByRole("button", { name: "Pause" }).click();
  await npmPublish(registry, value, "1.0.1");
  const more = page.getByRole("button", { name: /^\d+ more$/ });
  await expect(more).toBeVisible({ timeout: 5_000 });
  await expect(pushes).toHaveCount(1);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(more).toBeHidden();
  await expect(pushes).toHaveCount(2);
});
