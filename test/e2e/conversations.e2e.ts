import request from 'supertest';
import { Chunk, collect, waitFor } from '../support/wait';
import { startTestApp, TestApp } from '../support/app';
import { failure } from '../support/errors';
import { createAgent } from '../support/factories';
import { conversationOf, systemOf } from '../support/prompts';

jest.setTimeout(30_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.fake.reset());



describe('conversations', () => {
  it('creates, retrieves, lists, modifies and deletes conversations of an agent', async () => {
    const agent = await createAgent(t.letta);
    const empty = await t.letta.conversations.create({ agent_id: agent.id });
    expect(empty).toMatchObject({ id: expect.stringMatching(/^conv-/), agent_id: agent.id, summary: null });
    expect(empty.in_context_message_ids).toHaveLength(1);
    const named = await t.letta.conversations.create({ agent_id: agent.id, summary: 'Trip planning' });
    expect(await t.letta.conversations.retrieve(named.id)).toMatchObject({ summary: 'Trip planning' });

    const listed = await t.letta.conversations.list({ agent_id: agent.id });
    expect(listed.map((c) => c.id)).toEqual([named.id, empty.id]);
    expect((await t.letta.conversations.list({ agent_id: agent.id, summary_search: 'trip' })).map((c) => c.id)).toEqual([named.id]);
    expect((await t.letta.conversations.list({ agent_id: agent.id, limit: 1, after: named.id })).map((c) => c.id)).toEqual([empty.id]);

    expect(await t.letta.conversations.update(named.id, { summary: 'Trip to Lisbon' })).toMatchObject({ summary: 'Trip to Lisbon' });
    await t.letta.conversations.delete(empty.id);
    expect((await failure(t.letta.conversations.retrieve(empty.id))).status).toBe(404);
    expect((await failure(t.letta.conversations.retrieve('conv-nope'))).status).toBe(422);
    expect((await failure(t.letta.conversations.create({ agent_id: 'agent-00000000-0000-4000-8000-000000000000' }))).status).toBe(404);
    await request(t.url).post('/v1/conversations/').send({}).expect(422);
  });

  it('keeps separate histories and contexts while memory is shared: an edit in one is seen by the other', async () => {
    const agent = await createAgent(t.letta);
    const a = await t.letta.conversations.create({ agent_id: agent.id });
    const b = await t.letta.conversations.create({ agent_id: agent.id });

    t.fake.script(
      { toolCalls: [{ name: 'memory_replace', arguments: { label: 'human', old_string: 'Ada', new_string: 'Ada (likes sailing)' } }] },
      { text: 'Noted in A.' },
    );
    const chunksA = await collect(await t.letta.conversations.messages.create(a.id, { input: 'I like sailing' }));
    expect(chunksA.map((c) => c.message_type)).toEqual(['ping', 'tool_call_message', 'tool_return_message', 'assistant_message', 'stop_reason', 'usage_statistics']);
    const runA = await t.letta.runs.retrieve(chunksA[0].run_id!);
    expect(runA).toMatchObject({ conversation_id: a.id, status: 'completed' });
    expect(runA.metadata).toMatchObject({ run_type: 'send_conversation_message' });

    t.fake.script({ text: 'Hello from B.' });
    await collect(await t.letta.conversations.messages.create(b.id, { input: 'Who am I?' }));
    const sentB = t.fake.lastRequest()!;
    expect(systemOf(sentB)).toContain('Ada (likes sailing)');
    expect(systemOf(sentB)).toContain(`CONVERSATION_ID: ${b.id}`);
    expect(conversationOf(sentB)).toEqual(['Who am I?']);

    const historyA = (await t.letta.conversations.messages.list(a.id, { order: 'asc' })).items as unknown as Chunk[];
    const historyB = (await t.letta.conversations.messages.list(b.id, { order: 'asc' })).items as unknown as Chunk[];
    expect(historyA.map((m) => m.message_type)).toEqual(['system_message', 'user_message', 'tool_call_message', 'tool_return_message', 'assistant_message']);
    expect(historyB.map((m) => m.content).slice(1)).toEqual(['Who am I?', 'Hello from B.']);
    const newestFirst = (await t.letta.conversations.messages.list(b.id)).items as unknown as Chunk[];
    expect(newestFirst[0].content).toBe('Hello from B.');
    const agentOwn = (await t.letta.agents.messages.list(agent.id)).items;
    expect(agentOwn.map((m) => m.message_type)).toEqual(['system_message']);
    expect((await t.letta.conversations.retrieve(a.id)).last_message_at).toBeTruthy();
  });

  it('answers JSON with streaming: false, and still records a cancellable run', async () => {
    const agent = await createAgent(t.letta);
    const conv = await t.letta.conversations.create({ agent_id: agent.id });
    t.fake.script({ text: 'plain json' });
    const res = await request(t.url).post(`/v1/conversations/${conv.id}/messages`).send({ input: 'hi', streaming: false }).expect(200);
    expect(res.body.messages.map((m: Chunk) => m.content)).toEqual(['plain json']);
    expect(res.body.stop_reason.stop_reason).toBe('end_turn');
    const runs = await t.letta.runs.list({ conversation_id: conv.id });
    expect(runs.items).toHaveLength(1);
    await request(t.url).post(`/v1/conversations/${conv.id}/messages`).send({ messages: [] }).expect(422);
  });

  it('serves the default conversation through agent_id, on every route', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'direct' });
    const chunks = await collect(await t.letta.conversations.messages.create('default', { agent_id: agent.id, input: 'hi agent' }));
    expect(chunks.find((c) => c.message_type === 'assistant_message')!.content).toBe('direct');
    expect((await t.letta.runs.retrieve(chunks[0].run_id!)).conversation_id).toBeNull();
    const own = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as Chunk[];
    expect(own.map((m) => m.content).slice(1)).toEqual(['hi agent', 'direct']);
    const viaDefault = (await t.letta.conversations.messages.list('default', { agent_id: agent.id, order: 'asc' })).items;
    expect(viaDefault.map((m) => m.id)).toEqual(own.map((m) => m.id));
    expect((await failure(t.letta.conversations.messages.list('default', {}))).status).toBe(422);
  });

  it('forks a conversation, whole or up to a message, into an independent history', async () => {
    const agent = await createAgent(t.letta);
    const source = await t.letta.conversations.create({ agent_id: agent.id });
    for (const n of [1, 2]) {
      t.fake.script({ text: `answer ${n}` });
      await collect(await t.letta.conversations.messages.create(source.id, { input: `question ${n}` }));
    }
    const history = (await t.letta.conversations.messages.list(source.id, { order: 'asc' })).items as unknown as Chunk[];
    const whole = await t.letta.conversations.fork(source.id);
    expect(whole.id).not.toBe(source.id);
    const copied = (await t.letta.conversations.messages.list(whole.id, { order: 'asc' })).items as unknown as Chunk[];
    expect(copied.map((m) => m.content).slice(1)).toEqual(['question 1', 'answer 1', 'question 2', 'answer 2']);
    expect(copied.map((m) => m.id)).not.toContain(history[1].id);

    const partial = await t.letta.conversations.fork(source.id, { message_id: history[2].id! });
    t.fake.script({ text: 'branch' });
    await collect(await t.letta.conversations.messages.create(partial.id, { input: 'other path' }));
    expect(conversationOf(t.fake.lastRequest()!)).toEqual(['question 1', 'answer 1', 'other path']);
    expect(((await t.letta.conversations.messages.list(source.id)).items as unknown as Chunk[]).length).toBe(5);
  });

  it('recompiles a conversation prompt, with a dry run returning the text', async () => {
    const agent = await createAgent(t.letta);
    const conv = await t.letta.conversations.create({ agent_id: agent.id });
    await t.letta.agents.blocks.update('human', { agent_id: agent.id, value: 'Name: Grace' });
    const text = await t.letta.conversations.recompile(conv.id, { dry_run: true });
    expect(text).toContain('Name: Grace');
    expect(text).toContain(`CONVERSATION_ID: ${conv.id}`);
    expect(await t.letta.conversations.recompile(conv.id, {})).toContain('Name: Grace');
    expect(await t.letta.conversations.recompile('default', { agent_id: agent.id, dry_run: true })).toContain('CONVERSATION_ID: default');
  });

  it('resumes the newest active background run, by run_id or by otid, with 400 when there is none', async () => {
    const agent = await createAgent(t.letta);
    const conv = await t.letta.conversations.create({ agent_id: agent.id });
    expect((await failure(t.letta.conversations.messages.stream(conv.id, {}))).status).toBe(400);
    t.fake.script({ toolCalls: [{ name: 'conversation_search', arguments: { query: 'x' } }] }, { text: 'resumed answer', delayMs: 400 });
    const first: Chunk[] = [];
    for await (const chunk of await t.letta.conversations.messages.create(conv.id, {
      messages: [{ role: 'user', content: 'background please', otid: 'otid-123' }],
      background: true,
    })) {
      first.push(chunk as Chunk);
      if (first.length === 2) break;
    }
    const runId = first[0].run_id!;
    const rest = await collect(await t.letta.conversations.messages.stream(conv.id, { starting_after: 1 }));
    expect(rest.filter((c) => c.message_type !== 'ping').map((c) => c.message_type)).toEqual(['tool_return_message', 'assistant_message', 'stop_reason', 'usage_statistics']);
    const byOtid = await collect(await t.letta.conversations.messages.stream(conv.id, { otid: 'otid-123', starting_after: 2 } as never));
    expect(byOtid.filter((c) => c.message_type !== 'ping').map((c) => c.message_type)).toEqual(['assistant_message', 'stop_reason', 'usage_statistics']);
    const byRun = await collect(await t.letta.conversations.messages.stream(conv.id, { run_id: runId, starting_after: 4 } as never));
    expect(byRun.filter((c) => c.message_type !== 'ping').map((c) => c.message_type)).toEqual(['usage_statistics']);

    t.fake.script({ text: 'foreground' });
    const fg = await collect(await t.letta.conversations.messages.create(conv.id, { input: 'fg' }));
    expect((await failure(t.letta.conversations.messages.stream(conv.id, { run_id: fg[0].run_id } as never))).status).toBe(400);
  });

  it('cancels every active run of a conversation, and answers 409 when none is active', async () => {
    const agent = await createAgent(t.letta);
    const conv = await t.letta.conversations.create({ agent_id: agent.id });
    expect((await failure(t.letta.conversations.cancel(conv.id))).status).toBe(409);
    t.fake.script({ text: 'slow', delayMs: 5000 });
    const stream = await t.letta.conversations.messages.create(conv.id, { input: 'slow', background: true });
    const iterator = stream[Symbol.asyncIterator]();
    const ping = (await iterator.next()).value as Chunk;
    await waitFor(() => t.letta.runs.retrieve(ping.run_id!), (r) => r.status === 'running');
    expect(await t.letta.conversations.cancel(conv.id)).toEqual({ [ping.run_id!]: 'cancelled' });
    const rest: Chunk[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value as Chunk);
    expect(rest.map((c) => c.message_type)).toEqual(['stop_reason']);
    expect((await t.letta.runs.retrieve(ping.run_id!)).status).toBe('cancelled');
  });

  it('rejects or queues a second send to one conversation, and runs two conversations in parallel', async () => {
    const agent = await createAgent(t.letta);
    const one = await t.letta.conversations.create({ agent_id: agent.id });
    const two = await t.letta.conversations.create({ agent_id: agent.id });
    t.fake.script({ text: 'slow one', delayMs: 800, when: (r) => JSON.stringify(r.body).includes('first in one') });
    t.fake.script({ text: 'fast two', when: (r) => JSON.stringify(r.body).includes('first in two') });
    const first = request(t.url).post(`/v1/conversations/${one.id}/messages`).send({ input: 'first in one', streaming: false }).then((r) => r);
    const active = await waitFor(() => t.letta.runs.list({ conversation_id: one.id, active: true }), (p) => p.items.length === 1);
    const started = Date.now();
    const other = await request(t.url).post(`/v1/conversations/${two.id}/messages`).send({ input: 'first in two', streaming: false });
    expect(other.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(700);
    const busy = await request(t.url).post(`/v1/conversations/${one.id}/messages`).send({ input: 'second in one' });
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ run_id: active.items[0].id, detail: expect.stringContaining('is currently being processed') });
    t.fake.script({ text: 'queued answer' });
    const queued = request(t.url).post(`/v1/conversations/${one.id}/messages`).send({ input: 'queued in one', streaming: false, if_busy: 'queue' }).then((r) => r);
    expect((await first).body.messages[0].content).toBe('slow one');
    expect((await queued).body.messages[0].content).toBe('queued answer');
    const history = ((await t.letta.conversations.messages.list(one.id, { order: 'asc' })).items as unknown as Chunk[]).slice(1).map((m) => m.content);
    expect(history).toEqual(['first in one', 'slow one', 'queued in one', 'queued answer']);
  });
});
