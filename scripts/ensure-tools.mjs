// Installs what the tests need from Debian's packages when it is missing, and says so
// plainly when it cannot (not root, no apt). Used by `npm test` and the cluster.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const TOOLS = {
  chromium: { check: "/usr/bin/chromium", packages: ["chromium"], why: "the end-to-end tests run in Chromium" },
  ruby: { check: "/usr/bin/gem", packages: ["ruby"], why: "the RubyGems feed is tested with the real `gem` client" },
  nuget: { check: "/usr/bin/nuget", packages: ["nuget"], why: "the NuGet feed is tested with the real `nuget` client" },
  postgres: { check: "/usr/bin/pg_ctlcluster", packages: ["postgresql"], why: "the integration tests also run on PostgreSQL" },
  ffmpeg: { check: "/usr/bin/ffmpeg", packages: ["ffmpeg"], why: "the demo records its video with ffmpeg" },
  nginx: { check: "/usr/sbin/nginx", packages: ["nginx"], why: "the cluster (npm run cluster and its tests) balances its instances with nginx" },
};

let updated = false;
function apt(args) {
  return spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;
}

/** Returns the names of the tools that are still missing. */
export function ensureTools(names) {
  const missing = [];
  for (const name of names) {
    const tool = TOOLS[name];
    if (existsSync(tool.check)) continue;
    console.log(`▶ ${tool.check} is missing (${tool.why}): installing Debian's ${tool.packages.join(", ")}`);
    const isRoot = process.getuid?.() === 0;
    const hasApt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
    if (!isRoot || !hasApt) {
      console.error(
        `✖ Cannot install ${tool.packages.join(", ")}: ${!hasApt ? "apt-get is not available" : "not running as root"}. Install it yourself, e.g. \`sudo apt-get install -y ${tool.packages.join(" ")}\`.`,
      );
      missing.push(name);
      continue;
    }
    if (!updated) updated = apt(["update", "-qq"]);
    if (!apt(["install", "-y", "-qq", ...tool.packages]) || !existsSync(tool.check)) {
      console.error(`✖ Installing ${tool.packages.join(", ")} failed; see the apt-get output above.`);
      missing.push(name);
    }
  }
  return missing;
}
