import { DataSource } from 'typeorm';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { failure } from '../support/errors';
import { createAgent } from '../support/factories';
import { conversationOf, systemOf } from '../support/prompts';
import type { RecordedRequest } from '../fake-llm/fake-llm-server';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.fake.reset());

type Msg = { message_type: string; [k: string]: unknown };
const types = (messages: Msg[]) => messages.map((m) => m.message_type);

describe.each([
  ['OpenAI protocol', 'openai/gpt-4o-mini', 'openai'],
  ['Anthropic protocol', 'anthropic/claude-sonnet-5-5', 'anthropic'],
])('the agent loop over the %s', (_name, model, protocol) => {
  it('answers a message with its memory compiled into the system prompt', async () => {
    const agent = await createAgent(t.letta, { model });
    t.fake.script({ text: 'Hello Ada!', usage: { prompt_tokens: 120, completion_tokens: 7 } });
    const response = await t.letta.agents.messages.create(agent.id, { input: 'Hi, who am I?' });

    expect(types(response.messages as unknown as Msg[])).toEqual(['assistant_message']);
    const answer = response.messages[0] as unknown as Msg;
    expect(answer).toMatchObject({ content: 'Hello Ada!', id: expect.stringMatching(/^message-/), step_id: expect.stringMatching(/^step-/) });
    expect(response.stop_reason).toEqual({ message_type: 'stop_reason', stop_reason: 'end_turn' });
    expect(response.usage).toMatchObject({ message_type: 'usage_statistics', prompt_tokens: 120, completion_tokens: 7, total_tokens: 127, step_count: 1 });

    const sent = t.fake.lastRequest()!;
    expect(sent.protocol).toBe(protocol);
    expect(systemOf(sent)).toContain('<human>');
    expect(systemOf(sent)).toContain('Name: Ada');
    expect(conversationOf(sent)).toEqual(['Hi, who am I?']);
    const toolNames = (sent.body.tools ?? []).map((tool: { name?: string; function?: { name: string } }) => tool.name ?? tool.function!.name).sort();
    expect(toolNames).toEqual(['conversation_search', 'memory_insert', 'memory_replace']);

    const history = await t.letta.agents.messages.list(agent.id, { order: 'asc' });
    expect(history.items.map((m) => m.message_type)).toEqual(['system_message', 'user_message', 'assistant_message']);
    expect((history.items[2] as unknown as Msg).id).toBe(answer.id);
  });

  it('answers a message that quotes a special token, counting it as text', async () => {
    const agent = await createAgent(t.letta, { model });
    t.fake.script({ text: 'It ends a document: <|endoftext|>' });
    const response = await t.letta.agents.messages.create(agent.id, { input: 'What is <|endoftext|>?' });
    expect(response.messages[0]).toMatchObject({ content: 'It ends a document: <|endoftext|>' });
    expect(conversationOf(t.fake.lastRequest()!)).toEqual(['What is <|endoftext|>?']);
    const context = await request(t.url).get(`/v1/agents/${agent.id}/context`).expect(200);
    expect(context.body.num_tokens_messages).toBeGreaterThan(0);
    expect(context.body.messages.map((m: Msg) => m.message_type)).toEqual(['user_message', 'assistant_message']);
  });

  it('edits memory with memory_replace, and the next model call sees the new value', async () => {
    const agent = await createAgent(t.letta, { model });
    t.fake.script(
      { toolCalls: [{ name: 'memory_replace', arguments: { label: 'human', old_string: 'Ada', new_string: 'Ada Lovelace' } }] },
      { text: 'Noted, Ada Lovelace.' },
    );
    const response = await t.letta.agents.messages.create(agent.id, { messages: [{ role: 'user', content: 'My full name is Ada Lovelace.' }] });

    expect(types(response.messages as unknown as Msg[])).toEqual(['tool_call_message', 'tool_return_message', 'assistant_message']);
    const [call, result] = response.messages as unknown as Msg[];
    expect(call.tool_call).toMatchObject({ name: 'memory_replace', tool_call_id: expect.any(String) });
    expect(result).toMatchObject({ status: 'success', tool_call_id: (call.tool_call as { tool_call_id: string }).tool_call_id });
    expect(result.tool_return).toContain('Ada Lovelace');
    expect(response.stop_reason.stop_reason).toBe('end_turn');
    expect(response.usage.step_count).toBe(2);

    expect((await t.letta.agents.blocks.retrieve('human', { agent_id: agent.id })).value).toBe('Name: Ada Lovelace');
    const [first, second] = t.fake.requests;
    expect(systemOf(first)).toContain('Name: Ada\n');
    expect(systemOf(second)).toContain('Name: Ada Lovelace');
    expect(conversationOf(second).at(-1)).toContain('"status":"OK"');

    t.fake.script({ text: 'Still here.' });
    await t.letta.agents.messages.create(agent.id, { input: 'ping' });
    expect(systemOf(t.fake.lastRequest()!)).toContain('Name: Ada Lovelace');
  });

  it('stops a tool loop at max_steps with every step persisted', async () => {
    const agent = await createAgent(t.letta, { model });
    const search = { toolCalls: [{ name: 'conversation_search', arguments: { query: 'anything' } }] };
    t.fake.script(search, search, search, search);
    const response = await t.letta.agents.messages.create(agent.id, { input: 'Search forever', max_steps: 3 });
    expect(response.stop_reason.stop_reason).toBe('max_steps');
    expect(response.usage.step_count).toBe(3);
    expect(t.fake.requests).toHaveLength(3);
    expect(types(response.messages as unknown as Msg[])).toEqual(['tool_call_message', 'tool_return_message', 'tool_call_message', 'tool_return_message', 'tool_call_message', 'tool_return_message']);
    const steps = await t.letta.steps.list({ agent_id: agent.id });
    expect(steps.items).toHaveLength(3);
    expect(steps.items.every((s) => s.status === 'success')).toBe(true);
  });

  it.each([
    ['rate_limit', 429, 'llm_api_error', 'llm_rate_limit'],
    ['server', 502, 'llm_api_error', 'llm_error'],
    ['overloaded', 502, 'llm_api_error', 'llm_error'],
    ['auth', 401, 'llm_api_error', 'llm_authentication'],
    ['malformed', 502, 'invalid_llm_response', 'llm_error'],
  ] as const)('ends the turn on a provider %s error with the right stop reason, and the agent works afterwards', async (kind, status, stopReason, errorType) => {
    const agent = await createAgent(t.letta, { model });
    t.fake.script({ toolCalls: [{ name: 'memory_insert', arguments: { label: 'human', new_string: 'Likes tea' } }] }, { error: kind });
    const failed = await failure(t.letta.agents.messages.create(agent.id, { input: 'Remember I like tea' }));
    expect(failed.status).toBe(status);
    expect(failed.error).toMatchObject({ stop_reason: stopReason, error: { type: errorType }, detail: expect.any(String) });

    const history = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as Msg[];
    expect(types(history)).toEqual(['system_message', 'user_message', 'tool_call_message', 'tool_return_message']);
    const steps = (await t.letta.steps.list({ agent_id: agent.id, order: 'asc' })).items;
    expect(steps.map((s) => s.status)).toEqual(['success', 'failed']);
    expect(steps[1].error_type).toBe(errorType);

    t.fake.script({ text: 'Back to normal.' });
    const next = await t.letta.agents.messages.create(agent.id, { input: 'Are you there?' });
    expect((next.messages[0] as unknown as Msg).content).toBe('Back to normal.');
    const sent = conversationOf(t.fake.lastRequest()!).join('\n');
    expect(sent).toContain('Remember I like tea');
    expect(sent).toContain('Are you there?');
  });
});

