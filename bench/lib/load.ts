/**
 * autocannon runs where every target (agent) belongs to one connection: with P paths and C connections, connection i
 * sends to paths i, i+C, i+2C, ... in turn (P = C: one agent per connection). A connection has one request in flight
 * (pipelining 1), so no two requests ever hit one agent at once (which would be a 409).
 * Latencies are collected from autocannon's per-response events (float ms) rather than its integer-ms histogram.
 */
import autocannon from 'autocannon';
import { summarize, Summary } from './stats';

export interface LoadOptions {
  url: string;
  /** Targets, dealt to the connections round robin (at least one per connection, reused if fewer). */
  paths: string[];
  body: unknown;
  connections: number;
  durationSeconds?: number;
  amount?: number;
  timeoutSeconds?: number;
  /** Stop the run after this long even if `amount` requests were not all sent (a time budget). */
  maxSeconds?: number;
}

export interface LoadResult {
  connections: number;
  /** Wall time of the run in seconds. */
  seconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Successful responses per second. */
  rps: number;
  latency: Summary;
  /** Latencies of the successful responses in completion order (ms). */
  samples: number[];
  /** True when `maxSeconds` cut the run short. */
  cut: boolean;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { url, paths, body, connections } = options;
  if (paths.length === 0) throw new Error('runLoad: no paths');
  let nextClient = 0;
  const samples: number[] = [];
  const statusCodes: Record<string, number> = {};
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let cut = false;
    let cap: NodeJS.Timeout | undefined;
    const instance = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
        timeout: options.timeoutSeconds ?? 60,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        setupClient: (client: any) => {
          const i = nextClient++ % connections;
          const own = paths.filter((_, j) => j % connections === i);
          if (own.length === 0) own.push(paths[i % paths.length]);
          client.setRequests(own.map((path) => ({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: payload })));
        },
      } as autocannon.Options,
      (error, result) => {
        if (cap) clearTimeout(cap);
        if (error) return reject(error);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const ok = samples.length;
        resolve({
          connections,
          seconds,
          ok,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          rps: ok / (result.duration || seconds),
          latency: summarize(samples),
          samples,
          cut,
        });
      },
    );
    if (options.maxSeconds !== undefined) {
      cap = setTimeout(() => {
        cut = true;
        (instance as unknown as { stop(): void }).stop();
      }, options.maxSeconds * 1000);
    }
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
    });
  });
}

/** Several runs of the same load as one: their responses together, turns/s over their summed wall time. */
export function mergeLoads(runs: LoadResult[]): LoadResult {
  const samples = runs.flatMap((r) => r.samples);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const statusCodes: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const total = (key: 'non2xx' | 'errors' | 'timeouts') => runs.reduce((sum, r) => sum + r[key], 0);
  return {
    connections: runs[0].connections,
    seconds,
    ok: samples.length,
    non2xx: total('non2xx'),
    errors: total('errors'),
    timeouts: total('timeouts'),
    statusCodes,
    rps: samples.length / seconds,
    latency: summarize(samples),
    samples,
    cut: runs.some((r) => r.cut),
  };
}
