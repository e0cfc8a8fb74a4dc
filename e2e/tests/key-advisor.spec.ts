// The least-privilege advisor (docs/advisor.md): alice's broad key publishes one package
// with the real npm CLI; "What this key used" suggests narrowing it to that package, she
// applies it after the confirmation, and the key then still publishes that package and is
// refused another.
import { randomBytes } from "node:crypto";
import { expect, test } from "../demo/fixtures";
import { npmPublish } from "../fixtures";

const MARK = randomBytes(4).toString("hex");
const USED = `@contoso/advised-${MARK}`;
const OTHER = `@contoso/other-${MARK}`;

/** npm's error output when the publish is refused, or null when it goes through. */
const publishError = (registry: string, key: string, name: string, version: string): Promise<string | null> =>
  npmPublish(registry, key, { name, version }).then(
    () => null,
    (e: unknown) => String((e as { stderr?: string }).stderr ?? e),
  );

test("What this key used: a broad key narrowed to the one package it published keeps working for it only", async ({ page, baseURL, keyhouseAs, signInAs }) => {
  const alice = await keyhouseAs("alice");
  const name = `Broad ${MARK}`;
  const { key, value } = await alice.createKey({ name, scopes: ["push"], glob: "*" });
  const registry = `${baseURL}/npm/npm/`;
  expect(await publishError(registry, value, USED, "1.0.0")).toBeNull();
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

  expect(await publishError(registry, value, USED, "1.0.1")).toBeNull();
  const refused = await publishError(registry, value, OTHER, "1.0.0");
  expect(refused).toContain("403");
  expect(refused).toContain(`This API key is not allowed for package`);
});
