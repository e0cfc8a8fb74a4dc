// `npm run bench:cluster` — several instances behind nginx (docs/deployment.md): the
// authenticated npm packument read and npm publish through nginx with 1, 2 and 3
// instances, each as a ratio to one instance reached without nginx, and how long a
// revocation takes to reach the other instances. One cluster of three instances
// (scripts/cluster-lib.mjs) and three nginx processes in front of the first 1, 2 and 3 of
// them, so every case runs on the same processes and database. Cases are interleaved in
// rounds, so background load falls on all of them alike. On a 2-core machine the point is
// no loss (every answer 2xx) and correct sharing, not speed-up.
//
// Environment: BENCH_DURATION (s per case and round, 5), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (read connections, 32; publishes use a quarter).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { freePort, nginxConfig, stopChild } from "../../../scripts/cluster-lib.mjs";
import { seedCluster, signIn, startTestCluster } from "../src/cluster/cluster.testing.ts";
import { buildNpmPublishBody } from "../src/feeds/formats/npm.fixtures.ts";

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const NPM_HEADERS = { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*", "user-agent": "npm/10.9.3 node/v22.20.0 linux x64" };
const log = (line: string) => process.stderr.write(`${line}\n`);

type Totals = { ok: number; bad: number; seconds: number };

const c = await startTestCluster(seedCluster, { echo: undefined });
const extra: ChildProcess[] = [];
try {
  const key = c.seeded.aliceKey;
  // A package to read: one version, published once.
  const read = buildNpmPublishBody({ name: "bench-read", version: "1.0.0", registry: `${c.cluster.url}/npm/npm/` });
  const put = await fetch(`${c.cluster.url}/npm/npm/bench-read`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(read.body),
  });
  if (put.status !== 201) throw new Error(`publishing the package to read failed: ${put.status} ${await put.text()}`);

  // nginx in front of the first 1, 2 and 3 instances.
  const fronts: { label: string; url: string }[] = [{ label: "1 instance, no nginx", url: c.cluster.instances[0]!.url }];
  for (const n of [1, 2, 3]) {
    const dir = path.join(c.cluster.dir, `nginx-${n}`);
    mkdirSync(dir);
    const port = await freePort();
    const conf = path.join(dir, "nginx.conf");
    writeFileSync(conf, nginxConfig({ dir, port, upstreams: c.cluster.instances.slice(0, n).map((i) => i.port), maxUploadMb: 250 }));
    const nginx = spawn("/usr/sbin/nginx", ["-c", conf, "-g", "daemon off;"], { stdio: "ignore" });
    extra.push(nginx);
    const url = `http://127.0.0.1:${port}`;
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      up = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 25));
    }
    if (!up) throw new Error(`nginx for ${n} instances did not start`);
    fronts.push({ label: `nginx, ${n} instance${n === 1 ? "" : "s"}`, url });
  }

  let published = 0;
  const kinds = {
    read: (url: string) => ({ url: `${url}/npm/npm/bench-read`, connections: CONNECTIONS, headers: { ...NPM_HEADERS, authorization: `Bearer ${key}` } }),
    publish: (url: string) => ({
      url,
      connections: Math.max(1, CONNECTIONS >> 2),
      requests: [
        {
          setupRequest: () => {
            const name = `bench-pub-${process.pid}-${published++}`;
            const body = buildNpmPublishBody({ name, version: "1.0.0", registry: `${url}/npm/npm/` }).body;
            return {
              method: "PUT",
              path: `/npm/npm/${name}`,
              headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
              body: JSON.stringify(body),
            };
          },
        },
      ],
    }),
  } as const;

  const totals = new Map<string, Totals>();
  for (const [kind, make] of Object.entries(kinds)) {
    // Warm-up, unmeasured.
    for (const f of fronts) await autocannon({ ...make(f.url), duration: 1 });
    for (let round = 0; round < ROUNDS; round++) {
      for (const f of fronts) {
        const r = await autocannon({ ...make(f.url), duration: DURATION });
        const t = totals.get(`${kind}|${f.label}`) ?? { ok: 0, bad: 0, seconds: 0 };
        t.ok += r["2xx"];
        t.bad += r.non2xx + r.errors + r.timeouts;
        t.seconds += r.duration;
        totals.set(`${kind}|${f.label}`, t);
        log(
          `round ${round + 1}/${ROUNDS} ${kind.padEnd(7)} ${f.label.padEnd(22)} ${(r["2xx"] / r.duration).toFixed(0)} req/s, ${r.non2xx + r.errors + r.timeouts} not 2xx`,
        );
      }
    }
  }

  // Revocation: made and revoked through one instance, polled on the two others.
  const alice = await signIn(c.cluster.url, "alice", { forwardedFor: "192.0.2.44" });
  const delays: number[] = [];
  const status = (base: string, value: string) =>
    fetch(`${base}/npm/npm/-/whoami`, { headers: { authorization: `Bearer ${value}` } }).then(async (r) => (await r.arrayBuffer(), r.status));
  for (let n = 0; n < 20; n++) {
    const via = c.cluster.instances[n % 3]!;
    const others = c.cluster.instances.filter((i) => i !== via);
    const made = await alice.mutate<{ key: { id: number }; value: string }>(
      "keys.create",
      { name: `Bench revoke ${n}`, scopes: ["push"], packages: [], glob: "*", expiresInDays: 30 },
      via.url,
    );
    for (const o of others) await status(o.url, made.value);
    await alice.mutate("keys.revoke", { id: made.key.id }, via.url);
    const t0 = performance.now();
    for (const o of others) {
      let s = 200;
      for (let tries = 0; tries < 1000 && s === 200; tries++) s = await status(o.url, made.value);
      delays.push(performance.now() - t0);
    }
  }

  const rate = (k: string) => {
    const t = totals.get(k)!;
    return t.ok / t.seconds;
  };
  console.log(
    `\nbench:cluster — ${c.cluster.instances.length} instances on PostgreSQL, STORAGE_URL=${process.env.STORAGE_URL ?? "database"}, ${DURATION} s × ${ROUNDS} rounds a case\n`,
  );
  console.log(`${"case".padEnd(32)}${"req/s".padStart(9)}${"ratio".padStart(8)}${"not 2xx".padStart(9)}`);
  for (const kind of Object.keys(kinds)) {
    const base = rate(`${kind}|${fronts[0]!.label}`);
    for (const f of fronts) {
      const k = `${kind}|${f.label}`;
      console.log(
        `${`${kind} — ${f.label}`.padEnd(32)}${rate(k).toFixed(0).padStart(9)}${(rate(k) / base).toFixed(2).padStart(8)}${String(totals.get(k)!.bad).padStart(9)}`,
      );
    }
  }
  const sorted = [...delays].sort((a, b) => a - b);
  console.log(
    `\nrevocation reaching the other instances (20 revocations, ${delays.length} measurements): median ${sorted[sorted.length >> 1]!.toFixed(0)} ms, worst ${sorted.at(-1)!.toFixed(0)} ms (bound: 1000 ms)`,
  );
  const lost = [...totals.values()].reduce((a, t) => a + t.bad, 0);
  if (lost > 0 || sorted.at(-1)! >= 1000) process.exitCode = 1;
} finally {
  await Promise.all(extra.map((p) => stopChild(p)));
  await c.stop();
}