describe('the agent loop: details', () => {
  it('keeps Anthropic thinking blocks with their signatures and sends them back', async () => {
    const agent = await createAgent(t.letta, { model: 'anthropic/claude-sonnet-5-5' });
    t.fake.script(
      { reasoning: 'The user greets me.', signature: 'sig-123', toolCalls: [{ name: 'conversation_search', arguments: { query: 'hello' } }] },
      { text: 'Hello!' },
    );
    const response = await t.letta.agents.messages.create(agent.id, { input: 'Hello' });
    expect(types(response.messages as unknown as Msg[])).toEqual(['reasoning_message', 'tool_call_message', 'tool_return_message', 'assistant_message']);
    expect(response.messages[0]).toMatchObject({ reasoning: 'The user greets me.', signature: 'sig-123' });
    const second = t.fake.requests[1].body.messages.find((m: { role: string }) => m.role === 'assistant');
    expect(second.content[0]).toEqual({ type: 'thinking', thinking: 'The user greets me.', signature: 'sig-123' });
  });

  it('filters the response by include_return_message_types', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ toolCalls: [{ name: 'conversation_search', arguments: { query: 'x' } }] }, { text: 'done' });
    const response = await t.letta.agents.messages.create(agent.id, { input: 'go', include_return_message_types: ['assistant_message'] });
    expect(types(response.messages as unknown as Msg[])).toEqual(['assistant_message']);
  });

  it('answers an unknown tool and malformed arguments with error results the model can read', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script(
      { toolCalls: [{ name: 'launch_rockets', arguments: {} }, { name: 'memory_replace', arguments: '{not json' }] },
      { text: 'Sorry.' },
    );
    const response = await t.letta.agents.messages.create(agent.id, { input: 'go' });
    const returns = (response.messages as unknown as Msg[]).filter((m) => m.message_type === 'tool_return_message');
    expect(returns.map((r) => r.status)).toEqual(['error', 'error']);
    expect(returns[0].tool_return).toMatch(/Cannot call launch_rockets, valid tools include/);
    expect(returns[1].tool_return).toMatch(/Invalid arguments for memory_replace/);
  });

  it('refuses a memory edit over the block limit without changing the block', async () => {
    const agent = await createAgent(t.letta, { memory_blocks: [{ label: 'human', value: 'short', limit: 10 }] });
    t.fake.script({ toolCalls: [{ name: 'memory_insert', arguments: { label: 'human', new_string: 'a much longer text' } }] }, { text: 'ok' });
    const response = await t.letta.agents.messages.create(agent.id, { input: 'go' });
    const result = (response.messages as unknown as Msg[]).find((m) => m.message_type === 'tool_return_message')!;
    expect(result.status).toBe('error');
    expect(result.tool_return).toMatch(/Exceeds 10 character limit/);
    expect((await t.letta.agents.blocks.retrieve('human', { agent_id: agent.id })).value).toBe('short');
  });

  it('applies a memory edit to a block shared with another agent, whose next prompt shows it', async () => {
    const shared = await t.letta.blocks.create({ label: 'project', value: 'Status: draft' });
    const a = await createAgent(t.letta, { block_ids: [shared.id] });
    const b = await createAgent(t.letta, { block_ids: [shared.id] });
    t.fake.script({ toolCalls: [{ name: 'memory_replace', arguments: { label: 'project', old_string: 'draft', new_string: 'shipped' } }] }, { text: 'ok' });
    await t.letta.agents.messages.create(a.id, { input: 'We shipped' });
    t.fake.script({ text: 'Great' });
    await t.letta.agents.messages.create(b.id, { input: 'Status?' });
    expect(systemOf(t.fake.lastRequest()!)).toContain('Status: shipped');
  });

  it('sends each turn the tools as they are now: attached, detached, or changed since the last turn', async () => {
    const agent = await createAgent(t.letta);
    const sentTools = () =>
      (t.fake.lastRequest()!.body.tools as { function: { name: string; description: string } }[]).map((tool) => tool.function).sort((a, b) => a.name.localeCompare(b.name));
    t.fake.script({ text: 'one' }, { text: 'two' }, { text: 'three' });
    await t.letta.agents.messages.create(agent.id, { input: 'first' });
    expect(sentTools().map((tool) => tool.name)).toEqual(['conversation_search', 'memory_insert', 'memory_replace']);

    const [append] = (await t.letta.tools.list({ name: 'core_memory_append' })).items;
    const insert = (await t.letta.agents.tools.list(agent.id)).items.find((tool) => tool.name === 'memory_insert')!;
    await t.letta.agents.tools.detach(insert.id!, { agent_id: agent.id });
    await t.letta.agents.tools.attach(append.id!, { agent_id: agent.id });
    await t.letta.agents.messages.create(agent.id, { input: 'second' });
    expect(sentTools().map((tool) => tool.name)).toEqual(['conversation_search', 'core_memory_append', 'memory_replace']);

    const db = t.app.get(DataSource);
    const [{ description }] = await db.query(`SELECT description FROM tools WHERE name = 'conversation_search'`);
    await db.query(`UPDATE tools SET description = 'Search everything said so far.' WHERE name = 'conversation_search'`);
    try {
      await t.letta.agents.messages.create(agent.id, { input: 'third' });
      expect(sentTools()[0]).toMatchObject({ name: 'conversation_search', description: 'Search everything said so far.' });
    } finally {
      await db.query(`UPDATE tools SET description = $1 WHERE name = 'conversation_search'`, [description]);
    }
  });

  it('searches the whole history with conversation_search, including messages no longer in context', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'Nice color.' });
    await t.letta.agents.messages.create(agent.id, { input: 'My favourite colour is ultramarine' });
    const reset = await request(t.url).patch(`/v1/agents/${agent.id}/reset-messages`).send({}).expect(200);
    expect(reset.body.message_ids).toHaveLength(1);
    t.fake.script({ toolCalls: [{ name: 'conversation_search', arguments: { query: 'ultramarine' } }] }, { text: 'Ultramarine!' });
    const response = await t.letta.agents.messages.create(agent.id, { input: 'What is my favourite colour?' });
    const result = (response.messages as unknown as Msg[]).find((m) => m.message_type === 'tool_return_message')!;
    const parsed = JSON.parse(result.tool_return as string);
    expect(parsed.message).toBe('Showing 1 results:');
    expect(parsed.results[0]).toMatchObject({ role: 'user', content: 'My favourite colour is ultramarine' });
    expect(conversationOf(t.fake.requests[1])).toEqual(['What is my favourite colour?']);

    // The step's call and result, written together, come back in order: within the turn and in the next one.
    t.fake.script({ text: 'You said so.' });
    await t.letta.agents.messages.create(agent.id, { input: 'Sure?' });
    const shape = (req: RecordedRequest) =>
      (req.body.messages as { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[]).map((m) => [m.role, m.tool_calls?.[0]?.id ?? m.tool_call_id ?? null]);
    const callId = (t.fake.requests[2].body.messages[2].tool_calls as { id: string }[])[0].id;
    expect(shape(t.fake.requests[2])).toEqual([['system', null], ['user', null], ['assistant', callId], ['tool', callId]]);
    expect(shape(t.fake.requests[3])).toEqual([['system', null], ['user', null], ['assistant', callId], ['tool', callId], ['assistant', null], ['user', null]]);
    expect(conversationOf(t.fake.requests[3]).at(-1)).toBe('Sure?');
  });

  it('uses override_model for one request only', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'from claude' });
    await t.letta.agents.messages.create(agent.id, { input: 'hi', override_model: 'anthropic/claude-sonnet-5-5' });
    expect(t.fake.lastRequest()!.protocol).toBe('anthropic');
    t.fake.script({ text: 'from gpt' });
    await t.letta.agents.messages.create(agent.id, { input: 'hi' });
    expect(t.fake.lastRequest()!.protocol).toBe('openai');
  });

  it('refuses an unknown override_model before writing anything; a stored model no longer served fails the turn as a provider would', async () => {
    const agent = await createAgent(t.letta);
    const refused = await failure(t.letta.agents.messages.create(agent.id, { input: 'hi', override_model: 'openai/gpt-0' }));
    expect(refused.status).toBe(400);
    expect(String(refused.error.detail)).toMatch(/Model 'openai\/gpt-0' is not served by provider 'openai'/);
    expect((await t.letta.runs.list({ agent_id: agent.id })).items).toEqual([]);

    // As if the provider stopped serving the agent's model after it was set.
    await t.app.get(DataSource).query(`UPDATE agents SET llm_config = llm_config || '{"handle": "openai/gpt-retired", "model": "gpt-retired"}' WHERE id = $1`, [agent.id]);
    const requestsBefore = t.fake.requests.length;
    const failed = await failure(t.letta.agents.messages.create(agent.id, { input: 'still there?' }));
    expect(failed.status).toBe(400);
    expect(failed.error).toMatchObject({ stop_reason: 'llm_api_error', error: { type: 'llm_bad_request' } });
    expect(String(failed.error.detail)).toMatch(/gpt-retired/);
    expect(t.fake.requests.length).toBe(requestsBefore);
    const [run] = (await t.letta.runs.list({ agent_id: agent.id })).items;
    expect(run).toMatchObject({ status: 'failed', stop_reason: 'llm_api_error' });
    const history = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as { message_type: string; content?: unknown }[];
    expect(history.map((m) => m.message_type)).toEqual(['system_message', 'user_message']);
  });

  it('reports a timeout of the provider as llm_timeout', async () => {
    const slow = await startTestApp({ LLM_TIMEOUT_MS: '300' });
    try {
      const agent = await createAgent(slow.letta);
      slow.fake.script({ error: 'timeout', delayMs: 2000 });
      const failed = await failure(slow.letta.agents.messages.create(agent.id, { input: 'hi' }));
      expect(failed.status).toBe(504);
      expect(failed.error).toMatchObject({ stop_reason: 'llm_api_error', error: { type: 'llm_timeout' } });
    } finally {
      await slow.close();
    }
  });

  it.each(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-5-5'])('times a model stream (%s) out when it goes silent, not when it is merely long', async (model) => {
    const slow = await startTestApp({ LLM_TIMEOUT_MS: '600' });
    try {
      const agent = await createAgent(slow.letta, { model });
      // Frames 100 ms apart: about a second in all, never silent for as long as the timeout.
      slow.fake.script({ text: 'one two three four', chunkDelayMs: 100 });
      const answered = await slow.letta.agents.messages.create(agent.id, { input: 'hi' });
      expect(answered.messages.find((m) => m.message_type === 'assistant_message')).toMatchObject({ content: 'one two three four' });
      slow.fake.script({ text: 'one two', chunkDelayMs: 3000 });
      const failed = await failure(slow.letta.agents.messages.create(agent.id, { input: 'hi again' }));
      expect(failed.error).toMatchObject({ stop_reason: 'llm_api_error', error: { type: 'llm_timeout' } });
      // The cut-off reply was not stored as an answer.
      const history = (await slow.letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as { message_type: string }[];
      expect(history.map((m) => m.message_type).slice(-2)).toEqual(['assistant_message', 'user_message']);
    } finally {
      await slow.close();
    }
  });
});

describe('sending: bad input', () => {
  it('answers empty or ambiguous input with 422 and an unknown agent with 404, writing nothing', async () => {
    const agent = await createAgent(t.letta);
    await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ messages: [] }).expect(422, { detail: 'Messages must not be empty' });
    await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({}).expect(422);
    await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ input: 'a', messages: [{ role: 'user', content: 'b' }] }).expect(422);
    await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ input: '' }).expect(422);
    await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ messages: [{ role: 'robot', content: 'x' }] }).expect(422);
    await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ input: 'x', max_steps: 0 }).expect(422);
    await request(t.url).post(`/v1/agents/${agent.id}/messages`).send({ input: 'x', stream_tokens: true }).expect(422);
    await request(t.url).post('/v1/agents/agent-00000000-0000-4000-8000-000000000000/messages').send({ input: 'x' }).expect(404);
    expect(t.fake.requests).toHaveLength(0);
    expect((await t.letta.agents.messages.list(agent.id)).items.map((m) => m.message_type)).toEqual(['system_message']);
  });
});
