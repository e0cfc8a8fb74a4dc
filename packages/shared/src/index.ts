export * from "./constants.ts";
export * from "./crc32.ts";
export * from "./base62.ts";
export * from "./key-format.ts";
export * from "./glob.ts";
export * from "./key-status.ts";
export * from "./schemas.ts";
export * from "./authorize.ts";
