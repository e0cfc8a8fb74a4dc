// The access log's live tail (docs/access-logs.md, "Live tail"): alice turns on Live under
// Account › Access logs, publishes with the real npm CLI, and the push appears on top of
// the grid without a refresh; pausing holds new entries back as "N more".
import { randomBytes } from "node:crypto";
import { expect, test } from "../demo/fixtures";
import { npmPublish } from "../fixtures";

const MARK = randomBytes(4).toString("hex");
const PACKAGE = `@contoso/live-${MARK}`;

test("Live shows an npm publish on top of the grid as it happens; Pause holds entries back", async ({ page, baseURL, keyhouseAs, signInAs }) => {
  const alice = await keyhouseAs("alice");
  const { value } = await alice.createKey({ name: `Live tail ${MARK}`, scopes: ["push"], glob: `@contoso/live-${MARK}` });
  const registry = `${baseURL}/npm/npm/`;

  await signInAs("alice");
  await page.goto("/account/access-logs");
  await page.getByRole("switch", { name: "Live" }).check();
  await expect(page.getByText("Streaming new entries")).toBeVisible();

  await npmPublish(registry, value, { name: PACKAGE, version: "1.0.0" });
  const pushes = page
    .getByRole("row")
    .filter({ hasText: "PUT" })
    .filter({ hasText: `live-${MARK}` });
  // No refresh is pressed: the entry arrives on the stream.
  await expect(pushes).toHaveCount(1, { timeout: 5_000 });
  await expect(pushes.first()).toContainText("201");

  await page.getByRole("button", { name: "Pause" }).click();
  await npmPublish(registry, value, { name: PACKAGE, version: "1.0.1" });
  const more = page.getByRole("button", { name: /^\d+ more$/ });
  await expect(more).toBeVisible({ timeout: 5_000 });
  await expect(pushes).toHaveCount(1);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(more).toBeHidden();
  await expect(pushes).toHaveCount(2);
});
