/**
 * `npm run bench` (full, < 10 min) and `npm run bench -- --quick` (< 2 min): Mnemo's per-turn overhead against a fake
 * model provider and a minimal reference turn. Prints a table and writes bench/results/<ISO timestamp>.json.
 * See bench/README.md for what each scenario measures.
 *
 * Exit code: 0 when every scenario ran (targets missed or not), 1 when a scenario or the setup failed.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { LOOP_MARKER } from './fake-process';
import { expectOk, timeStream } from './lib/http';
import { LoadResult, mergeLoads, runLoad } from './lib/load';
import { Child, ROOT, rssBytes, sleep, startTsChild } from './lib/procs';
import { backendPids, createAgents, Cpu, dropDatabase, MODEL, PG_BASE, REDIS_URL, REFERENCE_APP, startMnemo, startReference, sumCpu, WARMUP_SECONDS, withCpu } from './lib/servers';
import { percentile, round, summarize, Summary } from './lib/stats';
import { formatTable, Metric } from './lib/table';
import { countStatementsPerTurn, loadInProcessApp } from './statements';

const QUICK = process.argv.includes('--quick');
const MODE = QUICK ? 'quick' : 'full';
/** `--only=a,c`: run only those scenarios (with the references they are measured against), e.g. to profile one. */
const ONLY = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);

const P = QUICK
  ? {
      loadSeconds: 3,
      loadRounds: 2,
      roundSeconds: 2,
      warmupSeconds: 3,
      ttftSamples: 50,
      loopSeconds: 3,
      streamSamples: 30,
      asyncIdle: 20,
      asyncBurst: 64,
      historySamples: 15,
      statementTurns: 20,
      soakWarmup: 200,
      soakTurns: 500,
      soakAgentsPerConnection: 4,
      soakMaxSeconds: 60,
      loadAgentsPerConnection: 8,
    }
  : {
      loadSeconds: 10,
      loadRounds: 4,
      roundSeconds: 5,
      warmupSeconds: WARMUP_SECONDS,
      ttftSamples: 200,
      loopSeconds: 10,
      streamSamples: 100,
      asyncIdle: 50,
      asyncBurst: 256,
      historySamples: 50,
      statementTurns: 20,
      soakWarmup: 2000,
      soakTurns: 10_000,
      soakAgentsPerConnection: 32,
      soakMaxSeconds: 330,
      loadAgentsPerConnection: 24,
    };
const CONCURRENCIES = [1, 8, 32];
const HISTORY_SIZES = [1_000, 10_000, 100_000];
/** Messages in context for (e)'s large-window agent (the others keep 20), ~400 characters each. */
const WIDE_WINDOW = 300;
const SOAK_CONNECTIONS = 8;

const DB_NAME = 'mnemo_bench';
const DATABASE_URL = `${PG_BASE}/${DB_NAME}`;
const QUEUE_PREFIX = `mnemo-bench-${randomUUID().slice(0, 8)}`;
const SEND_BODY = { input: 'hi' };

const metrics: Metric[] = [];
const details: Record<string, unknown> = {};
const failures: { scenario: string; error: string }[] = [];
const loadFailures: { run: string; non2xx: number; errors: number; timeouts: number; statusCodes: Record<string, number> }[] = [];

