import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { failure } from '../support/errors';
import { createAgent, uniqueTag } from '../support/factories';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('blocks through the Letta SDK', () => {
  it('creates, retrieves, modifies and deletes a block, keeping every field', async () => {
    const block = await t.letta.blocks.create({
      label: 'project',
      value: 'Mnemo',
      limit: 500,
      description: 'Current project',
      read_only: true,
      metadata: { owner: 'team' },
      tags: ['work'],
    });
    expect(block.id).toMatch(/^block-[0-9a-f-]{36}$/);
    expect(block).toMatchObject({ label: 'project', value: 'Mnemo', limit: 500, description: 'Current project', read_only: true, metadata: { owner: 'team' }, tags: ['work'] });
    expect(await t.letta.blocks.retrieve(block.id)).toMatchObject({ value: 'Mnemo', read_only: true });
    const updated = await t.letta.blocks.update(block.id, { value: 'Mnemo v2', read_only: false, metadata: { owner: 'me' } });
    expect(updated).toMatchObject({ value: 'Mnemo v2', read_only: false, metadata: { owner: 'me' }, limit: 500, description: 'Current project' });
    await t.letta.blocks.delete(block.id);
    expect((await failure(t.letta.blocks.retrieve(block.id))).status).toBe(404);
  });

  it('refuses a value longer than the limit, on create and on update, and keeps the old value', async () => {
    const tooLong = await failure(t.letta.blocks.create({ label: 'x', value: 'abcdef', limit: 5 }));
    expect(tooLong.status).toBe(400);
    expect(tooLong.error.detail).toBe('Edit failed: Exceeds 5 character limit (requested 6)');
    const block = await t.letta.blocks.create({ label: 'x', value: 'abc', limit: 5 });
    expect((await failure(t.letta.blocks.update(block.id, { value: '123456' }))).status).toBe(400);
    expect((await failure(t.letta.blocks.update(block.id, { limit: 2 }))).status).toBe(400);
    expect(await t.letta.blocks.retrieve(block.id)).toMatchObject({ value: 'abc', limit: 5 });
  });

  it('lists with filters and pages oldest first by default', async () => {
    const tag = uniqueTag();
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await t.letta.blocks.create({ label: `${tag}-${i % 2}`, value: `value ${i} ${tag}`, tags: [tag, `n${i}`] }));
    const byTag = await t.letta.blocks.list({ tags: [tag] });
    expect(byTag.items.map((b) => b.id)).toEqual(made.map((b) => b.id));
    const byLabel = await t.letta.blocks.list({ label: `${tag}-1` });
    expect(byLabel.items.map((b) => b.id)).toEqual([made[1].id, made[3].id]);
    const allTags = await t.letta.blocks.list({ tags: [tag, 'n2'], match_all_tags: true });
    expect(allTags.items.map((b) => b.id)).toEqual([made[2].id]);
    const search = await t.letta.blocks.list({ value_search: `VALUE 3 ${tag}` });
    expect(search.items.map((b) => b.id)).toEqual([made[3].id]);
    const paged: string[] = [];
    for await (const b of t.letta.blocks.list({ tags: [tag], limit: 3 })) paged.push(b.id);
    expect(paged).toEqual(made.map((b) => b.id));
    const back = await t.letta.blocks.list({ tags: [tag], limit: 2, before: made[3].id });
    expect(back.items.map((b) => b.id)).toEqual([made[1].id, made[2].id]);
    const desc = await t.letta.blocks.list({ tags: [tag], order: 'desc', limit: 1 });
    expect(desc.items.map((b) => b.id)).toEqual([made[3].id]);
  });

  it('filters by the number of agents holding a block', async () => {
    const tag = uniqueTag();
    const lonely = await t.letta.blocks.create({ label: 'l', value: 'v', tags: [tag] });
    const shared = await t.letta.blocks.create({ label: `s-${tag}`, value: 'v', tags: [tag] });
    const a1 = await createAgent(t.letta, { block_ids: [shared.id] });
    await createAgent(t.letta, { block_ids: [shared.id] });
    expect((await t.letta.blocks.list({ tags: [tag], connected_to_agents_count_eq: [0] })).items.map((b) => b.id)).toEqual([lonely.id]);
    expect((await t.letta.blocks.list({ tags: [tag], connected_to_agents_count_gt: 1 })).items.map((b) => b.id)).toEqual([shared.id]);
    expect((await t.letta.blocks.list({ tags: [tag], connected_to_agents_count_lt: 1 })).items.map((b) => b.id)).toEqual([lonely.id]);
    const holders = await t.letta.blocks.agents.list(shared.id);
    expect(holders.items).toHaveLength(2);
    expect(holders.items.map((a) => a.id)).toContain(a1.id);
  });
});

