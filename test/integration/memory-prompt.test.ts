import { DataSource } from 'typeorm';
import { AgentsService } from '../../src/agents/agents.service';
import { BlocksService } from '../../src/blocks/blocks.service';
import { MessageEntity } from '../../src/messages/message.entity';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
let dataSource: DataSource;
beforeAll(async () => {
  t = await startTestApp();
  dataSource = t.app.get(DataSource);
});
afterAll(() => t.close());

const systemMessage = (agentId: string) =>
  dataSource.getRepository(MessageEntity).findOneByOrFail({ agentId, role: 'system', inContext: true });

describe('stored system messages', () => {
  it('are compiled at creation and rewritten in place for every agent when a shared block changes', async () => {
    const agents = t.app.get(AgentsService);
    const blocks = t.app.get(BlocksService);
    const shared = await blocks.create({ label: 'team', value: 'Team: blue', description: 'Who we are' });
    const a = await agents.create({ model: 'openai/gpt-4o-mini', block_ids: [shared.id], system: 'You are A.\n{CORE_MEMORY}\nBe brief.' });
    const b = await agents.create({ model: 'openai/gpt-4o-mini', block_ids: [shared.id] });

    const before = await systemMessage(a.id);
    expect(before.content[0].text).toMatch(/^You are A\.\n<memory_blocks>/);
    expect(before.content[0].text).toContain('<value>\nTeam: blue\n</value>');
    expect(before.content[0].text).toContain(`- AGENT_ID: ${a.id}`);

    await blocks.update(shared.id, { value: 'Team: green' });
    for (const agent of [a, b]) {
      const after = await systemMessage(agent.id);
      expect(after.content[0].text).toContain('Team: green');
      expect(after.content[0].text).not.toContain('Team: blue');
    }
    expect((await systemMessage(a.id)).id).toBe(before.id);
  });

  it('roll back the block edit when the new value breaks the limit', async () => {
    const blocks = t.app.get(BlocksService);
    const block = await blocks.create({ label: 'x', value: 'ok', limit: 3 });
    await expect(blocks.update(block.id, { value: 'too long' })).rejects.toThrow(/Exceeds 3 character limit/);
    expect((await blocks.get(block.id)).value).toBe('ok');
  });
});
