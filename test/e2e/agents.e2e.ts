import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { failure as status } from '../support/errors';
import { createAgent, uniqueTag } from '../support/factories';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());


describe('agents through the Letta SDK', () => {
  it('creates an agent with its memory blocks, default tools, tags and system message', async () => {
    const tag = uniqueTag();
    const agent = await createAgent(t.letta, { name: 'ada-helper', tags: [tag, 'shared'], metadata: { team: 'core' } });
    expect(agent.id).toMatch(/^agent-[0-9a-f-]{36}$/);
    expect(agent.name).toBe('ada-helper');
    expect(agent.agent_type).toBe('letta_v1_agent');
    expect(agent.model).toBe('openai/gpt-4o-mini');
    expect(agent.llm_config).toMatchObject({ model: 'gpt-4o-mini', model_endpoint_type: 'openai', handle: 'openai/gpt-4o-mini' });
    expect(agent.llm_config.context_window).toBeGreaterThan(0);
    expect(agent.blocks.map((b) => b.label).sort()).toEqual(['human', 'persona']);
    expect(agent.memory.blocks).toHaveLength(2);
    expect(agent.blocks.find((b) => b.label === 'human')).toMatchObject({ value: 'Name: Ada', limit: 100000, read_only: false, description: 'Facts about the user' });
    expect(agent.tools.map((tool) => tool.name).sort()).toEqual(['conversation_search', 'memory_insert', 'memory_replace']);
    expect(agent.tags.sort()).toEqual([tag, 'shared'].sort());
    expect(agent.sources).toEqual([]);
    expect(agent.metadata).toEqual({ team: 'core' });
    expect(agent.message_ids).toHaveLength(1);
    expect(agent.message_ids![0]).toMatch(/^message-/);
    expect(new Date(agent.created_at!).getTime()).toBeGreaterThan(0);
  });

  it('honours include on retrieve for SDK callers and returns the full state to other callers', async () => {
    const agent = await createAgent(t.letta);
    const bare = await t.letta.agents.retrieve(agent.id);
    expect(bare.blocks).toEqual([]);
    expect(bare.tools).toEqual([]);
    expect(bare.message_ids).toHaveLength(1);
    const withTools = await t.letta.agents.retrieve(agent.id, { include: ['agent.tools', 'agent.tags'] });
    expect(withTools.tools).toHaveLength(3);
    expect(withTools.blocks).toEqual([]);
    const plain = await request(t.url).get(`/v1/agents/${agent.id}`).expect(200);
    expect(plain.body.blocks).toHaveLength(2);
    expect(plain.body.tools).toHaveLength(3);
  });

  it('accepts the legacy llm_config and embedding_config objects', async () => {
    const agent = await t.letta.agents.create({
      llm_config: { model: 'llama3', model_endpoint_type: 'ollama', context_window: 8192 },
      embedding_config: { embedding_endpoint_type: 'openai', embedding_model: 'text-embedding-3-small', embedding_dim: 1536 },
      include_base_tools: false,
    });
    expect(agent.llm_config).toMatchObject({ model: 'llama3', model_endpoint_type: 'ollama', context_window: 8192, handle: 'ollama/llama3' });
    expect(agent.model).toBe('ollama/llama3');
    expect(agent.embedding).toBe('openai/text-embedding-3-small');
    expect(agent.tools).toEqual([]);
  });

  it('modifies name, tags, model, context window and metadata', async () => {
    const agent = await createAgent(t.letta, { tags: ['a'] });
    expect((await status(t.letta.agents.update(agent.id, { model: 'anthropic/claude-nope' }))).status).toBe(400);
    const updated = await t.letta.agents.update(agent.id, {
      name: 'renamed',
      tags: ['b', 'c'],
      model: 'anthropic/claude-sonnet-5-5',
      context_window_limit: 50000,
      metadata: { v: 2 },
      description: 'desc',
    });
    expect(updated).toMatchObject({ name: 'renamed', description: 'desc', model: 'anthropic/claude-sonnet-5-5', metadata: { v: 2 } });
    expect(updated.tags.sort()).toEqual(['b', 'c']);
    expect(updated.llm_config).toMatchObject({ model_endpoint_type: 'anthropic', context_window: 50000 });
    expect((updated.model_settings as { provider_type: string }).provider_type).toBe('anthropic');
    const again = await t.letta.agents.retrieve(agent.id, { include: ['agent.tags'] });
    expect(again.tags.sort()).toEqual(['b', 'c']);
    expect(new Date(again.updated_at!).getTime()).toBeGreaterThanOrEqual(new Date(agent.updated_at!).getTime());
  });

  it('lists with name, tag and text filters, and counts', async () => {
    const tag = uniqueTag();
    const other = uniqueTag();
    const a = await createAgent(t.letta, { name: `${tag}-alpha`, tags: [tag, other] });
    const b = await createAgent(t.letta, { name: `${tag}-beta`, tags: [tag] });
    await createAgent(t.letta, { name: `${tag}-gamma`, tags: [other] });

    const byTag = await t.letta.agents.list({ tags: [tag] });
    expect(byTag.items.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    const anyTag = await t.letta.agents.list({ tags: [tag, other] });
    expect(anyTag.items).toHaveLength(3);
    const allTags = await t.letta.agents.list({ tags: [tag, other], match_all_tags: true });
    expect(allTags.items.map((x) => x.id)).toEqual([a.id]);
    const byName = await t.letta.agents.list({ name: `${tag}-beta` });
    expect(byName.items.map((x) => x.id)).toEqual([b.id]);
    const byText = await t.letta.agents.list({ query_text: `${tag}-ALP` });
    expect(byText.items.map((x) => x.id)).toEqual([a.id]);
    const count = await request(t.url).get('/v1/agents/count').query({ tags: tag }).expect(200);
    expect(count.body).toBe(2);
  });

  it('pages through every agent to the last page and back, newest first by default', async () => {
    const tag = uniqueTag();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createAgent(t.letta, { name: `${tag}-${i}`, tags: [tag] })).id);
    const newestFirst = [...created].reverse();

    const seen: string[] = [];
    for await (const agent of t.letta.agents.list({ tags: [tag], limit: 2 })) seen.push(agent.id);
    expect(seen).toEqual(newestFirst);

    const last = await t.letta.agents.list({ tags: [tag], limit: 2, after: newestFirst[3] });
    expect(last.items.map((a) => a.id)).toEqual([newestFirst[4]]);
    const beyond = await t.letta.agents.list({ tags: [tag], limit: 2, after: newestFirst[4] });
    expect(beyond.items).toEqual([]);
    const back = await t.letta.agents.list({ tags: [tag], limit: 2, before: newestFirst[4] });
    expect(back.items.map((a) => a.id)).toEqual([newestFirst[2], newestFirst[3]]);
    const backToStart = await t.letta.agents.list({ tags: [tag], limit: 10, before: newestFirst[2] });
    expect(backToStart.items.map((a) => a.id)).toEqual([newestFirst[0], newestFirst[1]]);
    const asc = await t.letta.agents.list({ tags: [tag], order: 'asc', limit: 3 });
    expect(asc.items.map((a) => a.id)).toEqual(created.slice(0, 3));
  });

  it('deletes an agent with the blocks only it holds, keeping shared blocks', async () => {
    const agent = await createAgent(t.letta);
    const other = await createAgent(t.letta, { memory_blocks: [] });
    const human = agent.blocks.find((b) => b.label === 'human')!;
    const persona = agent.blocks.find((b) => b.label === 'persona')!;
    await t.letta.agents.blocks.attach(persona.id!, { agent_id: other.id });

    await t.letta.agents.delete(agent.id);
    expect((await status(t.letta.agents.retrieve(agent.id))).status).toBe(404);
    expect((await status(t.letta.blocks.retrieve(human.id!))).status).toBe(404);
    expect((await t.letta.blocks.retrieve(persona.id!)).value).toBe(persona.value);
    const holders = await t.letta.blocks.agents.list(persona.id!);
    expect(holders.items.map((a) => a.id)).toEqual([other.id]);
    expect((await status(t.letta.agents.delete(agent.id))).status).toBe(404);
    expect((await status(t.letta.agents.retrieve(agent.id))).status).toBe(404);
  });

  it('attaches tools by id and name and lists them', async () => {
    const [send] = (await t.letta.tools.list({ name: 'send_message' })).items;
    const agent = await createAgent(t.letta, { include_base_tools: false, tools: ['core_memory_append'], tool_ids: [send.id] });
    expect(agent.tools.map((x) => x.name).sort()).toEqual(['core_memory_append', 'send_message']);
    const tools = await t.letta.agents.tools.list(agent.id);
    expect(tools.items.map((x) => x.name).sort()).toEqual(['core_memory_append', 'send_message']);
    await t.letta.agents.tools.detach(send.id, { agent_id: agent.id });
    expect((await t.letta.agents.tools.list(agent.id)).items.map((x) => x.name)).toEqual(['core_memory_append']);
  });
});

