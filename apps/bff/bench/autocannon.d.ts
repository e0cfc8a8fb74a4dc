// autocannon 8 ships no types: the little of its API the benchmarks use.
declare module "autocannon" {
  namespace autocannon {
    type Histogram = {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    };
    type Client = { setHeaders(headers: Record<string, string>): void };
    type Options = {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      timeout?: number;
      pipelining?: number;
      method?: string;
      headers?: Record<string, string>;
      setupClient?: (client: Client) => void;
      body?: string;
      /** Per request: setupRequest may answer a changed request (a fresh body each time). */
      requests?: {
        method?: string;
        path?: string;
        headers?: Record<string, string>;
        body?: string;
        setupRequest?: (req: { method?: string; path?: string; headers?: Record<string, string>; body?: string }) => {
          method?: string;
          path?: string;
          headers?: Record<string, string>;
          body?: string;
        };
      }[];
    };
    type Result = {
      requests: Histogram;
      latency: Histogram;
      throughput: Histogram;
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      "2xx": number;
      statusCodeStats: Record<string, { count: number }>;
    };
  }
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result> & { stop(): void };
  export default autocannon;
}
