// The browser both Playwright configs (playwright.config.ts, demo.config.ts) launch: Debian's
// Chromium, since Playwright cannot download its own browser on our machines. The networking
// flags keep it from reaching for Google's servers on a closed network.
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};
