import { waitFor } from '../support/wait';
import { startTestApp, TestApp } from '../support/app';
import { createAgent } from '../support/factories';
import Letta from '@letta-ai/letta-client';
import { freePort, ServerProcess, startServerProcess, waitForHealth } from '../support/process';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import type { RecordedRequest } from '../fake-llm/fake-llm-server';
import { systemOf } from '../support/prompts';

jest.setTimeout(60_000);

const LOCK_MS = '1500';
let t: TestApp;
const workers: ServerProcess[] = [];

/** A process of its own (a worker by default) on the same database, queues and fake provider as the API. */
function startWorker(env: Record<string, string> = { MNEMO_ROLE: 'worker' }): ServerProcess {
  const worker = startServerProcess({
    ...env,
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: t.config.queuePrefix,
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: t.fake.openaiBaseUrl,
    LLM_MAX_RETRIES: '0',
    RUN_LOCK_MS: LOCK_MS,
  });
  workers.push(worker);
  return worker;
}

/** A process serving the API with its own worker (MNEMO_ROLE=all): it executes foreground sends in place. */
async function startAllInOne(): Promise<{ port: number; server: ServerProcess }> {
  const port = await freePort();
  const server = startWorker({ MNEMO_ROLE: 'all', PORT: String(port) });
  await waitForHealth(port, server);
  return { port, server };
}

const isSummarization = (req: RecordedRequest) => systemOf(req).startsWith('You are summarizing');

/**
 * An agent with a few turns behind it (`before`: its context's message ids), and a manual compaction of it sent to a
 * process serving the API alone, which holds the context while its summarizer call, already at the model, is answered
 * after `delayMs`. A worker process executes the runs. `answer` is the compaction's answer or error.
 */
async function compactionInFlight(delayMs: number): Promise<{ agentId: string; before: string[]; server: ServerProcess; answer: Promise<unknown> }> {
  startWorker();
  const agent = await createAgent(t.letta);
  for (let i = 0; i < 3; i++) {
    t.fake.script({ text: `answer ${i}` });
    await t.letta.agents.messages.create(agent.id, { input: `question ${i}` });
  }
  const before = (await t.letta.agents.retrieve(agent.id)).message_ids!;
  const port = await freePort();
  const server = startWorker({ MNEMO_ROLE: 'api', PORT: String(port) });
  await waitForHealth(port, server);
  const client = new Letta({ baseURL: `http://127.0.0.1:${port}`, apiKey: 'k', maxRetries: 0, timeout: 60_000 });
  t.fake.script({ text: 'SUMMARY too late', delayMs, when: isSummarization });
  const sent = t.fake.requests.length;
  const answer = client.agents.messages.compact(agent.id, { compaction_settings: { mode: 'all' } }).catch((error: Error) => error);
  await waitFor(async () => t.fake.requests.slice(sent).some(isSummarization), (seen) => seen);
  return { agentId: agent.id, before, server, answer };
}

/** The context is as it was before the compaction, plus the one turn that ran meanwhile. */
async function expectUncompactedPlusOneTurn(agentId: string, before: string[]): Promise<void> {
  const after = (await t.letta.agents.retrieve(agentId)).message_ids!;
  expect(after.slice(0, before.length)).toEqual(before);
  expect(after).toHaveLength(before.length + 2);
}

/** The agent takes a new turn after its run was failed: its context was freed and its history is usable. */
async function expectAgentAnswers(agentId: string): Promise<void> {
  t.fake.script({ text: 'Still here.' });
  const next = await t.letta.agents.messages.create(agentId, { input: 'Are you there?' });
  expect((next.messages[0] as unknown as { content: string }).content).toBe('Still here.');
}

beforeAll(async () => {
  // The API alone: runs are executed only by the worker processes this test starts and kills.
  t = await startTestApp({ MNEMO_ROLE: 'api', RUN_LOCK_MS: LOCK_MS });
});
afterAll(async () => {
  workers.forEach((w) => w.child.kill('SIGKILL'));
  await t.close();
});

describe('a worker killed mid-run', () => {
  it('leaves its run failed with a clear stop reason, the history consistent, and the agent usable', async () => {
    const agent = await createAgent(t.letta);
    const first = startWorker();
    t.fake.script(
      { toolCalls: [{ name: 'memory_insert', arguments: { label: 'human', new_string: 'Has a cat' } }] },
      { text: 'never delivered', delayMs: 20_000 },
    );
    const run = await t.letta.agents.messages.createAsync(agent.id, { input: 'I have a cat' });
    await waitFor(() => t.letta.runs.steps.list(run.id), (page) => page.items.length === 1);
    await waitFor(async () => t.fake.requests.length, (n) => n === 2);
    expect((await t.letta.runs.retrieve(run.id)).status).toBe('running');

    first.child.kill('SIGKILL');
    await first.exited;
    startWorker();

    const ended = await waitFor(() => t.letta.runs.retrieve(run.id), (r) => r.status !== 'running', 30_000);
    expect(ended).toMatchObject({ status: 'failed', stop_reason: 'error' });
    expect(ended.metadata).toMatchObject({ error: { type: 'internal_error', message: expect.stringMatching(/worker executing this run stopped/) } });

    const history = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as { message_type: string; tool_call?: { tool_call_id: string }; tool_call_id?: string }[];
    expect(history.map((m) => m.message_type)).toEqual(['system_message', 'user_message', 'tool_call_message', 'tool_return_message']);
    expect(history[3].tool_call_id).toBe(history[2].tool_call!.tool_call_id);
    expect((await t.letta.agents.blocks.retrieve('human', { agent_id: agent.id })).value).toBe('Name: Ada\nHas a cat');

    // The replayed stream ends as Letta's do on a failure: stop_reason, then an in-band error the SDK throws.
    const replay: { message_type: string; stop_reason?: string }[] = [];
    const streamError = await (async () => {
      try {
        for await (const chunk of await t.letta.runs.messages.stream(run.id, {})) replay.push(chunk as { message_type: string });
      } catch (error) {
        return error as Error;
      }
    })();
    expect(streamError?.message).toMatch(/worker executing this run stopped/);
    expect(replay.map((c) => c.message_type).filter((m) => m !== 'ping')).toEqual(['tool_call_message', 'tool_return_message', 'stop_reason']);
    expect(replay.at(-1)!.stop_reason).toBe('error');

    await expectAgentAnswers(agent.id);
  });
});

