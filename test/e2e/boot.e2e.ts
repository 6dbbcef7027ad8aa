import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { FakeLlmServer } from '../fake-llm/fake-llm-server';
import { freePort, ServerProcess, startServerProcess, waitForHealth } from '../support/process';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import { waitFor } from '../support/wait';

function start(env: Record<string, string>): ServerProcess {
  return startServerProcess({ REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: 'mnemo-test', ...env });
}

const freshDatabaseUrl = () => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/mnemo_boot_${randomUUID().slice(0, 8)}`;
  return url.toString();
};

async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.end();
}


describe('the server process', () => {
  jest.setTimeout(60_000);

  it('creates a missing database, migrates it once with two replicas starting together, serves, and stops on SIGTERM', async () => {
    const databaseUrl = freshDatabaseUrl();
    const [p1, p2] = [await freePort(), await freePort()];
    const replicas = [start({ DATABASE_URL: databaseUrl, PORT: String(p1) }), start({ DATABASE_URL: databaseUrl, PORT: String(p2), MNEMO_ROLE: 'api' })];
    try {
      await Promise.all([waitForHealth(p1), waitForHealth(p2)]).catch((error) => {
        throw new Error(`${error.message}\n${replicas.map((r) => r.output()).join('\n---\n')}`);
      });
      const health = await (await fetch(`http://127.0.0.1:${p1}/v1/health/`)).json();
      expect(health).toEqual({ status: 'ok', version: expect.any(String) });
      expect((await fetch(`http://127.0.0.1:${p2}/docs`)).status).toBe(200);
      const created = await fetch(`http://127.0.0.1:${p2}/v1/blocks/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ label: 'l', value: 'v' }),
      });
      expect(created.status).toBe(200);
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      const migrations = await client.query('SELECT count(*)::int AS n FROM migrations');
      await client.end();
      expect(migrations.rows[0].n).toBeGreaterThan(0);
    } finally {
      replicas.forEach((r) => r.child.kill('SIGTERM'));
    }
    expect(await Promise.all(replicas.map((r) => r.exited))).toEqual([0, 0]);
    await dropDatabase(databaseUrl);
  });

  it('on SIGTERM answers new requests 503 in the {detail} envelope, finishes the turn it took, then exits 0', async () => {
    const fake = await FakeLlmServer.start({ models: [{ id: 'gpt-4o-mini', contextWindow: 128000 }] });
    const port = await freePort();
    const server = start({ DATABASE_URL: TEST_DATABASE_URL, PORT: String(port), OPENAI_API_KEY: 'k', OPENAI_BASE_URL: fake.openaiBaseUrl, LLM_MAX_RETRIES: '0' });
    const api = `http://127.0.0.1:${port}/v1`;
    const post = (path: string, body: unknown) => fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      await waitForHealth(port, server);
      const agent = (await (await post('/agents/', { model: 'openai/gpt-4o-mini' })).json()) as { id: string };
      fake.script({ text: 'Finished after the signal.', delayMs: 1500 });
      const inFlight = post(`/agents/${agent.id}/messages`, { input: 'hi' });
      await waitFor(async () => fake.requests.length, (n) => n === 1);
      server.child.kill('SIGTERM');
      const refused = await waitFor(() => fetch(`${api}/health/`), (res) => res.status === 503, 5000);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('connection')).toBe('close');
      expect(await refused.json()).toEqual({ detail: expect.stringMatching(/shutting down/) });
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(JSON.stringify(await answered.json())).toContain('Finished after the signal.');
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
      await fake.close();
    }
  });

  it('runs the worker role on its own and stops it on SIGTERM', async () => {
    const worker = start({ DATABASE_URL: TEST_DATABASE_URL, MNEMO_ROLE: 'worker' });
    await new Promise((r) => setTimeout(r, 3000));
    expect(worker.child.exitCode).toBeNull();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/mnemo' }, /DATABASE_URL: cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/mnemo/],
    ['REDIS_URL', { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:1' }, /REDIS_URL: cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud"/],
    ['PORT', { PORT: 'eighty' }, /PORT=/],
    ['DATABASE_URL scheme', { DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL must start with postgres:\/\//],
  ])('refuses to boot with a bad %s, naming the variable', async (_name, env, message) => {
    const run = start(env as Record<string, string>);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(message);
  });

  it('migrates a database without starting a server (npm run migration:run), then finds it up to date', async () => {
    const databaseUrl = freshDatabaseUrl();
    const cli = join(__dirname, '..', '..', 'dist', 'src', 'database', 'migrate.cli.js');
    const run = () => promisify(execFile)(process.execPath, [cli], { env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl } });
    try {
      expect((await run()).stdout).toMatch(/: applied Init\d+, /);
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'mnemo_admit_run'`);
      await client.end();
      expect(rows[0].n).toBe(1);
      expect((await run()).stdout).toMatch(/: up to date\n$/);
    } finally {
      await dropDatabase(databaseUrl);
    }
  });
});
