import { defineConfig } from "vitest/config";

// The property tests run thousands of cases; on a busy 2-core machine that takes longer than the default 5 s.
export default defineConfig({ test: { name: "shared", include: ["src/**/*.test.ts"], testTimeout: 60_000 } });
