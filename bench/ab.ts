/**
 * `npm run bench:ab -- <build> [<build> ...]`: builds of Mnemo against each other and the reference turn, at one
 * concurrency, in alternating rounds on the same machine: a change's effect on throughput and CPU per turn, measured
 * apart from the machine's drift (single runs minutes apart differ by 10-20 %).
 *
 * A build is a copy of `dist/` under this repository (so that it finds node_modules), e.g.
 *   npm run build && cp -r dist bench/builds/before   # then change the code, and again as bench/builds/after
 *   npm run bench:ab -- bench/builds/before bench/builds/after
 * Each build gets a database of its own (mnemo_ab_<n>, dropped and recreated) migrated by its own migrations.
 * Env: AB_ROUNDS (5), AB_SECONDS per round (8), AB_CONNECTIONS (32), AB_AGENTS per connection (24).
 * Prints a line per round and server, then per server: turns/s, its ratio to the reference in each round, CPU per turn
 * (server process, its Postgres backends, the fake provider and load generator) and RSS.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { expectOk } from './lib/http';
import { runLoad } from './lib/load';
import { Child, cpuMs, freePort, ROOT, rssBytes, sleep, startArgs, startChild, startTsChild } from './lib/procs';

const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.AB_ROUNDS ?? 5);
const SECONDS = Number(process.env.AB_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 32);
const AGENTS_PER_CONNECTION = Number(process.env.AB_AGENTS ?? 24);
const BODY = { input: 'hi' };

interface Target {
  name: string;
  url: string;
  child: Child;
  pool: Pool;
  paths: string[];
  /** Which of the database's backends are this server's. */
  backends: string;
}

async function recreateDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

