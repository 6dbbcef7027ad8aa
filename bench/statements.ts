/**
 * Scenario (f): database statements per simple turn, counted at the driver. A second Mnemo is booted in this process
 * the way test/support/app.ts boots one (Test.createTestingModule + ApiModule.forRoot + configureApp), from the same
 * compiled build the child server runs, with `pg`'s Client.prototype.query wrapped to count calls while `counting` is on.
 */
import 'reflect-metadata';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ROOT, sleep } from './lib/procs';
import { expectOk } from './lib/http';

export interface StatementCount {
  turns: number;
  statements: number;
  perTurn: number;
  /** Statements by their first SQL word (SELECT, INSERT, UPDATE, BEGIN, COMMIT, ...). */
  byVerb: Record<string, number>;
  /** Statements the idle app ran per second before the sends (background work counted in the window, if any). */
  idlePerSecond: number;
}

function verbOf(args: unknown[]): string {
  const first = args[0] as any;
  const text: string = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '';
  const word = /^\s*(?:--[^\n]*\n\s*)*(\w+)/.exec(text)?.[1]?.toUpperCase();
  return word ?? (first && typeof first.submit === 'function' ? 'SUBMITTABLE' : 'OTHER');
}

interface InProcessModules {
  Test: any;
  ApiModule: any;
  configureApp: (app: any, logger: any) => void;
  appOptions: (config: any) => { logger: any };
  httpAdapter: () => any;
  loadConfig: (env: Record<string, string>) => any;
}

let modules: InProcessModules | undefined;

/**
 * Loads the compiled app into this process. Call it right after the build and before the child server starts: the work
 * tree may be rebuilt while the bench runs, and the in-process app must be the build the child server runs.
 */
export function loadInProcessApp(): void {
  if (modules) return;
  const dist = (p: string) => path.join(ROOT, 'dist', 'src', p);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Test } = require('@nestjs/testing');
  const { ApiModule } = require(dist('app.module'));
  const { configureApp, appOptions, httpAdapter } = require(dist('app.setup'));
  const { loadConfig } = require(dist('config/config'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  modules = { Test, ApiModule, configureApp, appOptions, httpAdapter, loadConfig };
}

export async function countStatementsPerTurn(options: {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  fakeUrl: string;
  turns: number;
}): Promise<StatementCount> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg');
  const original = pg.Client.prototype.query;
  let counting = false;
  let total = 0;
  const byVerb: Record<string, number> = {};
  pg.Client.prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
    if (counting) {
      total++;
      const verb = verbOf(args);
      byVerb[verb] = (byVerb[verb] ?? 0) + 1;
    }
    return original.apply(this, args);
  };

  loadInProcessApp();
  const { Test, ApiModule, configureApp, appOptions, httpAdapter, loadConfig } = modules!;

  let app: any;
  try {
    const config = loadConfig({
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: `${options.fakeUrl}/v1`,
      LLM_MAX_RETRIES: '0',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      LOG_LEVEL: 'error',
      QUEUE_PREFIX: `${options.queuePrefix}-inproc-${randomUUID().slice(0, 8)}`,
      MNEMO_ROLE: 'all',
      PORT: '0',
    });
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config)] }).compile();
    const nestOptions = appOptions(config);
    app = moduleRef.createNestApplication(httpAdapter(), nestOptions);
    configureApp(app, nestOptions.logger);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${port}`;

    const agent = await expectOk('POST', `${url}/v1/agents/`, {
      model: 'openai/bench-model',
      memory_blocks: [{ label: 'human', value: 'Name: Bench' }],
    });
    const send = `${url}/v1/agents/${agent.body.id}/messages`;
    for (let i = 0; i < 3; i++) await expectOk('POST', send, { input: 'hi' }); // warm caches (model list, tools)

    await sleep(300);
    counting = true;
    await sleep(1000);
    counting = false;
    const idle = total;
    total = 0;
    for (const key of Object.keys(byVerb)) delete byVerb[key];

    counting = true;
    for (let i = 0; i < options.turns; i++) await expectOk('POST', send, { input: 'hi' });
    await sleep(100); // statements still in flight when the response left
    counting = false;
    return { turns: options.turns, statements: total, perTurn: total / options.turns, byVerb: { ...byVerb }, idlePerSecond: idle };
  } finally {
    counting = false;
    if (app) await app.close();
    pg.Client.prototype.query = original;
  }
}
