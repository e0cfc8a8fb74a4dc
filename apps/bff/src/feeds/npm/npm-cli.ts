// Running the real npm CLI against a test server: a temporary HOME and cache so no user
// configuration leaks in, a project .npmrc naming only our registry (so nothing reaches
// registry.npmjs.org), and the key as npm's _authToken for that registry.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The npm to run; KEYHOUSE_NPM_BIN points elsewhere (e.g. to check the missing-client failure). */
const NPM = process.env.KEYHOUSE_NPM_BIN || "npm";

const NPM_MISSING =
  "The npm CLI was not found on PATH. These tests run the real client: install Node.js 20 with npm 11 (for example `apt-get install -y nodejs npm`, or the Node.js tarball from nodejs.org, which includes npm) and run them again.";

/** Fails (never skips) when npm is missing, saying how to install it. */
export function requireNpm(): string {
  try {
    return execFileSync(NPM, ["--version"], { encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_UPDATE_NOTIFIER: "1" } }).trim();
  } catch {
    throw new Error(NPM_MISSING);
  }
}

export type NpmResult = { code: number; stdout: string; stderr: string; ms: number };

export class NpmSandbox {
  readonly root = mkdtempSync(path.join(os.tmpdir(), "keyhouse-npm-cli-"));
  readonly home = path.join(this.root, "home");
  readonly timings: { args: string; ms: number }[] = [];

  constructor(private readonly registry: string) {
    mkdirSync(this.home);
    // An empty user config: npm must not read the real ~/.npmrc.
    writeFileSync(path.join(this.home, ".npmrc"), "");
  }

  /** A directory for a package or project, with package.json and any extra files. */
  project(name: string, files: Record<string, string>): string {
    const dir = path.join(this.root, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    return dir;
  }

  private writeNpmrc(dir: string, key: string | null): void {
    const nerfDart = this.registry.replace(/^https?:/, "");
    const lines = [`registry=${this.registry}`, "audit=false", "fund=false", "update-notifier=false"];
    if (key !== null) lines.push(`${nerfDart}:_authToken=${key}`);
    writeFileSync(path.join(dir, ".npmrc"), `${lines.join("\n")}\n`);
  }

  /** Runs npm in `dir` with `key` as the token (null: no token). Never throws on a non-zero exit. */
  run(dir: string, key: string | null, args: string[], timeoutMs = 90_000): Promise<NpmResult> {
    this.writeNpmrc(dir, key);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      execFile(
        NPM,
        args,
        {
          cwd: dir,
          timeout: timeoutMs,
          maxBuffer: 16 * 1024 * 1024,
          env: {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            HOME: this.home,
            npm_config_userconfig: path.join(this.home, ".npmrc"),
            npm_config_globalconfig: path.join(this.home, "npmrc-global"),
            npm_config_cache: path.join(this.root, "cache"),
            npm_config_update_notifier: "false",
            NO_UPDATE_NOTIFIER: "1",
            // Retries would only slow down the expected failures.
            npm_config_fetch_retries: "0",
            // Anything not for our loopback server goes to a dead proxy and fails loudly,
            // so a stray request to registry.npmjs.org cannot pass unnoticed.
            npm_config_proxy: "http://127.0.0.1:9",
            npm_config_https_proxy: "http://127.0.0.1:9",
            npm_config_noproxy: "127.0.0.1",
          },
        },
        (err, stdout, stderr) => {
          const ms = Date.now() - started;
          this.timings.push({ args: args.join(" "), ms });
          if (err && typeof (err as { code?: unknown }).code !== "number") {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return reject(new Error(NPM_MISSING));
            if ((err as { killed?: boolean }).killed) return reject(new Error(`npm ${args.join(" ")} timed out after ${timeoutMs} ms.\n${stderr}`));
            return reject(err);
          }
          resolve({ code: err ? ((err as { code: number }).code ?? 1) : 0, stdout, stderr, ms });
        },
      );
    });
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