async function waitHealthy(url: string, child: Child): Promise<void> {
  for (let i = 0; i < 900; i++) {
    if (child.proc.exitCode !== null) throw new Error(`${url} exited:\n${child.output.slice(-20).join('\n')}`);
    try {
      const res = await fetch(`${url}/v1/health/`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} did not become healthy:\n${child.output.slice(-20).join('\n')}`);
}

async function createAgents(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - ids.length) }, () =>
        expectOk<{ id: string }>('POST', `${url}/v1/agents/`, { model: 'openai/bench-model', memory_blocks: [{ label: 'human', value: 'Name: Bench' }] }),
      ),
    );
    ids.push(...batch.map((r) => r.body.id));
  }
  return ids;
}

async function backendPids(target: Target): Promise<number[]> {
  const { rows } = await target.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND ${target.backends}`,
  );
  return rows.map((r) => r.pid);
}

async function startBuild(dir: string, index: number, fakeUrl: string): Promise<Target> {
  const database = `mnemo_ab_${index}`;
  await recreateDatabase(database);
  const port = await freePort();
  const flags = startArgs().filter((arg) => arg.startsWith('-')); // node's flags in `npm start`, without its entry point
  const child = startChild(`build ${dir}`, process.execPath, [...flags, path.join(path.resolve(ROOT, dir), 'src/main.js')], {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `${PG_BASE}/${database}`,
    REDIS_URL,
    QUEUE_PREFIX: `mnemo-ab-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'warn',
    MNEMO_ROLE: 'all',
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: `${fakeUrl}/v1`,
    LLM_MAX_RETRIES: '0',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  const ids = await createAgents(url, CONNECTIONS * AGENTS_PER_CONNECTION);
  const pool = new Pool({ connectionString: `${PG_BASE}/${database}`, max: 2, application_name: 'mnemo-bench' });
  return { name: dir, url, child, pool, paths: ids.map((id) => `/v1/agents/${id}/messages`), backends: `application_name NOT LIKE 'mnemo-bench%'` };
}

async function main(): Promise<void> {
  const builds = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  if (builds.length === 0) throw new Error('usage: npm run bench:ab -- <build dir> [<build dir> ...]');
  const fake = await startTsChild('fake provider', 'bench/fake-process.ts', {});
  const targets: Target[] = [];
  try {
    for (const [i, dir] of builds.entries()) targets.push(await startBuild(dir, i, fake.url));
    // The reference turn reads the agents of the first build's database.
    const first = targets[0];
    await first.pool.query(
      `CREATE TABLE IF NOT EXISTS bench_reference_messages (id text PRIMARY KEY, agent_id text, role text, content jsonb, created_at timestamptz DEFAULT now())`,
    );
    const reference = await startTsChild('reference server', 'bench/reference-server.ts', {
      DATABASE_URL: `${PG_BASE}/mnemo_ab_0`,
      OPENAI_BASE_URL: `${fake.url}/v1`,
      MODEL: 'bench-model',
      PGAPPNAME: 'mnemo-bench-reference',
    });
    const referencePool = new Pool({ connectionString: `${PG_BASE}/mnemo_ab_0`, max: 2, application_name: 'mnemo-bench' });
    targets.push({
      name: 'reference',
      url: reference.url,
      child: reference,
      pool: referencePool,
      paths: first.paths.map((p) => p.replace(/^\/v1\/agents\/([^/]+)\/messages$/, '/turn/$1')),
      backends: `application_name = 'mnemo-bench-reference'`,
    });

    for (const t of targets) await runLoad({ url: t.url, paths: t.paths, body: BODY, connections: CONNECTIONS, durationSeconds: 3 });
    const results = new Map<string, { rps: number; cpu: number[]; rss: number }[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const pids = await backendPids(t);
        const drivers = () => cpuMs(fake.pid) + cpuMs(process.pid);
        const [server0, backends0, drivers0] = [cpuMs(t.child.pid), pids.map(cpuMs), drivers()];
        const load = await runLoad({ url: t.url, paths: t.paths, body: BODY, connections: CONNECTIONS, durationSeconds: SECONDS });
        const later = (await backendPids(t)).filter((pid) => !pids.includes(pid));
        const backends = pids.reduce((sum, pid, i) => sum + cpuMs(pid) - backends0[i], 0) + later.reduce((sum, pid) => sum + cpuMs(pid), 0);
        const cpu = [cpuMs(t.child.pid) - server0, backends, drivers() - drivers0].map((ms) => ms / load.ok);
        results.get(t.name)!.push({ rps: load.rps, cpu, rss: rssBytes(t.child.pid) / 2 ** 20 });
        const failed = load.non2xx + load.errors + load.timeouts;
        process.stdout.write(`round ${round} ${t.name}: ${load.rps.toFixed(0)} turns/s, CPU per turn ${cpu.map((ms) => ms.toFixed(3)).join(' + ')} ms${failed ? `, ${failed} failed` : ''}\n`);
        await sleep(300);
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const referenceRuns = results.get('reference')!;
    process.stdout.write(`\nc=${CONNECTIONS}, ${ROUNDS} rounds of ${SECONDS} s; CPU per turn = server + its Postgres backends + fake and load generator\n`);
    for (const [name, runs] of results) {
      const ratios = runs.map((r, i) => r.rps / referenceRuns[i].rps);
      const cpu = [0, 1, 2].map((k) => mean(runs.map((r) => r.cpu[k])));
      process.stdout.write(
        `${name}: ${mean(runs.map((r) => r.rps)).toFixed(0)} turns/s, ÷ reference ${mean(ratios).toFixed(3)} [${ratios.map((x) => x.toFixed(2)).join(' ')}], ` +
          `CPU per turn ${cpu.map((ms) => ms.toFixed(3)).join(' + ')} = ${(cpu[0] + cpu[1] + cpu[2]).toFixed(3)} ms, RSS ${mean(runs.map((r) => r.rss)).toFixed(0)} MiB\n`,
      );
    }
  } finally {
    for (const t of targets) {
      await t.pool.end().catch(() => undefined);
      await t.child.stop();
    }
    await fake.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  },
);
