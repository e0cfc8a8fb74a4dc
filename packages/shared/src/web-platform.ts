// The two Web APIs this package needs, typed locally: the package is compiled both
// without the DOM lib (Node) and without @types/node (browser), and both runtimes
// provide these globals.

type WebGlobals = {
  crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
  TextEncoder: new () => { encode(input: string): Uint8Array };
};

const web = globalThis as unknown as WebGlobals;

export function randomBytes(length: number): Uint8Array {
  return web.crypto.getRandomValues(new Uint8Array(length));
}

const encoder = new web.TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
