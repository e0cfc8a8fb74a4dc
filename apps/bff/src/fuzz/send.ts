// Sends one fuzz request with node:http (fetch would refuse or normalise much of what the
// fuzz means to send: duplicate headers, Latin-1 bytes, a Content-Encoding with a body
// that does not match it) and reads the answer, within a client timeout.
import http from "node:http";

export type FuzzRequest = {
  /** What the request exercises, for the failure message. */
  label: string;
  method: string;
  path: string;
  /** Repeated names are sent as repeated header lines. */
  headers: [string, string][];
  body?: Buffer;
};

export type FuzzAnswer = { status: number; body: string } | { error: string };

export const CLIENT_TIMEOUT_MS = 15_000;

export function describeRequest(r: FuzzRequest): string {
  const headers = r.headers.map(([k, v]) => `${k}: ${v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v}`).join("\n  ");
  const body = r.body ? `${JSON.stringify(r.body.subarray(0, 200).toString("latin1"))}${r.body.length > 200 ? `…(${r.body.length} bytes)` : ""}` : "(none)";
  return `[${r.label}] ${r.method} ${r.path}\n  ${headers}\n  body: ${body}`;
}

export function send(base: URL, r: FuzzRequest): Promise<FuzzAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: FuzzAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(a);
    };
    // With headers given as raw pairs Node adds no Host line, and servers refuse HTTP/1.1 without one.
    const flat: string[] = ["host", base.host];
    for (const [k, v] of r.headers) flat.push(k, v);
    if (r.body) flat.push("content-length", String(r.body.length));
    let req: http.ClientRequest;
    try {
      // A fresh connection per request: one request's broken framing cannot leak into the next.
      req = http.request({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers: flat, agent: false });
    } catch (e) {
      // The client refused to send it (e.g. a character Node will not put in a header): not a server fault.
      return resolve({ status: 0, body: `not sent: ${(e as Error).message}` });
    }
    const timer = setTimeout(() => {
      req.destroy();
      done({ error: `no answer within ${CLIENT_TIMEOUT_MS} ms` });
    }, CLIENT_TIMEOUT_MS);
    let status: number | undefined;
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on("end", () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 2000) }));
      res.on("error", (e) => done({ error: `answer cut off: ${e.message}` }));
      res.on("aborted", () => done({ error: "answer aborted" }));
    });
    // A server may close the connection once it has answered (a refused upload it will not
    // read): the answer counts, the client's write error after it does not.
    req.on("error", (e) =>
      done(status === undefined ? { error: `connection failed: ${e.message}` } : { status, body: "(connection closed after the answer)" }),
    );
    req.end(r.body);
  });
}
