import tailwindcss from "@tailwindcss/vite";
import { tanstackRouter } from "@tanstack/router-plugin/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Everything the BFF serves; in development the SPA runs on 5173 and forwards these so
// the browser still sees one origin (first-party cookies, no CORS).
const BFF_PATHS = ["/trpc", "/api", "/exports", "/nuget", "/npm", "/rubygems", "/healthz"];
const BFF_ORIGIN = "http://localhost:3000";

export default defineConfig({
  plugins: [
    // Must run before react() so the generated route tree and split chunks exist when JSX is transformed.
    tanstackRouter({ target: "react", autoCodeSplitting: true }),
    react(),
    tailwindcss(),
  ],
  build: {
    outDir: "dist",
    // Inlined assets become data: URIs; keep them out so a strict CSP needs no data: sources.
    assetsInlineLimit: 0,
    rollupOptions: {
      treeshake: {
        // @keyhouse/shared is pure (constants, schemas, functions), but its package.json
        // does not say so; without this every page that needs one constant would carry
        // the whole package and zod, and Rollup parks them in the entry chunk.
        moduleSideEffects: (id) => !/[\\/]packages[\\/]shared[\\/]src[\\/]/.test(id),
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(BFF_PATHS.map((path) => [path, { target: BFF_ORIGIN }])),
  },
});
