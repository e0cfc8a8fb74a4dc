// Temporary uploads left behind by a crash are removed by age, at start-up and hourly;
// a file another instance may be writing (a young one) is never touched.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { removeStaleUploads, STALE_UPLOAD_MS, startUploadSweep, UPLOAD_SWEEP_EVERY_MS } from "./sweep.ts";
import { uploadTmpDir } from "./receive.ts";

let dataDir: string;
let dir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-sweep-"));
  dir = uploadTmpDir({ dataDir });
  mkdirSync(dir);
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A file in the uploads folder last written ageMs ago. */
function leftBehind(name: string, ageMs: number): void {
  const file = path.join(dir, name);
  writeFileSync(file, "partial upload");
  const at = (Date.now() - ageMs) / 1000;
  utimesSync(file, at, at);
}

const MINUTE = 60_000;

describe("temporary uploads left behind", () => {
  it("removes files not written for an hour and keeps younger ones", async () => {
    leftBehind("crashed.upload", 2 * STALE_UPLOAD_MS);
    leftBehind("just-over.upload", STALE_UPLOAD_MS + MINUTE);
    leftBehind("slow-upload-elsewhere.upload", STALE_UPLOAD_MS - MINUTE);
    leftBehind("being-written.upload", 0);
    mkdirSync(path.join(dir, "a-folder"));

    expect(await removeStaleUploads(dir)).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(["a-folder", "being-written.upload", "slow-upload-elsewhere.upload"]);
  });

  it("finds nothing to do when the uploads folder does not exist yet", async () => {
    rmSync(dir, { recursive: true });
    expect(await removeStaleUploads(dir)).toBe(0);
  });

  it("sweeps at start-up and again every hour", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    leftBehind("before-start.upload", 3 * STALE_UPLOAD_MS);
    leftBehind("fresh.upload", 0);
    const lines: string[] = [];
    const sweep = startUploadSweep(dir, (l) => lines.push(l));
    await sweep.running();
    expect(readdirSync(dir)).toEqual(["fresh.upload"]);
    expect(lines).toEqual([`Removed 1 temporary upload file left behind in ${dir}.`]);

    leftBehind("crashed-later.upload", 2 * STALE_UPLOAD_MS);
    vi.advanceTimersByTime(UPLOAD_SWEEP_EVERY_MS - 1);
    expect(sweep.running()).toBeUndefined();
    vi.advanceTimersByTime(1);
    await sweep.running();
    expect(readdirSync(dir)).toEqual(["fresh.upload"]);
    await sweep.stop();
  });
});
