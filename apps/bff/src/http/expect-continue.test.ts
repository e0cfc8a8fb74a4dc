// `Expect: 100-continue` on the upload routes (docs/threat-model.md): the key is checked
// before "100 Continue" invites the body. Spoken over a raw socket, as curl and .NET do:
// headers first, then wait for the server's word.
import { generateKeyValue } from "@keyhouse/shared";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import { buildGem } from "../feeds/formats/gem.fixtures.ts";
import { buildNpmPublishBody } from "../feeds/formats/npm.fixtures.ts";
import { buildNupkg } from "../feeds/formats/nuget.fixtures.ts";
import type { TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { isGatedUpload } from "./expect-continue.ts";
import { type LogWorld, type LoggedServer, useLoggedWorld } from "../test/logged-world.ts";

let t: TestDatabase;
let server: LoggedServer;
let world: LogWorld;
useLoggedWorld((parts) => ({ t, server, world } = parts));

type Head = { status: string; headers: string };
/** The status code of a response head (NuGet's reason phrases carry messages). */
const code = (h: Head) => h.status.split(" ")[1];

/**
 * Sends the request head with `Expect: 100-continue`, then the body only if the server's
 * first answer is "100 Continue". Resolves with every response head the server sent, and
 * whether it closed the connection.
 */
function expectContinue(method: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<{ heads: Head[]; closed: boolean }> {
  const port = Number(new URL(server.url).port);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const lines = Object.entries({ Host: `127.0.0.1:${port}`, ...headers, "Content-Length": String(body.length), Expect: "100-continue" }).map(
      ([k, v]) => `${k}: ${v}\r\n`,
    );
    socket.write(`${method} ${path} HTTP/1.1\r\n${lines.join("")}\r\n`);
    const heads: Head[] = [];
    let buffered = "";
    let bodyLeft = 0;
    const finish = (closed: boolean) => {
      socket.destroy();
      resolve({ heads, closed });
    };
    // After a final answer that says Connection: close, wait for the server to close.
    const done = () => (/^connection: close$/m.test(heads.at(-1)!.headers) ? undefined : finish(false));
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      for (;;) {
        if (bodyLeft > 0) {
          const take = Math.min(bodyLeft, buffered.length);
          buffered = buffered.slice(take);
          bodyLeft -= take;
          if (bodyLeft > 0) return;
          return done();
        }
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const [status, ...rest] = buffered.slice(0, end).split("\r\n");
        buffered = buffered.slice(end + 4);
        heads.push({ status: status!, headers: rest.join("\n").toLowerCase() });
        if (status!.startsWith("HTTP/1.1 100")) {
          socket.write(body);
          continue;
        }
        // A final answer: read its body (Content-Length), then stop.
        bodyLeft = Number(/^content-length: (\d+)$/m.exec(heads.at(-1)!.headers)?.[1] ?? 0);
        if (bodyLeft === 0) return done();
      }
    });
    socket.on("end", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("error", reject);
  });
}

const uploads = () => {
  const gem = buildGem({ name: `continued-${Math.random().toString(36).slice(2, 8)}`, version: "1.0.0" });
  const nupkg = buildNupkg({ id: `Continued.P${Math.random().toString(36).slice(2, 8)}`, version: "1.0.0" });
  const npmName = `continued-${Math.random().toString(36).slice(2, 8)}`;
  const publish = Buffer.from(JSON.stringify(buildNpmPublishBody({ name: npmName, version: "1.0.0" }).body));
  return [
    {
      feed: "NuGet",
      method: "PUT",
      path: "/nuget/nuget/api/v2/package",
      headers: (key: string) => ({ "X-NuGet-ApiKey": key, "Content-Type": "application/octet-stream" }),
      body: nupkg,
      created: "201",
    },
    {
      feed: "NuGet (feed root)",
      method: "PUT",
      path: "/nuget/nuget/",
      headers: (key: string) => ({ "X-NuGet-ApiKey": key, "Content-Type": "application/octet-stream" }),
      body: buildNupkg({ id: `Continued.Root${Math.random().toString(36).slice(2, 8)}`, version: "1.0.0" }),
      created: "201",
    },
    {
      feed: "RubyGems",
      method: "POST",
      path: "/rubygems/gems/api/v1/gems",
      headers: (key: string) => ({ Authorization: key, "Content-Type": "application/octet-stream" }),
      body: gem,
      created: "200",
    },
    {
      feed: "npm",
      method: "PUT",
      path: `/npm/npm/${npmName}`,
      headers: (key: string) => ({ Authorization: `Bearer ${key}`, "Content-Type": "application/json" }),
      body: publish,
      created: "201",
    },
  ];
};

