// The .nupkg bytes in a push body: multipart (as nuget push sends it) or the raw package.
import { multipartFirstFile } from "../formats/nuget.ts";
import { readFormat } from "./context.ts";

export function packageBytes(body: Buffer, contentType: string): Buffer {
  return readFormat(() => multipartFirstFile(body, contentType));
}
