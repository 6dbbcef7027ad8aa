import http from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import Redis from 'ioredis';
import { Chunk, collect, waitFor } from '../support/wait';
import { startTestApp, TestApp } from '../support/app';
import { failure } from '../support/errors';
import { createAgent } from '../support/factories';
import { readSse } from '../support/sse';
import { QueuesService } from '../../src/queue/queues.service';

jest.setTimeout(30_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ STREAM_PING_INTERVAL_MS: '200' });
});
afterAll(() => t.close());
beforeEach(() => t.fake.reset());


const messagesOnly = (chunks: Chunk[]) => chunks.filter((c) => !['ping', 'stop_reason', 'usage_statistics'].includes(c.message_type));
const strip = (m: Chunk) => ({ id: m.id, message_type: m.message_type, content: m.content, tool_call: m.tool_call, tool_return: m.tool_return, reasoning: m.reasoning });


async function persisted(runId: string): Promise<Chunk[]> {
  return ((await t.letta.runs.messages.list(runId)).items as unknown as Chunk[]).filter((m) => m.message_type !== 'user_message');
}

describe('runs: every send is a run', () => {
  it('records a synchronous send as a completed run with its messages, steps and usage', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ toolCalls: [{ name: 'conversation_search', arguments: { query: 'x' } }] }, { text: 'done', usage: { prompt_tokens: 10, completion_tokens: 2 } });
    const response = await t.letta.agents.messages.create(agent.id, { input: 'go' });
    const runId = (response.messages[0] as unknown as Chunk).run_id!;
    expect(runId).toMatch(/^run-/);
    expect(response.usage.run_ids).toEqual([runId]);

    const run = await t.letta.runs.retrieve(runId);
    expect(run).toMatchObject({ id: runId, agent_id: agent.id, status: 'completed', stop_reason: 'end_turn', background: false, conversation_id: null });
    expect(run.metadata).toMatchObject({ run_type: 'send_message' });
    expect(run.completed_at).toBeTruthy();
    expect(run.total_duration_ns).toBeGreaterThan(0);
    expect(run.ttft_ns).toBeGreaterThan(0);
    expect((await persisted(runId)).map(strip)).toEqual((response.messages as unknown as Chunk[]).map((m) => strip({ ...m })));
    expect((await t.letta.runs.steps.list(runId)).items).toHaveLength(2);
    expect((await t.letta.runs.usage.retrieve(runId)).total_tokens).toBeGreaterThan(12);
    const listed = await t.letta.runs.list({ agent_id: agent.id });
    expect(listed.items.map((r) => r.id)).toEqual([runId]);
    expect((await t.letta.runs.list({ agent_id: agent.id, statuses: ['failed'] })).items).toEqual([]);
    expect((await t.letta.agents.retrieve(agent.id)).last_stop_reason).toBe('end_turn');
  });

  it('streams step by step in Letta’s framing, and the streamed messages equal the stored ones', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ toolCalls: [{ name: 'memory_insert', arguments: { label: 'human', new_string: 'Likes tea' } }] }, { text: 'Noted.' });
    const stream = await t.letta.agents.messages.create(agent.id, { input: 'I like tea', streaming: true });
    const chunks = await collect(stream);
    expect(chunks.map((c) => c.message_type)).toEqual(['ping', 'tool_call_message', 'tool_return_message', 'assistant_message', 'stop_reason', 'usage_statistics']);
    const runId = chunks[0].run_id!;
    expect(runId).toMatch(/^run-/);
    expect(chunks[4]).toMatchObject({ stop_reason: 'end_turn' });
    expect(chunks[5]).toMatchObject({ step_count: 2, run_ids: [runId] });
    expect(messagesOnly(chunks).map(strip)).toEqual((await persisted(runId)).map(strip));
    expect((await t.letta.runs.retrieve(runId)).status).toBe('completed');

    const raw = await fetch(`${t.url}/v1/agents/${agent.id}/messages/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'again', include_pings: false }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(raw);
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(events.every((e) => e.event === null && e.id !== null)).toBe(true);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
  });

  it('streams tokens as deltas that share the id of the stored message', async () => {
    const agent = await createAgent(t.letta, { model: 'anthropic/claude-sonnet-5-5' });
    t.fake.script(
      { reasoning: 'Let me think about it.', toolCalls: [{ name: 'conversation_search', arguments: { query: 'weather today' } }] },
      { text: 'It is sunny and warm today.' },
    );
    const chunks = await collect(await t.letta.agents.messages.create(agent.id, { input: 'Weather?', streaming: true, stream_tokens: true }));
    const runId = chunks[0].run_id!;
    const stored = await persisted(runId);
    const text = chunks.filter((c) => c.message_type === 'assistant_message');
    expect(text.length).toBeGreaterThan(1);
    expect(new Set(text.map((c) => c.id))).toEqual(new Set([stored.find((m) => m.message_type === 'assistant_message')!.id]));
    expect(text.map((c) => c.content).join('')).toBe('It is sunny and warm today.');
    const reasoning = chunks.filter((c) => c.message_type === 'reasoning_message');
    expect(reasoning.map((c) => c.reasoning).join('')).toBe('Let me think about it.');
    const calls = chunks.filter((c) => c.message_type === 'tool_call_message');
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.map((c) => (c.tool_call as { arguments: string | null }).arguments ?? '').join('')).toBe(JSON.stringify({ query: 'weather today' }));
    expect(calls.every((c) => c.id === stored.find((m) => m.message_type === 'tool_call_message')!.id)).toBe(true);
    expect(chunks.filter((c) => c.message_type === 'tool_return_message')).toHaveLength(1);
    expect(chunks.slice(-2).map((c) => c.message_type)).toEqual(['stop_reason', 'usage_statistics']);
  });

  it('keeps a background stream after the client leaves, and resumes it from the middle and from 0 without gap or duplicate', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script(
      { toolCalls: [{ name: 'conversation_search', arguments: { query: 'a' } }] },
      { toolCalls: [{ name: 'conversation_search', arguments: { query: 'b' } }], delayMs: 300 },
      { text: 'finished', delayMs: 300 },
    );
    const first = await collect(await t.letta.agents.messages.create(agent.id, { input: 'long job', streaming: true, background: true }), 2);
    expect(first.map((c) => c.message_type)).toEqual(['ping', 'tool_call_message']);
    const runId = first[0].run_id!;
    const lastSeq = first[1].seq_id!;
    expect(lastSeq).toBe(1);

    const rest = await collect(await t.letta.runs.messages.stream(runId, { starting_after: lastSeq }));
    const restData = rest.filter((c) => c.message_type !== 'ping');
    expect(restData.map((c) => c.seq_id)).toEqual(restData.map((_, i) => lastSeq + 1 + i));
    expect(restData.map((c) => c.message_type)).toEqual(['tool_return_message', 'tool_call_message', 'tool_return_message', 'assistant_message', 'stop_reason', 'usage_statistics']);

    const replay = (await collect(await t.letta.runs.messages.stream(runId, {}))).filter((c) => c.message_type !== 'ping');
    expect(replay.map((c) => c.seq_id)).toEqual(replay.map((_, i) => i + 1));
    expect(messagesOnly(replay).map(strip)).toEqual((await persisted(runId)).map(strip));
    expect(replay.slice(1)).toEqual(restData.length === replay.length - 1 ? restData : replay.slice(1));

    const viaHeader = await readSse(await fetch(`${t.url}/v1/runs/${runId}/stream`, { method: 'POST', headers: { 'content-type': 'application/json', 'last-event-id': '6' }, body: JSON.stringify({ include_pings: false }) }));
    expect(viaHeader.map((e) => e.id)).toEqual(['7', '8']);
    expect(viaHeader.at(-1)!.data).toBe('[DONE]');
  });

  it('refuses to resume a foreground run (400) and an expired stream (410)', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'hi' });
    const chunks = await collect(await t.letta.agents.messages.create(agent.id, { input: 'x', streaming: true }));
    expect((await failure(t.letta.runs.messages.stream(chunks[0].run_id!, {}))).status).toBe(400);

    t.fake.script({ text: 'hi' });
    const bg = await collect(await t.letta.agents.messages.create(agent.id, { input: 'y', streaming: true, background: true }));
    const runId = bg[0].run_id!;
    const redis = new Redis(t.config.redisUrl);
    await redis.del(`${t.config.queuePrefix}:run:${runId}:events`);
    await redis.quit();
    await t.app.get(DataSource).query(`UPDATE runs SET created_at = now() - interval '5 hours' WHERE id = $1`, [runId]);
    const expired = await failure(t.letta.runs.messages.stream(runId, {}));
    expect(expired.status).toBe(410);
    expect((await failure(t.letta.runs.messages.stream('run-00000000-0000-4000-8000-000000000000', {}))).status).toBe(404);
  });

  it('returns the run of an async send at once, and the run ends completed for pollers', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'async answer', delayMs: 200 });
    const run = await t.letta.agents.messages.createAsync(agent.id, { input: 'work in the background' });
    expect(run).toMatchObject({ agent_id: agent.id, background: true });
    expect(['created', 'running']).toContain(run.status);
    expect(run.metadata).toMatchObject({ run_type: 'send_message_async' });
    const done = await waitFor(() => t.letta.runs.retrieve(run.id), (r) => r.status === 'completed');
    expect(done).toMatchObject({ status: 'completed', stop_reason: 'end_turn' });
    expect((await persisted(run.id)).map((m) => m.content)).toEqual(['async answer']);
  });

  it('posts the result to callback_url when an async run ends, retrying a failing receiver', async () => {
    const received: { status: number; body: Record<string, unknown> }[] = [];
    let calls = 0;
    const receiver = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        calls++;
        const status = calls === 1 ? 503 : 200;
        received.push({ status, body: JSON.parse(raw) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    try {
      const agent = await createAgent(t.letta);
      t.fake.script({ text: 'called back' });
      const run = await t.letta.agents.messages.createAsync(agent.id, { input: 'notify me', callback_url: url });
      const after = await waitFor(() => t.letta.runs.retrieve(run.id), (r) => r.callback_status_code === 200, 15_000);
      expect(after.callback_status_code).toBe(200);
      expect(after.callback_sent_at).toBeTruthy();
      expect(received.map((r) => r.status)).toEqual([503, 200]);
      const body = received[1].body as { run_id: string; status: string; metadata: { result: { messages: Chunk[]; stop_reason: { stop_reason: string } } } };
      expect(body).toMatchObject({ run_id: run.id, status: 'completed' });
      expect(body.metadata.result.stop_reason.stop_reason).toBe('end_turn');
      expect(body.metadata.result.messages.map((m) => m.content)).toEqual(['called back']);
    } finally {
      receiver.close();
    }
  });
});

describe('runs: cancellation', () => {
  it('cancels mid tool loop: stop_reason cancelled on the stream, run cancelled, history consistent, agent usable', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script(
      { toolCalls: [{ name: 'conversation_search', arguments: { query: 'one' } }] },
      { toolCalls: [{ name: 'conversation_search', arguments: { query: 'two' } }], delayMs: 5000 },
    );
    const stream = await t.letta.agents.messages.create(agent.id, { input: 'loop', streaming: true });
    const chunks: Chunk[] = [];
    let cancelled: Record<string, string> | undefined;
    for await (const chunk of stream) {
      chunks.push(chunk as Chunk);
      if ((chunk as Chunk).message_type === 'tool_return_message') cancelled = (await t.letta.agents.messages.cancel(agent.id, {})) as Record<string, string>;
    }
    const runId = chunks[0].run_id!;
    expect(cancelled).toEqual({ [runId]: 'cancelled' });
    expect(chunks.map((c) => c.message_type)).toEqual(['ping', 'tool_call_message', 'tool_return_message', 'stop_reason']);
    expect(chunks.at(-1)).toMatchObject({ stop_reason: 'cancelled' });
    expect(await t.letta.runs.retrieve(runId)).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled' });

    const history = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as Chunk[];
    const callIds = history.filter((m) => m.message_type === 'tool_call_message').map((m) => (m.tool_call as { tool_call_id: string }).tool_call_id);
    const returnIds = history.filter((m) => m.message_type === 'tool_return_message').map((m) => m.tool_call_id);
    expect(returnIds).toEqual(callIds);
    t.fake.reset();
    t.fake.script({ text: 'ready again' });
    const next = await t.letta.agents.messages.create(agent.id, { input: 'hello?' });
    expect((next.messages[0] as unknown as Chunk).content).toBe('ready again');
  });

  it('cancels mid model stream: the half-written reply is not stored, the run ends cancelled', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'a reply that streams slowly, word after word', chunkDelayMs: 200 });
    const stream = await t.letta.agents.messages.create(agent.id, { input: 'talk', streaming: true, stream_tokens: true });
    const chunks: Chunk[] = [];
    let cancelled: Record<string, string> | undefined;
    for await (const chunk of stream) {
      chunks.push(chunk as Chunk);
      if ((chunk as Chunk).message_type === 'assistant_message' && !cancelled) cancelled = (await t.letta.agents.messages.cancel(agent.id, {})) as Record<string, string>;
    }
    const runId = chunks.find((c) => c.run_id)!.run_id!;
    expect(cancelled).toEqual({ [runId]: 'cancelled' });
    expect(chunks.at(-1)).toMatchObject({ stop_reason: 'cancelled' });
    expect(await t.letta.runs.retrieve(runId)).toMatchObject({ status: 'cancelled', stop_reason: 'cancelled' });
    const history = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as Chunk[];
    expect(history.map((m) => m.message_type)).toEqual(['system_message', 'user_message']);
  });

  it('answers 409 when there is nothing to cancel, and cancels named runs only', async () => {
    const agent = await createAgent(t.letta);
    const nothing = await failure(t.letta.agents.messages.cancel(agent.id, {}));
    expect(nothing.status).toBe(409);
    t.fake.script({ text: 'slow', delayMs: 5000 });
    const run = await t.letta.agents.messages.createAsync(agent.id, { input: 'slow one' });
    await waitFor(() => t.letta.runs.retrieve(run.id), (r) => r.status === 'running');
    expect(await t.letta.agents.messages.cancel(agent.id, { run_ids: [run.id] })).toEqual({ [run.id]: 'cancelled' });
    expect((await t.letta.runs.retrieve(run.id)).status).toBe('cancelled');
    expect(await t.letta.agents.messages.cancel(agent.id, { run_ids: [run.id] })).toEqual({ [run.id]: 'failed' });
  });
});

describe('runs: concurrent sends to one agent', () => {
  it('executes back-to-back sends of one client where they arrive: the context is free as soon as a response is', async () => {
    const agent = await createAgent(t.letta);
    const queued = jest.spyOn(t.app.get(QueuesService), 'enqueueRun');
    try {
      for (let i = 0; i < 20; i++) {
        t.fake.script({ text: `answer ${i}` });
        const response = await t.letta.agents.messages.create(agent.id, { input: `question ${i}` });
        expect((response.messages[0] as unknown as Chunk).content).toBe(`answer ${i}`);
      }
      expect(queued).not.toHaveBeenCalled();
    } finally {
      queued.mockRestore();
    }
  });

  it('rejects a second send with 409 naming the active run', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'first', delayMs: 800 });
    const first = t.letta.agents.messages.create(agent.id, { input: 'one' });
    const active = await waitFor(() => t.letta.runs.list({ agent_id: agent.id, active: true }), (p) => p.items.length === 1);
    const second = await failure(t.letta.agents.messages.create(agent.id, { input: 'two' }));
    expect(second.status).toBe(409);
    expect(second.error).toMatchObject({ run_id: active.items[0].id, detail: expect.stringContaining(`run_id=${active.items[0].id}`) });
    expect(((await first).messages[0] as unknown as Chunk).content).toBe('first');
    const users = ((await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as Chunk[]).filter((m) => m.message_type === 'user_message');
    expect(users.map((m) => m.content)).toEqual(['one']);
  });

  it('queues sends with if_busy=queue and persists the turns in admission order', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'answer 1', delayMs: 300 }, { text: 'answer 2', delayMs: 100 }, { text: 'answer 3' });
    const sends = [];
    for (const n of [1, 2, 3]) {
      // supertest sends on then(); start each request now, in order
      sends.push(request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ input: `question ${n}`, if_busy: 'queue' }).then((r) => r));
      await waitFor(() => t.letta.runs.list({ agent_id: agent.id }), (p) => p.items.length === n);
    }
    const responses = await Promise.all(sends);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(responses.map((r) => r.body.messages[0].content)).toEqual(['answer 1', 'answer 2', 'answer 3']);
    const history = ((await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as Chunk[]).slice(1).map((m) => m.content);
    expect(history).toEqual(['question 1', 'answer 1', 'question 2', 'answer 2', 'question 3', 'answer 3']);
  });

  it('answers a streaming send to a busy agent with a JSON 409 before any stream starts', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'busy', delayMs: 600 });
    const run = await t.letta.agents.messages.createAsync(agent.id, { input: 'first' });
    const res = await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ input: 'second', streaming: true });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['x-should-retry']).toBe('false');
    expect(res.body.run_id).toBe(run.id);
    await waitFor(() => t.letta.runs.retrieve(run.id), (r) => r.status === 'completed');
  });
});