describe('core memory by label', () => {
  it('retrieves, modifies and lists an agent’s blocks by label', async () => {
    const agent = await createAgent(t.letta);
    const human = await t.letta.agents.blocks.retrieve('human', { agent_id: agent.id });
    expect(human).toMatchObject({ label: 'human', value: 'Name: Ada' });
    const updated = await t.letta.agents.blocks.update('human', { agent_id: agent.id, value: 'Name: Ada Lovelace' });
    expect(updated.value).toBe('Name: Ada Lovelace');
    expect((await t.letta.blocks.retrieve(human.id)).value).toBe('Name: Ada Lovelace');
    const listed = await t.letta.agents.blocks.list(agent.id);
    expect(listed.items.map((b) => b.label).sort()).toEqual(['human', 'persona']);
    expect((await failure(t.letta.agents.blocks.retrieve('nope', { agent_id: agent.id }))).status).toBe(404);
  });

  it('shares one block between two agents: an edit through one is seen by the other and in both prompts', async () => {
    const shared = await t.letta.blocks.create({ label: 'team', value: 'Team: blue' });
    const a = await createAgent(t.letta, { block_ids: [shared.id] });
    const b = await createAgent(t.letta, { memory_blocks: [] });
    const attached = await t.letta.agents.blocks.attach(shared.id, { agent_id: b.id });
    expect(attached.blocks.map((x) => x.id)).toContain(shared.id);

    await t.letta.agents.blocks.update('team', { agent_id: a.id, value: 'Team: green' });
    expect((await t.letta.agents.blocks.retrieve('team', { agent_id: b.id })).value).toBe('Team: green');
    for (const agent of [a, b]) {
      const prompt = await t.letta.agents.recompile(agent.id, { dry_run: true });
      expect(prompt).toContain('<team>');
      expect(prompt).toContain('Team: green');
      expect(prompt).not.toContain('Team: blue');
    }
  });

  it('detaches a block without deleting it and refuses a second block with the same label', async () => {
    const agent = await createAgent(t.letta);
    const extra = await t.letta.blocks.create({ label: 'human', value: 'Another human' });
    const clash = await failure(t.letta.agents.blocks.attach(extra.id, { agent_id: agent.id }));
    expect(clash.status).toBe(409);
    expect(clash.error.detail).toMatch(/already holds a block labelled 'human'/);
    const human = agent.blocks.find((x) => x.label === 'human')!;
    const detached = await t.letta.agents.blocks.detach(human.id!, { agent_id: agent.id });
    expect(detached.blocks.map((x) => x.label)).toEqual(['persona']);
    expect((await t.letta.blocks.retrieve(human.id!)).value).toBe('Name: Ada');
    const now = await t.letta.agents.blocks.attach(extra.id, { agent_id: agent.id });
    expect(now.blocks.find((x) => x.label === 'human')?.value).toBe('Another human');
    expect((await failure(t.letta.agents.blocks.detach(human.id!, { agent_id: agent.id }))).status).toBe(404);
  });

  it('relabels a shared block for every agent that holds it', async () => {
    const agent = await createAgent(t.letta);
    const persona = agent.blocks.find((x) => x.label === 'persona')!;
    await t.letta.blocks.update(persona.id!, { label: 'character' });
    expect((await t.letta.agents.blocks.retrieve('character', { agent_id: agent.id })).id).toBe(persona.id);
    expect((await failure(t.letta.agents.blocks.retrieve('persona', { agent_id: agent.id }))).status).toBe(404);
    const clash = await failure(t.letta.blocks.update(persona.id!, { label: 'human' }));
    expect(clash.status).toBe(409);
  });
});

describe('blocks: bad input', () => {
  it('answers 422 for missing or mistyped fields and 404/422 for bad ids', async () => {
    await request(t.url).post('/v1/blocks/').send({ value: 'no label' }).expect(422);
    await request(t.url).post('/v1/blocks').send({ label: 'x', value: 5 }).expect(422);
    await request(t.url).post('/v1/blocks').send({ label: 'x', value: 'v', limit: 'big' }).expect(422);
    await request(t.url).patch('/v1/blocks/block-00000000-0000-4000-8000-000000000000').send({ value: 'v' }).expect(404);
    await request(t.url).get('/v1/blocks/agent-00000000-0000-4000-8000-000000000000').expect(422);
    const agent = await createAgent(t.letta);
    await request(t.url).patch(`/v1/agents/${agent.id}/core-memory/blocks/attach/block-00000000-0000-4000-8000-000000000000`).expect(404);
  });
});

describe('tags', () => {
  it('lists tags in use, alphabetically, with cursors and search', async () => {
    const tag = uniqueTag('zz');
    await createAgent(t.letta, { tags: [`${tag}-b`, `${tag}-a`] });
    await createAgent(t.letta, { tags: [`${tag}-c`, `${tag}-a`] });
    expect(await t.letta.tags.list({ name: tag })).toEqual([`${tag}-a`, `${tag}-b`, `${tag}-c`]);
    expect(await t.letta.tags.list({ name: tag, after: `${tag}-a`, limit: 1 })).toEqual([`${tag}-b`]);
    expect(await t.letta.tags.list({ name: tag, order: 'desc', limit: 2 })).toEqual([`${tag}-c`, `${tag}-b`]);
  });
});