function log(message: string): void {
  const t = ((performance.now() - START) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${t}s] ${message}\n`);
}
const START = performance.now();

function add(m: Omit<Metric, 'met'> & { met?: boolean | null }): void {
  const clean = (x: number | null | undefined) => (x === undefined ? undefined : x === null || Number.isNaN(x) ? null : round(x, 3));
  metrics.push({ ...m, value: clean(m.value) ?? null, reference: clean(m.reference), ratio: clean(m.ratio) });
}

function noteLoad(name: string, r: LoadResult): LoadResult {
  if (r.non2xx || r.errors || r.timeouts) {
    loadFailures.push({ run: name, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, statusCodes: r.statusCodes });
    log(`  ${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts (${JSON.stringify(r.statusCodes)})`);
  }
  const { samples: _samples, ...rest } = r;
  details[`load:${name}`] = rest;
  return r;
}

async function scenario(name: string, fn: () => Promise<void>): Promise<void> {
  const letter = /^\((\w)\)/.exec(name)?.[1];
  if (ONLY && letter && !ONLY.includes(letter)) return;
  const t0 = performance.now();
  log(`${name} ...`);
  try {
    await fn();
    log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (error) {
    const message = (error as Error)?.stack ?? String(error);
    failures.push({ scenario: name, error: message });
    log(`${name} FAILED: ${message}`);
  }
}

// ------------------------------------------------------------------ setup helpers

async function sequential(count: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await fn(i));
  return out;
}

async function clearRedis(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Warnings and errors Mnemo logged (pino JSON lines at level ≥ 40), grouped by message. */
function summarizeServerLog(lines: string[]): { count: number; top: { level: number; msg: string; count: number }[] } {
  const groups = new Map<string, { level: number; msg: string; count: number }>();
  let count = 0;
  for (const line of lines) {
    let level = 0;
    let msg = line;
    try {
      const parsed = JSON.parse(line);
      level = Number(parsed.level) || 0;
      msg = String(parsed.msg ?? parsed.err?.message ?? line);
    } catch {
      level = /error|warn|fail/i.test(line) ? 40 : 0;
    }
    if (level < 40) continue;
    count++;
    const key = `${level}:${msg.slice(0, 200)}`;
    const group = groups.get(key) ?? { level, msg: msg.slice(0, 200), count: 0 };
    group.count++;
    groups.set(key, group);
  }
  return { count, top: [...groups.values()].sort((a, b) => b.count - a.count).slice(0, 10) };
}

const pct = (a: number, b: number) => ((a - b) / b) * 100;
const fixed = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  const startedAt = new Date();
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  process.stdout.write(
    `Mnemo benchmark (${MODE}) — ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB, Node ${machine.node}, ${machine.platform}\n`,
  );

  let fake: (Child & { url: string }) | undefined;
  let reference: (Child & { url: string }) | undefined;
  let mnemo: Child | undefined;
  let pool: Pool | undefined;
  let serverLog: ReturnType<typeof summarizeServerLog> | undefined;
  try {
    loadInProcessApp(); // the build the child server is about to run, for (f)
    log(`resetting database ${DB_NAME}`);
    await dropDatabase(PG_BASE, DB_NAME);
    fake = await startTsChild('fake provider', 'bench/fake-process.ts', {});
    log(`fake provider at ${fake.url}`);
    // e.g. BENCH_MNEMO_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under the bench's load
    const nodeArgs = process.env.BENCH_MNEMO_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const started = await startMnemo({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queuePrefix: QUEUE_PREFIX, fakeUrl: fake.url, nodeArgs });
    mnemo = started.child;
    const api = started.url;
    log(`Mnemo (pid ${mnemo.pid}) healthy at ${api}, RSS ${fixed(rssBytes(mnemo.pid) / 2 ** 20)} MiB`);
    details.mnemoBootRssBytes = rssBytes(mnemo.pid);

    pool = new Pool({ connectionString: DATABASE_URL, max: 2, application_name: 'mnemo-bench' });
    reference = await startReference(pool, DATABASE_URL, fake.url);
    log(`reference server at ${reference.url}`);

    const maxC = Math.max(...CONCURRENCIES);
    const t0 = performance.now();
    // (a): a fresh set of agents per concurrency level, one agent per connection
    const loadAgents: Record<number, string[]> = {};
    // Each connection cycles over its own agents, so no agent's context window grows past a few dozen messages.
    for (const c of CONCURRENCIES) loadAgents[c] = await createAgents(api, c * P.loadAgentsPerConnection);
    const loopAgents = await createAgents(api, P.loadAgentsPerConnection);
    const streamAgents = await createAgents(api, P.loadAgentsPerConnection);
    const asyncAgents = await createAgents(api, P.asyncBurst + 1);
    // (g): each connection cycles over its own agents, so no context grows past a few dozen turns
    const soakAgents = await createAgents(api, SOAK_CONNECTIONS * P.soakAgentsPerConnection);
    const created = CONCURRENCIES.reduce((a, b) => a + b, 0) + 2 + asyncAgents.length + soakAgents.length;
    const createMs = performance.now() - t0;
    details.agentCreation = { agents: created, seconds: round(createMs / 1000, 2), perSecond: round(created / (createMs / 1000), 1) };
    log(`created ${created} agents in ${fixed(createMs / 1000)} s`);

    const fakeChatBody = {
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are a benchmark.' },
        { role: 'user', content: 'hi' },
      ],
    };
    let fakeLatency: Summary | undefined;
    let fakeTtft: Summary | undefined;

    // ---------------------------------------------------------------- references: the fake itself
    await scenario('reference: fake provider direct', async () => {
      const chatUrl = `${fake!.url}/v1/chat/completions`;
      await runLoad({ url: fake!.url, paths: ['/v1/chat/completions'], body: fakeChatBody, connections: 1, durationSeconds: 1 });
      const r = noteLoad('fake c=1', await runLoad({ url: fake!.url, paths: ['/v1/chat/completions'], body: fakeChatBody, connections: 1, durationSeconds: P.loadSeconds }));
      fakeLatency = r.latency;
      const ttft = await sequential(P.ttftSamples, async () => {
        const t = await timeStream(chatUrl, fakeChatBody, (d) => typeof d?.choices?.[0]?.delta?.content === 'string' && d.choices[0].delta.content !== '');
        return t.firstMs;
      });
      fakeTtft = summarize(ttft);
      details.fakeTtft = fakeTtft;
      add({ id: 'ref.model_time.p50', scenario: 'reference', metric: 'fake model time p50 (streamed call, body read)', unit: 'ms', value: r.latency.p50 });
      add({ id: 'ref.model_time.p99', scenario: 'reference', metric: 'fake model time p99', unit: 'ms', value: r.latency.p99 });
      add({ id: 'ref.model_ttft.p50', scenario: 'reference', metric: 'fake time to first token p50', unit: 'ms', value: fakeTtft.p50 });
    });

    // ---------------------------------------------------------------- (a) sync turn, one model call
    await scenario('(a) sync turn at c=1/8/32', async () => {
      const paths = (c: number) => loadAgents[c].map((id) => `/v1/agents/${id}/messages`);
      const refPaths = (c: number) => loadAgents[c].map((id) => `/turn/${id}`);
      // warm both servers (JIT, pools, caches) on the biggest set; see WARMUP_SECONDS
      noteLoad('mnemo warmup', await runLoad({ url: api, paths: paths(maxC), body: SEND_BODY, connections: maxC, durationSeconds: P.warmupSeconds }));
      noteLoad('reference warmup', await runLoad({ url: reference!.url, paths: refPaths(maxC), body: SEND_BODY, connections: maxC, durationSeconds: P.warmupSeconds }));
      const fl = fakeLatency ?? { p50: NaN, p99: NaN };
      const mnemoBackends = () => backendPids(pool!, DB_NAME, `application_name NOT LIKE 'mnemo-bench%'`);
      const referenceBackends = () => backendPids(pool!, DB_NAME, `application_name = '${REFERENCE_APP}'`);
      const drivers = [fake!.pid, process.pid];
      for (const c of CONCURRENCIES) {
        // The machine's speed drifts within seconds: each server is loaded in rounds taken in turn, the order alternating
        // (Mnemo, reference, reference, Mnemo, ...), so both see the same phases. A pause after each round lets the
        // requests cut at its end finish before the other server's round.
        const mnemoRounds: [LoadResult, Cpu][] = [];
        const referenceRounds: [LoadResult, Cpu][] = [];
        const durationSeconds = P.roundSeconds;
        const mnemoRound = async () =>
          mnemoRounds.push(await withCpu(mnemo!.pid, mnemoBackends, drivers, () => runLoad({ url: api, paths: paths(c), body: SEND_BODY, connections: c, durationSeconds })));
        const referenceRound = async () =>
          referenceRounds.push(
            await withCpu(reference!.pid, referenceBackends, drivers, () => runLoad({ url: reference!.url, paths: refPaths(c), body: SEND_BODY, connections: c, durationSeconds })),
          );
        for (let round = 0; round < P.loadRounds; round++) {
          for (const run of round % 2 === 0 ? [mnemoRound, referenceRound] : [referenceRound, mnemoRound]) {
            await run();
            await sleep(300);
          }
        }
        const [m, mCpu] = [mergeLoads(mnemoRounds.map(([r]) => r)), sumCpu(mnemoRounds.map(([, cpu]) => cpu))];
        const [ref, refCpu] = [mergeLoads(referenceRounds.map(([r]) => r)), sumCpu(referenceRounds.map(([, cpu]) => cpu))];
        noteLoad(`mnemo sync c=${c}`, m);
        noteLoad(`reference c=${c}`, ref);
        const s = `(a) sync c=${c}`;
        add({ id: `a.c${c}.latency.p50`, scenario: 'a', metric: `${s} latency p50 (ref: reference turn)`, unit: 'ms', value: m.latency.p50, reference: ref.latency.p50, ratio: m.latency.p50 / ref.latency.p50 });
        add({ id: `a.c${c}.latency.p99`, scenario: 'a', metric: `${s} latency p99 (ref: reference turn)`, unit: 'ms', value: m.latency.p99, reference: ref.latency.p99, ratio: m.latency.p99 / ref.latency.p99 });
        const o50 = m.latency.p50 - fl.p50;
        const o99 = m.latency.p99 - fl.p99;
        add({
          id: `a.c${c}.overhead.p50`,
          scenario: 'a',
          metric: `${s} server overhead p50 (− model time)`,
          unit: 'ms',
          value: o50,
          ...(c === 1 ? { target: '≤ 5 ms', met: o50 <= 5 } : {}),
        });
        add({
          id: `a.c${c}.overhead.p99`,
          scenario: 'a',
          metric: `${s} server overhead p99 (− model time)`,
          unit: 'ms',
          value: o99,
          ...(c === 1 ? { target: '≤ 15 ms', met: o99 <= 15 } : {}),
        });
        const ratio = m.rps / ref.rps;
        add({
          id: `a.c${c}.turns_per_second`,
          scenario: 'a',
          metric: `${s} turns/s (ref: reference turn)`,
          unit: '/s',
          value: m.rps,
          reference: ref.rps,
          ratio,
          ...(c === 32 ? { target: '≥ 0.5× ref', met: ratio >= 0.5 } : {}),
        });
        if (c !== maxC) continue;
        // Where the throughput goes when the machine is saturated: CPU each side spends per turn.
        const parts = [
          ['server', 'server process'],
          ['backends', 'its Postgres backends'],
          ['drivers', 'fake model + load generator'],
        ] as const;
        for (const [part, label] of parts) {
          const value = mCpu[part] / m.ok;
          const reference = refCpu[part] / ref.ok;
          add({ id: `a.c${c}.cpu_per_turn.${part}`, scenario: 'a', metric: `${s} CPU per turn, ${label}`, unit: 'ms', value, reference, ratio: value / reference });
        }
        const total = (cpu: typeof mCpu, ok: number) => (cpu.server + cpu.backends + cpu.drivers) / ok;
        const [mTotal, refTotal] = [total(mCpu, m.ok), total(refCpu, ref.ok)];
        add({ id: `a.c${c}.cpu_per_turn.total`, scenario: 'a', metric: `${s} CPU per turn, all of the above`, unit: 'ms', value: mTotal, reference: refTotal, ratio: mTotal / refTotal });
      }
    });

    // reference server no longer needed: stop it so its pool does not move the connection counts of (g)
    await reference.stop();
    reference = undefined;

    // ---------------------------------------------------------------- (b) three-step tool loop
    await scenario('(b) three-step tool loop at c=1', async () => {
      const body = { input: `${LOOP_MARKER} hi` };
      const paths = loopAgents.map((id) => `/v1/agents/${id}/messages`);
      const check = await expectOk<{ messages: { message_type: string }[]; stop_reason?: { stop_reason?: string } }>('POST', `${api}${paths[0]}`, body);
      const toolReturns = check.body.messages.filter((msg) => msg.message_type === 'tool_return_message').length;
      if (toolReturns !== 2) throw new Error(`expected 2 tool returns in a [loop3] turn, got ${toolReturns}: ${JSON.stringify(check.body).slice(0, 400)}`);
      const r = noteLoad('mnemo loop3 c=1', await runLoad({ url: api, paths, body, connections: 1, durationSeconds: P.loopSeconds }));
      const model50 = 3 * (fakeLatency?.p50 ?? NaN);
      const model99 = 3 * (fakeLatency?.p99 ?? NaN);
      add({ id: 'b.latency.p50', scenario: 'b', metric: '(b) 3-step loop latency p50 (ref: 3× model time)', unit: 'ms', value: r.latency.p50, reference: model50, ratio: r.latency.p50 / model50 });
      add({ id: 'b.latency.p99', scenario: 'b', metric: '(b) 3-step loop latency p99 (ref: 3× model time)', unit: 'ms', value: r.latency.p99, reference: model99, ratio: r.latency.p99 / model99 });
      add({ id: 'b.overhead_per_call.p50', scenario: 'b', metric: '(b) overhead per model call p50', unit: 'ms', value: (r.latency.p50 - model50) / 3 });
      add({ id: 'b.overhead_per_call.p99', scenario: 'b', metric: '(b) overhead per model call p99', unit: 'ms', value: (r.latency.p99 - model99) / 3 });
    });

    // ---------------------------------------------------------------- (c) streaming: time to first chunk
    await scenario('(c) streaming time to first assistant chunk', async () => {
      const url = (i: number) => `${api}/v1/agents/${streamAgents[i % streamAgents.length]}/messages`;
      const body = { input: 'hi', streaming: true, stream_tokens: true };
      const isAssistant = (d: any) => d?.message_type === 'assistant_message';
      for (let i = 0; i < 3; i++) await timeStream(url(i), body, isAssistant);
      const samples = await sequential(P.streamSamples, async (i) => (await timeStream(url(i), body, isAssistant)).firstMs);
      const s = summarize(samples);
      details.streamTtfc = s;
      const ft = fakeTtft ?? ({ p50: NaN, p99: NaN } as Summary);
      add({ id: 'c.ttfc.p50', scenario: 'c', metric: '(c) stream: first assistant chunk p50 (ref: fake TTFT)', unit: 'ms', value: s.p50, reference: ft.p50, ratio: s.p50 / ft.p50 });
      add({ id: 'c.overhead.p50', scenario: 'c', metric: '(c) stream: TTFC overhead p50', unit: 'ms', value: s.p50 - ft.p50, target: '≤ 5 ms', met: s.p50 - ft.p50 <= 5 });
      add({ id: 'c.overhead.p99', scenario: 'c', metric: '(c) stream: TTFC overhead p99', unit: 'ms', value: s.p99 - ft.p99 });
    });

    // ---------------------------------------------------------------- (d) async runs
    await scenario('(d) async runs: enqueue-to-start and runs/s', async () => {
      const startDelays = async (ids: string[]) =>
        (
          await pool!.query<{ ms: number }>(
            `SELECT extract(epoch from started_at - created_at)*1000 AS ms FROM runs
              WHERE metadata->>'run_type' = 'send_message_async' AND id = ANY($1) AND started_at IS NOT NULL`,
            [ids],
          )
        ).rows.map((row) => Number(row.ms));
      const waitCompleted = async (ids: string[], timeoutMs: number, pollMs: number) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const { rows } = await pool!.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM runs WHERE id = ANY($1) GROUP BY status`, [ids]);
          const by = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
          if ((by.completed ?? 0) === ids.length) return;
          const ended = (by.failed ?? 0) + (by.cancelled ?? 0);
          if (ended > 0) throw new Error(`async runs ended badly: ${JSON.stringify(by)}`);
          if (Date.now() > deadline) throw new Error(`async runs not completed after ${timeoutMs} ms: ${JSON.stringify(by)}`);
          await sleep(pollMs);
        }
      };
      const enqueue = async (agentId: string) => (await expectOk<{ id: string }>('POST', `${api}/v1/agents/${agentId}/messages/async`, SEND_BODY)).body.id;

      // idle worker: one run at a time
      const idleIds: string[] = [];
      for (let i = 0; i < P.asyncIdle + 2; i++) {
        const id = await enqueue(asyncAgents[P.asyncBurst]);
        await waitCompleted([id], 30_000, 2);
        if (i >= 2) idleIds.push(id); // the first two warm the path
      }
      const idle = summarize(await startDelays(idleIds));
      // burst: N runs over N distinct agents, posted 16 at a time
      const ids: string[] = [];
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < P.asyncBurst) {
            const agent = asyncAgents[next++];
            ids.push(await enqueue(agent));
          }
        }),
      );
      const postedMs = performance.now() - t0;
      await waitCompleted(ids, 180_000, 10);
      const seconds = (performance.now() - t0) / 1000;
      const burst = summarize(await startDelays(ids));
      details.async = { idle, burst, burstRuns: ids.length, postedMs: round(postedMs, 1), seconds: round(seconds, 3) };
      add({ id: 'd.idle.start_delay.p50', scenario: 'd', metric: '(d) async enqueue→start p50 (one at a time)', unit: 'ms', value: idle.p50, target: '≤ 5 ms', met: idle.p50 <= 5 });
      add({ id: 'd.idle.start_delay.p99', scenario: 'd', metric: '(d) async enqueue→start p99 (one at a time)', unit: 'ms', value: idle.p99 });
      add({ id: 'd.burst.start_delay.p50', scenario: 'd', metric: `(d) async enqueue→start p50 (burst of ${ids.length})`, unit: 'ms', value: burst.p50 });
      add({ id: 'd.burst.start_delay.p99', scenario: 'd', metric: `(d) async enqueue→start p99 (burst of ${ids.length})`, unit: 'ms', value: burst.p99 });
      add({ id: 'd.burst.runs_per_second', scenario: 'd', metric: `(d) async runs/s (burst of ${ids.length})`, unit: '/s', value: ids.length / seconds });
    });

    // ---------------------------------------------------------------- (e) history scale
    await scenario('(e) history scale 1k/10k/100k', async () => {
      const agents: Record<number, string> = {};
      const insertSeconds: Record<number, number> = {};
      // 1k, 10k, 100k rows with the last 20 in context; and 1k rows with the last 300 in context, ~400 characters each
      const insertHistory = async (size: number, inContext: number, text: string) => {
        const [agentId] = await createAgents(api, 1);
        const t0 = performance.now();
        await pool!.query(
          `INSERT INTO messages (id, agent_id, role, content, search_text, in_context, created_at)
           SELECT 'message-' || gen_random_uuid(), $1,
                  CASE WHEN n % 2 = 1 THEN 'user' ELSE 'assistant' END,
                  jsonb_build_array(jsonb_build_object('type', 'text', 'text', $4 || n)),
                  $4 || n,
                  n > $2::int - $3::int,
                  now()
             FROM generate_series(1, $2::int) AS n`,
          [agentId, size, inContext, text],
        );
        const seconds = round((performance.now() - t0) / 1000, 2);
        log(`  inserted ${size} messages (${inContext} in context) in ${seconds} s`);
        return { agentId, seconds };
      };
      for (const size of HISTORY_SIZES) {
        const { agentId, seconds } = await insertHistory(size, 20, 'message ');
        agents[size] = agentId;
        insertSeconds[size] = seconds;
      }
      const wide = (await insertHistory(HISTORY_SIZES[0], WIDE_WINDOW, 'word '.repeat(80))).agentId;
      await pool!.query('ANALYZE messages');
      const pageUrl = (size: number) => `${api}/v1/agents/${agents[size]}/messages?limit=50`;
      const sendUrl = (size: number) => `${api}/v1/agents/${agents[size]}/messages`;
      const wideUrl = `${api}/v1/agents/${wide}/messages`;
      for (let i = 0; i < 2; i++) {
        for (const size of HISTORY_SIZES) {
          await expectOk('GET', pageUrl(size));
          await expectOk('POST', sendUrl(size), SEND_BODY);
        }
        await expectOk('POST', wideUrl, SEND_BODY);
      }
      // interleaved (1k, 10k, 100k, 1k, ...) so drift over time does not favour one size
      const pages: Record<number, number[]> = {};
      const turns: Record<number, number[]> = {};
      for (const size of HISTORY_SIZES) (pages[size] = []), (turns[size] = []);
      const wideTurns: number[] = [];
      for (let i = 0; i < P.historySamples; i++) {
        for (const size of HISTORY_SIZES) pages[size].push((await expectOk('GET', pageUrl(size))).ms);
        for (const size of HISTORY_SIZES) turns[size].push((await expectOk('POST', sendUrl(size), SEND_BODY)).ms);
        wideTurns.push((await expectOk('POST', wideUrl, SEND_BODY)).ms);
      }
      const bySize: Record<number, { page: Summary; turn: Summary; insertSeconds: number }> = {};
      for (const size of HISTORY_SIZES) bySize[size] = { page: summarize(pages[size]), turn: summarize(turns[size]), insertSeconds: insertSeconds[size] };
      const wideTurn = summarize(wideTurns);
      details.history = { ...bySize, wideWindow: { inContext: WIDE_WINDOW, turn: wideTurn } };
      const small = bySize[HISTORY_SIZES[0]];
      for (const size of HISTORY_SIZES) {
        const label = size >= 1000 ? `${size / 1000}k` : String(size);
        const isLargest = size === HISTORY_SIZES[HISTORY_SIZES.length - 1];
        const pr = bySize[size].page.p50 / small.page.p50;
        const tr = bySize[size].turn.p50 / small.turn.p50;
        add({
          id: `e.${label}.page.p50`,
          scenario: 'e',
          metric: `(e) ${label} msgs: GET messages?limit=50 p50 (ref: 1k)`,
          unit: 'ms',
          value: bySize[size].page.p50,
          ...(size === HISTORY_SIZES[0] ? {} : { reference: small.page.p50, ratio: pr }),
          ...(isLargest ? { target: '≤ 1.5× 1k', met: pr <= 1.5 } : {}),
        });
        add({
          id: `e.${label}.turn.p50`,
          scenario: 'e',
          metric: `(e) ${label} msgs: sync turn p50 (ref: 1k)`,
          unit: 'ms',
          value: bySize[size].turn.p50,
          ...(size === HISTORY_SIZES[0] ? {} : { reference: small.turn.p50, ratio: tr }),
          ...(isLargest ? { target: '≤ 1.5× 1k', met: tr <= 1.5 } : {}),
        });
      }
      // Not a target: what a larger prompt costs (loading, counting and sending it), for the README.
      add({
        id: 'e.wide_window.turn.p50',
        scenario: 'e',
        metric: `(e) 1k msgs, ${WIDE_WINDOW} in context: sync turn p50 (ref: 1k)`,
        unit: 'ms',
        value: wideTurn.p50,
        reference: small.turn.p50,
        ratio: wideTurn.p50 / small.turn.p50,
      });
    });

    // ---------------------------------------------------------------- (f) statements per turn
    await scenario('(f) database statements per turn (in-process app)', async () => {
      const r = await countStatementsPerTurn({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queuePrefix: QUEUE_PREFIX, fakeUrl: fake!.url, turns: P.statementTurns });
      details.statements = r;
      const verbs = Object.entries(r.byVerb)
        .sort((a, b) => b[1] - a[1])
        .map(([verb, n]) => `${verb} ${fixed(n / r.turns)}`)
        .join(', ');
      add({ id: 'f.statements_per_turn', scenario: 'f', metric: '(f) DB statements per simple turn', unit: '', value: r.perTurn, target: '≤ 10', met: r.perTurn <= 10, note: verbs });
    });

    // ---------------------------------------------------------------- (g) soak
    await scenario(`(g) soak: ${P.soakTurns} sync turns at c=${SOAK_CONNECTIONS}`, async () => {
      const paths = soakAgents.map((id) => `/v1/agents/${id}/messages`);
      const connections = async () => {
        const { rows } = await pool!.query<{ total: string; mnemo: string }>(
          `SELECT count(*) AS total, count(*) FILTER (WHERE application_name NOT LIKE 'mnemo-bench%') AS mnemo
             FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [DB_NAME],
        );
        return { total: Number(rows[0].total), mnemo: Number(rows[0].mnemo) };
      };
      noteLoad('soak warmup', await runLoad({ url: api, paths, body: SEND_BODY, connections: SOAK_CONNECTIONS, amount: P.soakWarmup }));
      const rss0 = rssBytes(mnemo!.pid);
      const conn0 = await connections();
      const rssSeries: number[] = [];
      const sampler = setInterval(() => rssSeries.push(round(rssBytes(mnemo!.pid) / 2 ** 20, 1)), QUICK ? 1000 : 5000);
      let soak: LoadResult;
      try {
        soak = await runLoad({ url: api, paths, body: SEND_BODY, connections: SOAK_CONNECTIONS, amount: P.soakTurns, timeoutSeconds: 120, maxSeconds: P.soakMaxSeconds });
      } finally {
        clearInterval(sampler);
      }
      const r = noteLoad('soak', soak);
      if (r.cut) log(`  soak stopped by its ${P.soakMaxSeconds} s budget after ${r.ok} turns`);
      const rss1 = rssBytes(mnemo!.pid);
      const conn1 = await connections();
      const tenth = Math.max(1, Math.floor(r.samples.length / 10));
      const first = percentile(r.samples.slice(0, tenth), 50);
      const last = percentile(r.samples.slice(-tenth), 50);
      details.soak = {
        agents: soakAgents.length,
        turns: r.ok,
        cutByTimeBudget: r.cut,
        rssStart: rss0,
        rssEnd: rss1,
        rssSeriesMiB: rssSeries,
        rssGrowthBytesPerTurn: round((rss1 - rss0) / Math.max(1, r.ok), 0),
        connectionsStart: conn0,
        connectionsEnd: conn1,
        firstTenthP50: first,
        lastTenthP50: last,
      };
      const rssChange = pct(rss1, rss0);
      const connChange = pct(conn1.mnemo, conn0.mnemo);
      add({ id: 'g.turns_per_second', scenario: 'g', metric: `(g) soak turns/s (${r.ok} turns${r.cut ? ', cut by time budget' : ''})`, unit: '/s', value: r.rps });
      add({ id: 'g.latency.p50', scenario: 'g', metric: '(g) soak latency p50, last 10 % (ref: first 10 %)', unit: 'ms', value: last, reference: first, ratio: last / first });
      add({
        id: 'g.rss_change',
        scenario: 'g',
        metric: `(g) server RSS change (${fixed(rss0 / 2 ** 20)} → ${fixed(rss1 / 2 ** 20)} MiB)`,
        unit: '%',
        value: rssChange,
        target: '±10 %',
        met: Math.abs(rssChange) <= 10,
      });
      add({
        id: 'g.connections_change',
        scenario: 'g',
        metric: `(g) server DB connections change (${conn0.mnemo} → ${conn1.mnemo})`,
        unit: '%',
        value: connChange,
        target: '±10 %',
        met: Math.abs(connChange) <= 10,
      });
    });

    const failed = loadFailures.reduce((n, f) => n + f.non2xx + f.errors + f.timeouts, 0);
    add({ id: 'all.failed_requests', scenario: 'all', metric: 'failed requests in load runs (non-2xx/errors)', unit: '', value: failed, target: '0', met: failed === 0 });
  } catch (error) {
    failures.push({ scenario: 'setup', error: (error as Error)?.stack ?? String(error) });
    log(`setup FAILED: ${(error as Error)?.stack ?? String(error)}`);
  } finally {
    if (mnemo) {
      serverLog = summarizeServerLog(mnemo.output);
      await mnemo.stop().catch(() => undefined);
      const code = await mnemo.exited;
      if (code !== 0) log(`Mnemo exited with code ${code} after SIGTERM`);
      details.mnemoExitCode = code;
    }
    if (reference) await reference.stop().catch(() => undefined);
    if (fake) await fake.stop().catch(() => undefined);
    if (pool) await pool.end().catch(() => undefined);
    await clearRedis(QUEUE_PREFIX).catch((e) => log(`could not clear Redis keys ${QUEUE_PREFIX}*: ${String(e)}`));
  }

  const seconds = (performance.now() - START) / 1000;
  process.stdout.write('\n' + formatTable(metrics) + '\n');
  const notes = metrics.filter((m) => m.note).map((m) => `  ${m.metric}: ${m.note}`);
  if (notes.length) process.stdout.write('\nNotes:\n' + notes.join('\n') + '\n');
  if (serverLog && serverLog.count) {
    process.stdout.write(`\nMnemo logged ${serverLog.count} warnings/errors:\n`);
    for (const g of serverLog.top) process.stdout.write(`  ${g.count}× [${g.level}] ${g.msg}\n`);
  }
  if (loadFailures.length) process.stdout.write(`\nFailed requests: ${JSON.stringify(loadFailures)}\n`);
  for (const f of failures) process.stdout.write(`\nScenario failed: ${f.scenario}\n${f.error}\n`);

  const stamp = startedAt.toISOString().replace(/:/g, '-');
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `${stamp}.json`);
  const result = {
    mode: MODE,
    date: startedAt.toISOString(),
    durationSeconds: round(seconds, 1),
    machine,
    parameters: P,
    metrics,
    details,
    serverLog,
    loadFailures,
    failures,
  };
  fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  const met = metrics.filter((m) => m.met === true).length;
  const targeted = metrics.filter((m) => m.target).length;
  process.stdout.write(
    `\n${met}/${targeted} targets met; ${MODE} run took ${fixed(seconds)} s on ${machine.cpus} CPUs, Node ${machine.node}. Results: ${path.relative(ROOT, outFile)}\n`,
  );
  return failures.length ? 1 : 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping (children are killed on exit)\n`);
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
