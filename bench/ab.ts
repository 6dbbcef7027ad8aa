/**
 * `npm run bench:ab -- <build> [<build> ...]`: builds of Mnemo against each other and the reference turn, at one
 * concurrency, in rounds taken in turn (see `roundOrder`) on the same machine: a change's effect on throughput and CPU
 * per turn, measured apart from the machine's drift (single runs minutes apart differ by 10-20 %).
 *
 * A build is a copy of `dist/` under this repository (so that it finds node_modules), e.g.
 *   npm run build && cp -r dist bench/builds/before   # then change the code, and again as bench/builds/after
 *   npm run bench:ab -- bench/builds/before bench/builds/after
 * Each build gets a database of its own (mnemo_ab_<n>, dropped and recreated) migrated by its own migrations; a build
 * holding an `ablation.sql` has it run on that database next (see bench/ablations/).
 * Env: AB_ROUNDS (twice the number of servers), AB_SECONDS per round (8), AB_WARMUP seconds per server (15),
 * AB_CONNECTIONS (32), AB_AGENTS per connection (24).
 * Prints a line per round and server, then per server: turns/s, its ratio to the reference in each round, CPU per turn
 * (server process, its Postgres backends, the fake provider and load generator) and RSS.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { runLoad } from './lib/load';
import { Child, ROOT, rssBytes, sleep, startTsChild } from './lib/procs';
import { backendPids, createAgents, Cpu, dropDatabase, PG_BASE, REDIS_URL, REFERENCE_APP, startMnemo, startReference, WARMUP_SECONDS, withCpu } from './lib/servers';

const ROUNDS = process.env.AB_ROUNDS ? Number(process.env.AB_ROUNDS) : undefined;
const SECONDS = Number(process.env.AB_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 32);
const AGENTS_PER_CONNECTION = Number(process.env.AB_AGENTS ?? 24);
const WARMUP = Number(process.env.AB_WARMUP ?? WARMUP_SECONDS);
const BODY = { input: 'hi' };
const ABLATION_FILE = 'ablation.sql';

interface Target {
  name: string;
  url: string;
  child: Child;
  database: string;
  pool: Pool;
  paths: string[];
  /** Which of the database's backends are this server's. */
  backends: string;
}

async function startBuild(dir: string, index: number, fakeUrl: string): Promise<Target> {
  const database = `mnemo_ab_${index}`;
  await dropDatabase(PG_BASE, database); // the build creates and migrates it
  const entry = path.join(path.resolve(ROOT, dir), 'src/main.js');
  const { child, url } = await startMnemo({ databaseUrl: `${PG_BASE}/${database}`, redisUrl: REDIS_URL, queuePrefix: `mnemo-ab-${randomUUID().slice(0, 8)}`, fakeUrl, entry });
  const pool = new Pool({ connectionString: `${PG_BASE}/${database}`, max: 2, application_name: 'mnemo-bench' });
  // An ablation: SQL a build carries, run on its database once migrated, to measure what a part of the schema costs.
  const ablation = path.join(path.resolve(ROOT, dir), ABLATION_FILE);
  if (fs.existsSync(ablation)) await pool.query(fs.readFileSync(ablation, 'utf8'));
  const ids = await createAgents(url, CONNECTIONS * AGENTS_PER_CONNECTION);
  return { name: dir, url, child, database, pool, paths: ids.map((id) => `/v1/agents/${id}/messages`), backends: `application_name NOT LIKE 'mnemo-bench%'` };
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
    const reference = await startReference(first.pool, `${PG_BASE}/${first.database}`, fake.url);
    targets.push({
      name: 'reference',
      url: reference.url,
      child: reference,
      database: first.database,
      pool: new Pool({ connectionString: `${PG_BASE}/${first.database}`, max: 2, application_name: 'mnemo-bench' }),
      paths: first.paths.map((p) => p.replace(/^\/v1\/agents\/([^/]+)\/messages$/, '/turn/$1')),
      backends: `application_name = '${REFERENCE_APP}'`,
    });

    for (const t of targets) await runLoad({ url: t.url, paths: t.paths, body: BODY, connections: CONNECTIONS, durationSeconds: WARMUP });
    const results = new Map<string, { rps: number; cpu: Cpu; rss: number }[]>(targets.map((t) => [t.name, []]));
    const rounds = ROUNDS ?? 2 * targets.length;
    for (let round = 0; round < rounds; round++) {
      for (const t of roundOrder(targets, round)) {
        const [load, total] = await withCpu(
          t.child.pid,
          () => backendPids(t.pool, t.database, t.backends),
          [fake.pid, process.pid],
          () => runLoad({ url: t.url, paths: t.paths, body: BODY, connections: CONNECTIONS, durationSeconds: SECONDS }),
        );
        const cpu = { server: total.server / load.ok, backends: total.backends / load.ok, drivers: total.drivers / load.ok };
        results.get(t.name)!.push({ rps: load.rps, cpu, rss: rssBytes(t.child.pid) / 2 ** 20 });
        const failed = load.non2xx + load.errors + load.timeouts;
        process.stdout.write(`round ${round} ${t.name}: ${load.rps.toFixed(0)} turns/s, CPU per turn ${perTurn(cpu)}${failed ? `, ${failed} failed` : ''}\n`);
        await sleep(300);
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const referenceRuns = results.get('reference')!;
    process.stdout.write(`\nc=${CONNECTIONS}, ${rounds} rounds of ${SECONDS} s; CPU per turn = server + its Postgres backends + fake and load generator\n`);
    for (const [name, runs] of results) {
      const ratios = runs.map((r, i) => r.rps / referenceRuns[i].rps);
      const cpu = { server: mean(runs.map((r) => r.cpu.server)), backends: mean(runs.map((r) => r.cpu.backends)), drivers: mean(runs.map((r) => r.cpu.drivers)) };
      process.stdout.write(
        `${name}: ${mean(runs.map((r) => r.rps)).toFixed(0)} turns/s, ÷ reference ${mean(ratios).toFixed(3)} [${ratios.map((x) => x.toFixed(2)).join(' ')}], ` +
          `CPU per turn ${perTurn(cpu)}, RSS ${mean(runs.map((r) => r.rss)).toFixed(0)} MiB\n`,
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

/**
 * The order the servers are loaded in, round by round: rotated, so that each server takes every position equally often,
 * and reversed in every other cycle of rotations, so that none always follows the same other. With plain alternation
 * the second of two builds always ran between the first and the reference: a change measured +16 % there and −2 % when
 * listed first.
 */
function roundOrder<T>(targets: T[], round: number): T[] {
  const shift = round % targets.length;
  const rotated = [...targets.slice(shift), ...targets.slice(0, shift)];
  return Math.floor(round / targets.length) % 2 === 0 ? rotated : rotated.reverse();
}

function perTurn(cpu: Cpu): string {
  return `${cpu.server.toFixed(3)} + ${cpu.backends.toFixed(3)} + ${cpu.drivers.toFixed(3)} = ${(cpu.server + cpu.backends + cpu.drivers).toFixed(3)} ms`;
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  },
);
