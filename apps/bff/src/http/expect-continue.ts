// `Expect: 100-continue` on the upload routes (docs/threat-model.md): a client that asks
// (curl for large bodies, .NET's HttpClient) sends its body only after "100 Continue".
// Node answers it before any handler runs, which would invite the body of an upload the
// gate is about to refuse. On the routes behind FeedAccess.checkBeforeUpload the answer
// waits for the gate: it lets the request through → "100 Continue" and the body is read;
// it refuses → the final 401/403 alone, with Connection: close. Every other request gets
// "100 Continue" at once, as Node gives it.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";

/** Requests still waiting for "100 Continue", and their responses. */
const waiting = new WeakMap<IncomingMessage, ServerResponse>();

/**
 * The requests whose body is read only after checkBeforeUpload: NuGet PUT (api/v2/package
 * and the feed root), any npm PUT (publish, packument edits, dist-tags), RubyGems POST
 * api/v1/gems. Matched like Express routes: case-insensitive, an optional trailing slash.
 */
export function isGatedUpload(method: string | undefined, url: string | undefined): boolean {
  const path = (url ?? "").split("?")[0]!;
  if (method === "PUT") return /^\/nuget\/[^/]+(\/|\/api\/v2\/package\/?)?$/i.test(path) || /^\/npm\/[^/]+\/[^/]/i.test(path);
  if (method === "POST") return /^\/rubygems\/[^/]+\/api\/v1\/gems\/?$/i.test(path);
  return false;
}

/** Sends the "100 Continue" a request still waits for: the gate let it through (or its body is read anyway). */
export function continueIfWaiting(req: IncomingMessage): void {
  const res = waiting.get(req);
  if (!res) return;
  waiting.delete(req);
  if (!res.headersSent && !res.writableEnded) res.writeContinue();
}

/** Answers `Expect: 100-continue` as above; `app` is the server's request listener. */
export function answerExpectContinue(server: Server, app: RequestListener): void {
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (!isGatedUpload(req.method, req.url)) {
      res.writeContinue();
      return app(req, res);
    }
    waiting.set(req, res);
    // Whoever reads the body first gets it sent: a handler that reads without the gate must not leave the client waiting.
    req.once("resume", () => continueIfWaiting(req));
    // A final answer while the client still waits: it may never send the body, or send it
    // after all, so the connection cannot be reused.
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (waiting.delete(req) && !req.complete) this.setHeader("Connection", "close");
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse["writeHead"];
    app(req, res);
  });
}
