/**
 * `npm run bench:profile`: where Mnemo's and the reference turn's main threads spend their time under the bench's c=32
 * load, per turn served, side by side. Both servers run under V8's sampling profiler (`--cpu-prof`, every 250 µs);
 * after its warm-up each server is loaded for PROFILE_SECONDS (10) and only the samples taken during that load count
 * (V8's sample timestamps and `process.hrtime` read the same monotonic clock). Prints µs per turn by part: Mnemo's (or
 * the reference's) own code, each npm package, Node's built-in modules, garbage collection, and native functions by
 * name. The samples are of wall time while the thread is not idle: a thread that the kernel preempts on the
 * saturated machine goes on counting, mostly in the native `writev` that woke another process. The profiles are kept
 * under bench/results/ (open them in Chrome's DevTools).
 * Env: PROFILE_SECONDS (10), PROFILE_WARMUP seconds per server (WARMUP_SECONDS), BENCH_PG_URL, BENCH_REDIS_URL.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { runLoad } from './lib/load';
import { Child, ROOT, startTsChild } from './lib/procs';
import { createAgents, dropDatabase, PG_BASE, REDIS_URL, startMnemo, startReference, WARMUP_SECONDS } from './lib/servers';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const WARMUP = Number(process.env.PROFILE_WARMUP ?? WARMUP_SECONDS);
const CONNECTIONS = 32;
const AGENTS_PER_CONNECTION = 24;
const DATABASE = 'mnemo_profile';
const SHOWN = 30;

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Node flags profiling a server into `dir/<name>.cpuprofile`, written when it exits. */
const profiled = (dir: string, name: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`, '--cpu-prof-interval=250'];

/** What a sampled frame is counted as: own code, a package, a Node module, or a native function. */
function partOf(frame: CpuProfile['nodes'][number]['callFrame']): string | null {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return null;
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.startsWith('wasm://')) return 'WebAssembly';
  if (url.includes(ROOT)) return 'own code';
  return url;
}

/** Sampled µs per part within [from, to] (monotonic µs). */
function partsOf(profile: CpuProfile, from: number, to: number): Map<string, number> {
  const parts = new Map<number, string | null>(profile.nodes.map((n) => [n.id, partOf(n.callFrame)]));
  const totals = new Map<string, number>();
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    const interval = profile.timeDeltas[i + 1] ?? 0;
    const part = parts.get(profile.samples[i]);
    if (time < from || time > to || !part) continue;
    totals.set(part, (totals.get(part) ?? 0) + interval);
  }
  return totals;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const dir = path.join(ROOT, 'bench', 'results', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(dir, { recursive: true });
  await dropDatabase(PG_BASE, DATABASE); // Mnemo creates and migrates it
  const databaseUrl = `${PG_BASE}/${DATABASE}`;
  const fake = await startTsChild('fake provider', 'bench/fake-process.ts', {});
  const children: Child[] = [fake];
  const pool = new Pool({ connectionString: databaseUrl, max: 2, application_name: 'mnemo-bench' });
  try {
    const mnemo = await startMnemo({ databaseUrl, redisUrl: REDIS_URL, queuePrefix: `mnemo-profile-${randomUUID().slice(0, 8)}`, fakeUrl: fake.url, nodeArgs: profiled(dir, 'mnemo') });
    children.push(mnemo.child);
    const ids = await createAgents(mnemo.url, CONNECTIONS * AGENTS_PER_CONNECTION);
    const reference = await startReference(pool, databaseUrl, fake.url, profiled(dir, 'reference'));
    children.push(reference);
    const servers = [
      { name: 'mnemo', url: mnemo.url, child: mnemo.child, paths: ids.map((id) => `/v1/agents/${id}/messages`) },
      { name: 'reference', url: reference.url, child: reference, paths: ids.map((id) => `/turn/${id}`) },
    ];
    const windows = new Map<string, { from: number; to: number; turns: number }>();
    for (const server of servers) {
      const load = { url: server.url, paths: server.paths, body: { input: 'hi' }, connections: CONNECTIONS };
      await runLoad({ ...load, durationSeconds: WARMUP });
      const from = nowUs();
      const result = await runLoad({ ...load, durationSeconds: SECONDS });
      windows.set(server.name, { from, to: nowUs(), turns: result.ok });
      process.stdout.write(`${server.name}: ${result.ok} turns in ${SECONDS} s (${result.rps.toFixed(0)}/s)\n`);
    }
    for (const server of servers) await server.child.stop(); // each writes its profile as it exits

    const perTurn = new Map<string, Map<string, number>>();
    for (const [name, { from, to, turns }] of windows) {
      const profile = JSON.parse(fs.readFileSync(path.join(dir, `${name}.cpuprofile`), 'utf8')) as CpuProfile;
      perTurn.set(name, new Map([...partsOf(profile, from, to)].map(([part, us]) => [part, us / turns])));
    }
    printTable(perTurn.get('mnemo')!, perTurn.get('reference')!);
    process.stdout.write(`\nprofiles: ${path.relative(ROOT, dir)}\n`);
  } finally {
    await pool.end().catch(() => undefined);
    for (const child of children.reverse()) await child.stop();
  }
}

function printTable(mnemo: Map<string, number>, reference: Map<string, number>): void {
  const sum = (parts: Map<string, number>) => [...parts.values()].reduce((a, b) => a + b, 0);
  const larger = (part: string) => Math.max(mnemo.get(part) ?? 0, reference.get(part) ?? 0);
  const rows = [...new Set([...mnemo.keys(), ...reference.keys()])].sort((a, b) => larger(b) - larger(a));
  const line = (part: string, a: number, b: number) => `| ${part.padEnd(34)} | ${a.toFixed(1).padStart(9)} | ${b.toFixed(1).padStart(9)} |\n`;
  process.stdout.write(`\nsampled µs per turn at c=${CONNECTIONS}, main thread, not idle\n`);
  process.stdout.write(`| ${'part'.padEnd(34)} | ${'Mnemo'.padStart(9)} | ${'reference'.padStart(9)} |\n|${'-'.repeat(36)}|${'-'.repeat(11)}|${'-'.repeat(11)}|\n`);
  for (const part of rows.slice(0, SHOWN)) process.stdout.write(line(part, mnemo.get(part) ?? 0, reference.get(part) ?? 0));
  const rest = rows.slice(SHOWN);
  if (rest.length) {
    const restOf = (parts: Map<string, number>) => rest.reduce((a, part) => a + (parts.get(part) ?? 0), 0);
    process.stdout.write(line(`${rest.length} more parts`, restOf(mnemo), restOf(reference)));
  }
  process.stdout.write(line('all', sum(mnemo), sum(reference)));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  },
);
