// Rotation with overlap through the real npm CLI (docs/presenting-keys.md): after a regenerate
// that keeps the old value for 1 hour, both values publish and answer whoami; once the
// server's clock passes the hour, only the new one does. No waiting: the clock is moved.
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR, startClockedWorld, type ClockedWorld } from "../../keys/old-values.testing.ts";
import { NpmSandbox, type NpmResult } from "./npm-cli.ts";

let w: ClockedWorld;
let sb: NpmSandbox;

const manifest = (name: string, version: string) => JSON.stringify({ name, version, main: "index.js", license: "MIT" }, null, 2);
const ok = (r: NpmResult) => expect(r.code, `npm failed:\n${r.stderr}`).toBe(0);

beforeAll(async () => {
  w = await startClockedWorld();
  sb = new NpmSandbox(w.registry);
}, 120_000);

afterAll(async () => {
  sb?.cleanup();
  await w?.close();
});

describe("the npm CLI with a regenerated key's old and new values", { timeout: 120_000 }, () => {
  it("accepts both values for the hour, then only the new one", async () => {
    const made = await w.newKey("npm rotation");
    const out = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 1 });
    const v1 = sb.project("kh-rotated", { "package.json": manifest("kh-rotated", "1.0.0"), "index.js": "module.exports = 1;\n" });
    const v2 = sb.project("kh-rotated-2", { "package.json": manifest("kh-rotated", "1.0.1"), "index.js": "module.exports = 2;\n" });

    // The old value keeps its rights: it publishes, and npm knows who it is.
    const published = await sb.run(v1, made.value, ["publish"]);
    ok(published);
    expect(published.stdout).toContain("+ kh-rotated@1.0.0");
    for (const value of [made.value, out.value]) {
      const who = await sb.run(v1, value, ["whoami"]);
      ok(who);
      expect(who.stdout.trim()).toBe("alice");
    }

    w.setClock(new Date(Date.now() + HOUR + 60_000));
    w.services.keys.invalidate();
    const refused = await sb.run(v1, made.value, ["whoami"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("npm error code E403");
    expect(refused.stderr).toContain(MESSAGES.invalidKey);
    const refusedPublish = await sb.run(v2, made.value, ["publish"]);
    expect(refusedPublish.code).not.toBe(0);
    expect(refusedPublish.stderr).toContain("npm error code E403");

    const who = await sb.run(v2, out.value, ["whoami"]);
    ok(who);
    expect(who.stdout.trim()).toBe("alice");
    const republished = await sb.run(v2, out.value, ["publish"]);
    ok(republished);
    expect(republished.stdout).toContain("+ kh-rotated@1.0.1");
  });
});
