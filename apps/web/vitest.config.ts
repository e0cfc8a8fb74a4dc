import { defineConfig } from "vitest/config";

// Separate from vite.config.ts so unit tests neither regenerate the route tree nor load Tailwind.
export default defineConfig({
  test: {
    name: "web",
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
