// Bundles the BFF into dist/main.mjs. Packages from node_modules stay external (native
// addons and Prisma's runtime must load from there); our own TypeScript, the shared
// package and the generated Prisma clients are bundled.
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  packages: "external",
  // @keyhouse/shared is TypeScript source: bundle it rather than leave it to Node.
  plugins: [
    {
      name: "bundle-workspace",
      setup(b) {
        b.onResolve({ filter: /^@keyhouse\/shared$/ }, () => ({ path: new URL("../../packages/shared/src/index.ts", import.meta.url).pathname }));
      },
    },
  ],
  banner: { js: "import { createRequire as __kh_createRequire } from 'node:module'; const require = __kh_createRequire(import.meta.url);" },
  logLevel: "warning",
});