describe('a server killed while executing a foreground run in place', () => {
  it('has its run failed by a surviving worker once its heartbeat is gone, the history consistent', async () => {
    const agent = await createAgent(t.letta);
    const { port, server } = await startAllInOne();
    startWorker();
    t.fake.script(
      { toolCalls: [{ name: 'memory_insert', arguments: { label: 'human', new_string: 'Has a dog' } }] },
      { text: 'never delivered', delayMs: 20_000 },
    );
    const before = t.fake.requests.length;
    // A streaming send to the all-in-one server: it executes the run itself, without the queue.
    const client = new Letta({ baseURL: `http://127.0.0.1:${port}`, apiKey: 'k', maxRetries: 0 });
    const chunks: { message_type: string; run_id?: string }[] = [];
    const consumed = (async () => {
      for await (const chunk of await client.agents.messages.stream(agent.id, { input: 'I have a dog' })) chunks.push(chunk as { message_type: string });
    })().catch((error: Error) => error);
    await waitFor(async () => t.fake.requests.length - before, (n) => n === 2);
    const runId = chunks.find((c) => c.run_id)!.run_id!;
    expect((await t.letta.runs.retrieve(runId)).status).toBe('running');

    server.child.kill('SIGKILL');
    await server.exited;
    expect(await consumed).toHaveProperty('message'); // the stream broke with its server

    const ended = await waitFor(() => t.letta.runs.retrieve(runId), (r) => r.status !== 'running', 30_000);
    expect(ended).toMatchObject({ status: 'failed', stop_reason: 'error' });
    expect(ended.metadata).toMatchObject({ error: { type: 'internal_error', message: expect.stringMatching(/worker executing this run stopped/) } });
    const history = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items.map((m) => m.message_type);
    expect(history).toEqual(['system_message', 'user_message', 'tool_call_message', 'tool_return_message']);

    await expectAgentAnswers(agent.id);
  });
});

describe('a server stopped (SIGTERM) while executing a foreground run in place', () => {
  it('finishes the run, even one whose client went away, before exiting 0', async () => {
    const agent = await createAgent(t.letta);
    const { port, server } = await startAllInOne();
    t.fake.script({ text: 'Finished after the signal.', delayMs: 1500 });
    const before = t.fake.requests.length;
    const client = new AbortController();
    const response = fetch(`http://127.0.0.1:${port}/v1/agents/${agent.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Take your time' }),
      signal: client.signal,
    }).catch((error: Error) => error);
    await waitFor(async () => t.fake.requests.length - before, (n) => n === 1);
    client.abort();
    expect(await response).toHaveProperty('name', 'AbortError');
    server.child.kill('SIGTERM');

    expect(await server.exited).toBe(0);
    const [run] = (await t.letta.runs.list({ agent_id: agent.id })).items;
    expect(run).toMatchObject({ status: 'completed', stop_reason: 'end_turn' });
    const history = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as { message_type: string; content?: string }[];
    expect(history.at(-1)).toMatchObject({ message_type: 'assistant_message', content: 'Finished after the signal.' });
  });
});

describe('a server killed while it compacts a context', () => {
  it('frees the context once its hold expires: the run that waited executes, the context as it was before plus that turn', async () => {
    const { agentId, before, server, answer } = await compactionInFlight(10_000);
    server.child.kill('SIGKILL');
    await server.exited;
    expect(await answer).toBeInstanceOf(Error);

    t.fake.script({ text: 'after the crash', when: (req) => !isSummarization(req) });
    const run = await t.letta.agents.messages.createAsync(agentId, { input: 'while the context is held' });
    // The dead compaction still holds the context: the run waits instead of starting next to it.
    expect((await t.letta.runs.retrieve(run.id)).status).toBe('created');
    const ended = await waitFor(() => t.letta.runs.retrieve(run.id), (r) => r.status !== 'created' && r.status !== 'running', 30_000);
    expect(ended).toMatchObject({ status: 'completed', stop_reason: 'end_turn' });
    await expectUncompactedPlusOneTurn(agentId, before);
  });
});

describe('a server stalled while it compacts a context', () => {
  it('loses its hold to a run once it expires, and then writes nothing: the compaction answers 409', async () => {
    const { agentId, before, server, answer } = await compactionInFlight(4_000);
    server.child.kill('SIGSTOP');
    try {
      t.fake.script({ text: 'while it stalled', when: (req) => !isSummarization(req) });
      const run = await t.letta.agents.messages.createAsync(agentId, { input: 'during the stall' });
      const ended = await waitFor(() => t.letta.runs.retrieve(run.id), (r) => r.status === 'completed', 30_000);
      expect(ended.stop_reason).toBe('end_turn');
    } finally {
      server.child.kill('SIGCONT');
    }
    const lost = await answer;
    expect(lost).toMatchObject({ status: 409 });
    expect(String((lost as { error?: { detail?: string } }).error?.detail)).toMatch(/lost its hold on the context/);
    await expectUncompactedPlusOneTurn(agentId, before);
  });
});