describe("Expect: 100-continue on the upload routes", () => {
  it("answers a wrong key with the final 403 and Connection: close, never inviting the body", async () => {
    const wrong = generateKeyValue();
    for (const u of uploads()) {
      const { heads, closed } = await expectContinue(u.method, u.path, u.headers(wrong), u.body);
      expect({ feed: u.feed, statuses: heads.map(code) }).toEqual({ feed: u.feed, statuses: ["403"] });
      expect(heads[0]!.headers).toMatch(/^connection: close$/m);
      expect(closed).toBe(true);
    }
  });

  it("answers a missing key with 401, never inviting the body", async () => {
    const { heads } = await expectContinue(
      "PUT",
      "/nuget/nuget/api/v2/package",
      { "Content-Type": "application/octet-stream" },
      buildNupkg({ id: "No.Key", version: "1.0.0" }),
    );
    expect(heads.map(code)).toEqual(["401"]);
    expect(heads[0]!.headers).toMatch(/^connection: close$/m);
  });

  it("invites the body of an allowed upload with 100 Continue, then stores it", async () => {
    const { value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, name: "alice pushes", scopes: ["push", "update", "unlist"] });
    for (const u of uploads()) {
      const { heads } = await expectContinue(u.method, u.path, u.headers(value), u.body);
      expect({ feed: u.feed, statuses: heads.map(code) }).toEqual({ feed: u.feed, statuses: ["100", u.created] });
    }
  });

  it("answers 100 Continue at once on every other route, as Node does", async () => {
    // A relist has no body to protect: the gate that matters runs after the key check, on the package.
    const { heads } = await expectContinue(
      "POST",
      "/nuget/nuget/api/v2/package/Some.Package/1.0.0",
      { "X-NuGet-ApiKey": generateKeyValue() },
      Buffer.from("x"),
    );
    expect(heads.map(code)).toEqual(["100", "403"]);
  });

  it("knows the gated upload routes the way Express matches them", () => {
    const gated: [string, string][] = [
      ["PUT", "/nuget/nuget/api/v2/package"],
      ["PUT", "/nuget/nuget/api/v2/package/"],
      ["PUT", "/NuGet/nuget/API/v2/Package?x=1"],
      ["PUT", "/nuget/nuget/"],
      ["PUT", "/nuget/nuget"],
      ["PUT", "/npm/npm/left-pad"],
      ["PUT", "/npm/npm/@scope%2fname"],
      ["PUT", "/npm/npm/-/package/left-pad/dist-tags/beta"],
      ["POST", "/rubygems/gems/api/v1/gems"],
      ["POST", "/rubygems/gems/api/v1/gems/"],
    ];
    const other: [string, string][] = [
      ["POST", "/nuget/nuget/api/v2/package/Id/1.0.0"],
      ["DELETE", "/nuget/nuget/api/v2/package/Id/1.0.0"],
      ["PUT", "/npm/npm/"],
      ["POST", "/rubygems/gems/api/v1/gems/yank"],
      ["POST", "/api/json/ApiKeys_CreateOrEditApiKey"],
      ["GET", "/nuget/nuget/v3/index.json"],
    ];
    expect(gated.filter(([m, u]) => !isGatedUpload(m, u))).toEqual([]);
    expect(other.filter(([m, u]) => isGatedUpload(m, u))).toEqual([]);
  });
});
