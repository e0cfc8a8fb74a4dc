// Allowed networks in the wizard and Edit (docs/authorization.md, "Allowed networks"): the
// field checks each line with the server's own schema before asking the server, and a key
// made with two networks is listed as "Restricted to 2 networks". Edit shows them again,
// with the "Alert me about new networks" switch (docs/threat-model.md, "New-network alerts").
import { randomBytes } from "node:crypto";
import { expect, GENERATED_KEY, pageHeading, test } from "../fixtures";

const RUN = randomBytes(3).toString("hex");

test("the wizard refuses a bad network with its message, then makes a key restricted to two networks", async ({ page, signInAs }) => {
  await signInAs("alice");
  await page.goto("/account/api-keys/create");
  await expect(pageHeading(page, "Create an API key")).toBeVisible();
  let asked = false;
  page.on("request", (req) => {
    if (new URL(req.url()).pathname.includes("keys.create")) asked = true;
  });

  const name = `Networks ${RUN}`;
  await page.getByLabel("Key name", { exact: true }).fill(name);
  await page.getByRole("checkbox", { name: "Push", exact: true }).check();
  await page.getByLabel("Glob pattern", { exact: true }).fill("Contoso.*");
  const networks = page.getByLabel("Allowed networks", { exact: true });
  await networks.fill("198.51.100.0/24\n198.51.100.7/33");
  await page.getByRole("button", { name: "Generate key", exact: true }).click();

  await expect(page.getByRole("main").getByText("198.51.100.7/33 is not a network", { exact: true })).toBeVisible();
  await expect(networks).toHaveAttribute("aria-invalid", "true");
  await expect(networks).toHaveAccessibleDescription(/198\.51\.100\.7\/33 is not a network/);
  expect(asked).toBe(false);

  await networks.fill("198.51.100.0/24\n2001:db8::/32");
  await expect(page.getByRole("region", { name: "Summary" })).toContainText("198.51.100.0/24, 2001:db8::/32");
  await page.getByRole("button", { name: "Generate key", exact: true }).click();
  const value = page.getByRole("textbox", { name: "Your new API key", exact: true });
  await expect(value).toHaveValue(GENERATED_KEY);
  expect(asked).toBe(true);

  await page.goto("/account/api-keys");
  const row = page
    .getByRole("region", { name: "Your API keys" })
    .getByRole("table")
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader").filter({ hasText: name }) });
  await expect(row.getByText("Restricted to 2 networks", { exact: true })).toBeVisible();

  // Edit shows the networks as saved and the alerts switch on; turning it off is saved.
  await row.getByRole("link", { name: /^Edit packages/ }).click();
  await expect(page.getByLabel("Allowed networks", { exact: true })).toHaveValue("198.51.100.0/24\n2001:db8::/32");
  const alerts = page.getByRole("checkbox", { name: "Alert me about new networks", exact: true });
  await expect(alerts).toBeChecked();
  await alerts.uncheck();
  await page.getByRole("button", { name: "Save networks and alerts", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved the networks and alerts of “${name}”.` })).toBeVisible();
  await row.getByRole("link", { name: /^Edit packages/ }).click();
  await expect(page.getByRole("checkbox", { name: "Alert me about new networks", exact: true })).not.toBeChecked();
});
