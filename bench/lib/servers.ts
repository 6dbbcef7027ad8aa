/** The servers a benchmark runs (Mnemo, the reference turn), their agents, and the CPU they spend under load. */
import { Client, Pool } from 'pg';
import { expectOk } from './http';
import { Child, cpuMs, freePort, sleep, startArgs, startChild, startTsChild } from './procs';

export const MODEL = 'bench-model';
/** The machine's PostgreSQL (without a database name) and Redis, unless `BENCH_PG_URL` and `BENCH_REDIS_URL` say otherwise. */
export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** `application_name` of the reference server's connections, to tell its Postgres backends from Mnemo's. */
export const REFERENCE_APP = 'mnemo-bench-reference';
/**
 * Seconds of c=32 load each server gets before anything is measured: V8 is still optimizing Mnemo's turn path
 * 10-15 s into such a load (`--trace-opt`), and its compiler threads take CPU from what would be measured.
 */
export const WARMUP_SECONDS = 15;

export async function dropDatabase(pgBase: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: `${pgBase}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface MnemoOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  fakeUrl: string;
  /** Node's flags before those of `npm start` (e.g. a profiler's). */
  nodeArgs?: string[];
  /** The build's entry point instead of `npm start`'s (a copy of `dist/`, see `npm run bench:ab`). */
  entry?: string;
}

/** Mnemo (API and worker) as `npm start` runs it, on the fake provider, once it answers its health check. */
export async function startMnemo(options: MnemoOptions): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const args = startArgs();
  if (options.entry) args.splice(args.length - 1, 1, options.entry);
  const child = startChild('mnemo', process.execPath, [...(options.nodeArgs ?? []), ...args], {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.queuePrefix,
    LOG_LEVEL: 'warn',
    MNEMO_ROLE: 'all',
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: `${options.fakeUrl}/v1`,
    LLM_MAX_RETRIES: '0',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  return { child, url };
}

async function waitHealthy(url: string, child: Child, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.exited.then((code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`Mnemo exited with ${exited} during boot:\n${child.output.slice(-40).join('\n')}`);
    try {
      const res = await fetch(`${url}/v1/health/`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`Mnemo did not answer GET /v1/health/ within ${timeoutMs} ms:\n${child.output.slice(-40).join('\n')}`);
}

/** The reference turn's server on the database of Mnemo's agents (`pool`), with the table it writes to. */
export async function startReference(pool: Pool, databaseUrl: string, fakeUrl: string, nodeArgs: string[] = []): Promise<Child & { url: string }> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bench_reference_messages (id text PRIMARY KEY, agent_id text, role text, content jsonb, created_at timestamptz DEFAULT now())`,
  );
  return startTsChild('reference server', 'bench/reference-server.ts', {
    DATABASE_URL: databaseUrl,
    OPENAI_BASE_URL: `${fakeUrl}/v1`,
    MODEL,
    PGAPPNAME: REFERENCE_APP,
  }, nodeArgs);
}

export async function createAgents(url: string, count: number, parallel = 8): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await expectOk<{ id: string }>('POST', `${url}/v1/agents/`, {
        model: `openai/${MODEL}`,
        memory_blocks: [{ label: 'human', value: 'Name: Bench' }],
      });
      ids[i] = res.body.id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return ids;
}

/** Postgres backends of `database` whose `pg_stat_activity` row matches `where` (asked on the bench's own pool). */
export async function backendPids(pool: Pool, database: string, where: string): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND ${where}`,
    [database],
  );
  return rows.map((r) => r.pid);
}

/** CPU time (ms) a server process, its database backends and the driving side spent during a load run. */
export interface Cpu {
  server: number;
  backends: number;
  drivers: number;
}

export function sumCpu(parts: Cpu[]): Cpu {
  return parts.reduce((a, b) => ({ server: a.server + b.server, backends: a.backends + b.backends, drivers: a.drivers + b.drivers }), { server: 0, backends: 0, drivers: 0 });
}

/**
 * Runs `load`, and measures the CPU time (ms) spent meanwhile by a server process, its database backends, and the
 * driving side both servers share (the fake provider and this process, which generates the load).
 */
export async function withCpu<T>(serverPid: number, backends: () => Promise<number[]>, drivers: number[], load: () => Promise<T>): Promise<[T, Cpu]> {
  const pids = await backends();
  const sum = (values: number[]) => values.filter(Number.isFinite).reduce((a, b) => a + b, 0);
  const server0 = cpuMs(serverPid);
  const backends0 = pids.map(cpuMs);
  const drivers0 = sum(drivers.map(cpuMs));
  const result = await load();
  const server = cpuMs(serverPid) - server0;
  const driving = sum(drivers.map(cpuMs)) - drivers0;
  // A pool can open a backend during the load: it counts from its start.
  const later = (await backends()).filter((pid) => !pids.includes(pid));
  return [result, { server, backends: sum(pids.map((pid, i) => cpuMs(pid) - backends0[i])) + sum(later.map(cpuMs)), drivers: driving }];
}
