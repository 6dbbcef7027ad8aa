import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { failure } from '../support/errors';
import { createAgent } from '../support/factories';
import { systemOf } from '../support/prompts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.fake.reset());

async function chat(agentId: string, turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) {
    t.fake.script({ text: `answer ${i}` });
    await t.letta.agents.messages.create(agentId, { input: `question ${i}` });
  }
}

describe('message history', () => {
  it('pages through a long history in both orders, by message id, to the end and back', async () => {
    const agent = await createAgent(t.letta);
    await chat(agent.id, 12);
    const all = (await t.letta.agents.messages.list(agent.id, { order: 'asc', limit: 1000 })).items;
    expect(all).toHaveLength(25);
    expect(all.map((m) => m.message_type).slice(0, 3)).toEqual(['system_message', 'user_message', 'assistant_message']);
    const ids = all.map((m) => m.id);
    // the last turn's prompt is the window as stored, though the server answered most turns from the window it kept
    const prompt = t.fake.lastRequest()!.body.messages.slice(1).map((m: { content: string }) => m.content);
    expect(prompt).toEqual(all.slice(1, -1).map((m) => (m as unknown as { content: string }).content));

    const ascending: string[] = [];
    for await (const m of t.letta.agents.messages.list(agent.id, { order: 'asc', limit: 4 })) ascending.push(m.id);
    expect(ascending).toEqual(ids);

    const descending: string[] = [];
    for await (const m of t.letta.agents.messages.list(agent.id, { limit: 5 })) descending.push(m.id);
    expect(descending).toEqual([...ids].reverse());

    const newest = await t.letta.agents.messages.list(agent.id, { limit: 2 });
    expect((newest.items[0] as unknown as { content: string }).content).toBe('answer 11');
    const back = await t.letta.agents.messages.list(agent.id, { order: 'asc', limit: 3, before: ids[10] });
    expect(back.items.map((m) => m.id)).toEqual(ids.slice(7, 10));
    const olderThan = await t.letta.agents.messages.list(agent.id, { limit: 3, after: ids[10] });
    expect(olderThan.items.map((m) => m.id)).toEqual([ids[9], ids[8], ids[7]]);
    const onlyUsers = await t.letta.agents.messages.list(agent.id, { order: 'asc', include_return_message_types: ['user_message'], limit: 1000 });
    expect(onlyUsers.items).toHaveLength(12);
  });

  it('retrieves one message by id, and edits user, assistant and system messages', async () => {
    const agent = await createAgent(t.letta);
    await chat(agent.id, 2); // the second turn's window holds the first turn's rows, as the server keeps them
    const [system, user, assistant] = (await t.letta.agents.messages.list(agent.id, { order: 'asc' })).items;
    expect(await t.letta.messages.retrieve(user.id)).toEqual([expect.objectContaining({ id: user.id, message_type: 'user_message', content: 'question 0' })]);

    const edited = await request(t.url).patch(`/v1/agents/${agent.id}/messages/${assistant.id}`).send({ message_type: 'assistant_message', content: 'corrected' }).expect(200);
    expect(edited.body).toMatchObject({ id: assistant.id, message_type: 'assistant_message', content: 'corrected' });
    await request(t.url).patch(`/v1/agents/${agent.id}/messages/${user.id}`).send({ content: 'question zero' }).expect(200);
    await request(t.url).patch(`/v1/agents/${agent.id}/messages/${system.id}`).send({ message_type: 'system_message', content: 'You are terse.' }).expect(200);
    await request(t.url).patch(`/v1/agents/${agent.id}/messages/${user.id}`).send({ message_type: 'assistant_message', content: 'x' }).expect(400);
    await request(t.url).patch(`/v1/agents/${agent.id}/messages/message-00000000-0000-4000-8000-000000000000`).send({ content: 'x' }).expect(404);

    t.fake.script({ text: 'ok' });
    await t.letta.agents.messages.create(agent.id, { input: 'again' });
    const sent = t.fake.lastRequest()!.body.messages;
    expect(sent[0]).toEqual({ role: 'system', content: 'You are terse.' });
    expect(sent.slice(1).map((m: { content: string }) => m.content)).toEqual(['question zero', 'corrected', 'question 1', 'answer 1', 'again']);
    expect((await failure(t.letta.messages.retrieve('message-00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('resets the context window while keeping every message listed', async () => {
    const agent = await createAgent(t.letta);
    await chat(agent.id, 2);
    const reset = await t.letta.agents.messages.reset(agent.id, { add_default_initial_messages: false });
    expect(reset!.message_ids).toHaveLength(1);
    expect((await t.letta.agents.messages.list(agent.id)).items).toHaveLength(5);
    t.fake.script({ text: 'fresh' });
    await t.letta.agents.messages.create(agent.id, { input: 'new start' });
    const sent = t.fake.lastRequest()!.body.messages;
    expect(sent.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
    expect(systemOf(t.fake.lastRequest()!)).toContain('- 4 previous messages between you and the user are stored in recall memory');
  });
});

describe('context window, steps and models', () => {
  it('reports the context window with token counts per section', async () => {
    const agent = await createAgent(t.letta);
    await chat(agent.id, 2);
    const { body } = await request(t.url).get(`/v1/agents/${agent.id}/context`).expect(200);
    expect(body.context_window_size_max).toBe(128000);
    expect(body.num_messages).toBe(5);
    expect(body.num_recall_memory).toBe(5);
    expect(body.core_memory).toContain('<human>');
    for (const key of ['num_tokens_system', 'num_tokens_core_memory', 'num_tokens_functions_definitions', 'num_tokens_messages', 'num_tokens_external_memory_summary']) {
      expect(body[key]).toBeGreaterThan(0);
    }
    expect(body.context_window_size_current).toBe(
      body.num_tokens_system + body.num_tokens_core_memory + body.num_tokens_external_memory_summary + body.num_tokens_summary_memory + body.num_tokens_functions_definitions + body.num_tokens_messages,
    );
    expect(body.functions_definitions).toHaveLength(3);
    await request(t.url).get('/v1/agents/agent-00000000-0000-4000-8000-000000000000/context').expect(404);
  });

  it('records one step per model call, with usage, retrievable by id and listed by agent', async () => {
    const agent = await createAgent(t.letta);
    t.fake.script({ text: 'hi', usage: { prompt_tokens: 50, completion_tokens: 5 } });
    const response = await t.letta.agents.messages.create(agent.id, { input: 'hello' });
    const stepId = (response.messages[0] as unknown as { step_id: string }).step_id;
    const step = await t.letta.steps.retrieve(stepId);
    expect(step).toMatchObject({ id: stepId, agent_id: agent.id, model: 'gpt-4o-mini', model_handle: 'openai/gpt-4o-mini', provider_name: 'openai', prompt_tokens: 50, completion_tokens: 5, total_tokens: 55, status: 'success', stop_reason: 'end_turn' });
    const listed = await t.letta.steps.list({ agent_id: agent.id });
    expect(listed.items.map((s) => s.id)).toEqual([stepId]);
    const stepMessages = (await request(t.url).get(`/v1/steps/${stepId}/messages`).expect(200)).body;
    expect(stepMessages.map((m: { message_type: string }) => m.message_type)).toEqual(['assistant_message']);
    expect((await failure(t.letta.steps.retrieve('step-00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('lists the models the configured providers serve, with their handles', async () => {
    const models = await t.letta.models.list();
    const handles = models.map((m) => m.handle);
    expect(handles).toEqual(expect.arrayContaining(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-5-5', 'ollama/llama3']));
    expect(models.find((m) => m.handle === 'openai/gpt-4o-mini')).toMatchObject({ provider_type: 'openai', context_window: 128000, max_context_window: 128000, model_type: 'llm' });
    expect(models.find((m) => m.handle === 'anthropic/claude-sonnet-5-5')).toMatchObject({ provider_type: 'anthropic', model_endpoint_type: 'anthropic' });
    expect((await t.letta.models.list({ provider_name: 'anthropic' })).every((m) => m.provider_name === 'anthropic')).toBe(true);
    const embeddings = await t.letta.models.embeddings.list();
    expect(embeddings.map((m) => m.handle)).toContain('openai/fake-embedding');
  });
});
