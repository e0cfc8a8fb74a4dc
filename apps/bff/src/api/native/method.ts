// What a Native API method is: a ProGet-style name, its arguments as a zod object (the
// same schema validates calls and describes them in the OpenAPI document), the row
// schema of its answer, and a thin adapter over domain functions.
import type { z } from "zod";
import type { Db } from "../../db/client.ts";
import type { Services } from "../../services.ts";
import type { KeyCaller } from "../../auth/caller.ts";
import type { ArgsSchema } from "../args.ts";

export type NativeContext = {
  db: Db;
  services: Services;
  caller: KeyCaller;
  ip: string | null;
  now: Date;
};

export type NativeMethod = {
  name: string;
  /** One line, for the method list. */
  summary: string;
  /** Who may call it and what it does, for the reference page. */
  description: string;
  args: ArgsSchema;
  row: z.ZodObject;
  run: (ctx: NativeContext, args: never) => Promise<unknown[]>;
};

export function defineMethod<A extends ArgsSchema, R extends z.ZodObject>(m: {
  name: string;
  summary: string;
  description: string;
  args: A;
  row: R;
  run: (ctx: NativeContext, args: z.output<A>) => Promise<z.output<R>[]>;
}): NativeMethod {
  return m as unknown as NativeMethod;
}
