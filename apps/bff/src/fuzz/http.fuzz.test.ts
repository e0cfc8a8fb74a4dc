// The standing HTTP fuzz test: seeded, bounded runs of generated requests against a real
// server on a real temporary database, over every surface (the three feeds, the Native
// and management APIs, tRPC), every way of presenting a key (with real keys of each kind
// and wrong ones), odd encodings and broken archives. Any 5xx, dropped connection, request
// left without an answer, or internal-error line in the server's log fails the run, and
// the server must still be healthy at the end.
//
// KEYHOUSE_FUZZ_SEED (default below) and KEYHOUSE_FUZZ_RUNS (total requests, default
// 3000) replay or widen a run; the seed is printed. A failure prints the shrunk request:
// add it to regressions.test.ts with the fix.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { surfaces } from "./arbitraries.ts";
import { internalErrors } from "./log-lines.ts";
import { describeRequest, send, type FuzzRequest } from "./send.ts";
import { createFuzzWorld, FEEDS, PACKAGES, type FuzzWorld } from "./world.ts";

const SEED = Number(process.env.KEYHOUSE_FUZZ_SEED ?? 20261204);
const RUNS = Number(process.env.KEYHOUSE_FUZZ_RUNS ?? 3000);
const VERBOSE = process.env.KEYHOUSE_FUZZ_VERBOSE === "1";

let w: FuzzWorld;
let base: URL;
const tally = new Map<string, Map<string, number>>();

beforeAll(async () => {
  console.log(`HTTP fuzz: seed ${SEED} (KEYHOUSE_FUZZ_SEED), ${RUNS} requests (KEYHOUSE_FUZZ_RUNS)`);
  w = await createFuzzWorld();
  base = new URL(w.server.url);
});

afterAll(async () => {
  if (!w) return;
  for (const [surface, counts] of tally)
    console.log(
      `HTTP fuzz ${surface}: ${[...counts]
        .sort()
        .map(([k, n]) => `${k}×${n}`)
        .join(" ")}`,
    );
  await w.close();
});

/** Sends one request and fails, with the request, on a 5xx, no answer or a new internal-error log line. */
async function check(surface: string, r: FuzzRequest): Promise<void> {
  const seen = w.server.logs.length;
  const a = await send(base, r);
  const counts = tally.get(surface) ?? new Map<string, number>();
  tally.set(surface, counts);
  const key = "error" in a ? "no answer" : a.status === 0 ? "not sent" : String(a.status);
  if (VERBOSE && !("error" in a))
    console.log(
      `${a.status} ${describeRequest(r).split("\n")[0]} → ${a.body.slice(0, 160)}${w.server.logs
        .slice(seen)
        .map((l) => `\n  server log: ${l.slice(0, 300)}`)
        .join("")}`,
    );
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if ("error" in a) throw new Error(`${a.error}\n${describeRequest(r)}`);
  if (a.status >= 500) throw new Error(`answered ${a.status}: ${a.body.slice(0, 500)}\n${describeRequest(r)}`);
  const logged = internalErrors(w.server.logs.slice(seen));
  if (logged.length) throw new Error(`the server logged an internal error: ${logged[0]!.slice(0, 1500)}\n${describeRequest(r)}`);
}

describe("HTTP fuzz", () => {
  const list = () => surfaces(w);
  // The surfaces are only known once the world exists; their names and shares are fixed.
  const NAMES = ["NuGet feed", "npm feed", "RubyGems feed", "Native API", "management API", "tRPC"];
  NAMES.forEach((name, i) => {
    it(`${name}: no 5xx, no dropped or hung request, no internal error`, { timeout: 600_000 }, async () => {
      const s = list().find((x) => x.name === name)!;
      const numRuns = Math.ceil(RUNS * s.share);
      await fc.assert(
        fc.asyncProperty(s.requests, (r) => check(name, r)),
        { seed: SEED + i, numRuns, endOnFailure: false },
      );
    });
  });

  it("leaves the server healthy: /healthz answers, keys still work, nothing internal was logged", async () => {
    const health = await fetch(`${w.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe("ok");
    const read = await fetch(`${w.server.url}/npm/${FEEDS.npm}/${PACKAGES.npm}`, { headers: { authorization: `Bearer ${w.good.scoped}` } });
    expect(read.status).toBe(200);
    const index = await fetch(`${w.server.url}/nuget/${FEEDS.nuget}/v3/index.json`, { headers: { "x-nuget-apikey": w.good.legacy } });
    expect(index.status).toBe(200);
    await w.server.services.keys.flush();
    await w.server.services.accessLog.drain();
    expect(internalErrors(w.server.logs)).toEqual([]);
  });
});
