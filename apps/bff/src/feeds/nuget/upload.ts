// The .nupkg bytes in a push body. nuget.exe 2.8.7 ends its file part with a bare LF
// before the closing boundary ("…PK\x05\x06…\n--BOUNDARY--"), where RFC 2046 wants
// CRLF; a strict multipart reader then finds no closing boundary. This shim restores
// the CR so the shared reader sees a well-formed body. (Worth folding into
// formats/nuget.ts's multipartFirstFile, at which point this becomes a no-op.)
import { multipartFirstFile } from "../formats/nuget.ts";
import { readFormat } from "./context.ts";

function withCrlfBeforeClose(body: Buffer, contentType: string): Buffer {
  const m = /;\s*boundary=(?:"([^"]{1,200})"|([^;\s"]{1,200}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return body;
  const close = Buffer.from(`\n--${boundary}--`, "latin1");
  const at = body.lastIndexOf(close);
  if (at <= 0 || body[at - 1] === 0x0d || body.subarray(at + close.length).toString("latin1").trim() !== "") return body;
  return Buffer.concat([body.subarray(0, at), Buffer.from("\r", "latin1"), body.subarray(at)]);
}

export function packageBytes(body: Buffer, contentType: string): Buffer {
  const fixed = /^\s*multipart\//i.test(contentType) ? withCrlfBeforeClose(body, contentType) : body;
  return readFormat(() => multipartFirstFile(fixed, contentType));
}
