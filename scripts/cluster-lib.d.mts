// Types of scripts/cluster-lib.mjs for the TypeScript that uses it (the cluster tests and bench).
import type { ChildProcess } from "node:child_process";

export type ClusterInstance = {
  index: number;
  port: number;
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Every line the instance printed (the last 5000). */
  output: string[];
  /** Kills the process (SIGKILL unless told) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  alive(): boolean;
};

export type Cluster = {
  url: string;
  port: number;
  dir: string;
  databaseUrl: string;
  databaseName: string;
  secret: string;
  instances: ClusterInstance[];
  nginx: ChildProcess | undefined;
  adminUrl: string;
  stop(): Promise<void>;
};

export type ClusterOptions = {
  size?: number;
  port?: number;
  database?: string;
  keepDatabase?: boolean;
  seed?: "demo" | "none";
  secret?: string;
  beforeStart?: (databaseUrl: string, secret: string) => Promise<void>;
  env?: Record<string, string>;
  build?: "all" | "bff" | false;
  echo?: (line: string) => void;
  balancer?: boolean;
};

export const root: string;
export function freePort(): Promise<number>;
export function build(what?: "all" | "bff"): void;
export function nginxConfig(o: { dir: string; port: number; upstreams: number[]; maxUploadMb: number }): string;
export function stopChild(child: ChildProcess | undefined, signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
export function startCluster(options?: ClusterOptions): Promise<Cluster>;
