import { waitFor } from '../support/wait';
import { startTestApp, TestApp } from '../support/app';
import { createAgent } from '../support/factories';
import { ServerProcess, startServerProcess } from '../support/process';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';

jest.setTimeout(60_000);

const LOCK_MS = '1500';
let t: TestApp;
const workers: ServerProcess[] = [];

/** A worker process of its own (MNEMO_ROLE=worker) on the same database, queues and fake provider as the API. */
function startWorker(): ServerProcess {
  const worker = startServerProcess({
    MNEMO_ROLE: 'worker',
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

    t.fake.script({ text: 'Still here.' });
    const next = await t.letta.agents.messages.create(agent.id, { input: 'Are you there?' });
    expect((next.messages[0] as unknown as { content: string }).content).toBe('Still here.');
  });
});