describe('agents: bad input', () => {
  it('answers unknown and malformed ids with 404 and 422', async () => {
    const missing = await request(t.url).get('/v1/agents/agent-00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body.detail).toMatch(/not found/);
    const malformed = await request(t.url).patch('/v1/agents/not-an-id').send({ name: 'x' }).expect(422);
    expect(typeof malformed.body.detail).toBe('string');
  });

  it('rejects wrong types, missing fields and malformed JSON with 422 and writes nothing', async () => {
    const tag = uniqueTag();
    await request(t.url).post('/v1/agents/').send({ model: 'openai/gpt-4o-mini', name: 42, tags: [tag] }).expect(422);
    await request(t.url).post('/v1/agents').send({ model: 'openai/gpt-4o-mini', tags: [tag], memory_blocks: [{ value: 'no label' }] }).expect(422);
    await request(t.url).post('/v1/agents').send({ model: 'openai/gpt-4o-mini', tags: [tag], agent_type: 'nonsense' }).expect(422);
    const bad = await request(t.url).post('/v1/agents').set('content-type', 'application/json').send('{"model": ').expect(422);
    expect(bad.body.detail).toMatch(/JSON/);
    expect((await t.letta.agents.list({ tags: [tag] })).items).toEqual([]);
  });

  it('rejects bad handles, unknown tools and oversize blocks with 4xx and writes nothing', async () => {
    const tag = uniqueTag();
    const handle = await status(t.letta.agents.create({ model: 'gpt-4o-mini', tags: [tag] }));
    expect(handle.status).toBe(400);
    expect(handle.error).toEqual({ detail: expect.stringMatching(/provider\/model-name/) });
    expect((await status(t.letta.agents.create({ model: 'openai/gpt-4o-mini', tools: ['no_such_tool'], tags: [tag] }))).status).toBe(400);
    const unknownModel = await status(t.letta.agents.create({ model: 'openai/no-such-model', tags: [tag] }));
    expect(unknownModel.status).toBe(400);
    expect(unknownModel.error).toEqual({ detail: expect.stringMatching(/not served by provider 'openai'. Available: openai\/gpt-4o-mini/) });
    const unknownProvider = await status(t.letta.agents.create({ model: 'groq/llama-3', tags: [tag] }));
    expect(unknownProvider.status).toBe(400);
    expect(unknownProvider.error).toEqual({ detail: "Provider 'groq' is not configured. Configured providers: openai, anthropic, ollama" });
    const oversize = await status(
      t.letta.agents.create({ model: 'openai/gpt-4o-mini', tags: [tag], memory_blocks: [{ label: 'human', value: 'x'.repeat(11), limit: 10 }] }),
    );
    expect(oversize.status).toBe(400);
    expect((oversize.error as { detail: string }).detail).toMatch(/Exceeds 10 character limit/);
    expect((await status(t.letta.agents.create({ tags: [tag] }))).status).toBe(400);
    expect((await t.letta.agents.list({ tags: [tag] })).items).toEqual([]);
  });
});
