import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentBlockEntity } from '../blocks/agent-block.entity';
import { BlockEntity } from '../blocks/block.entity';
import { BlocksService } from '../blocks/blocks.service';
import { UpdateBlockDto } from '../blocks/dto/block.dto';
import { MemoryPromptService } from '../blocks/memory-prompt.service';
import { conflict, notFound } from '../common/errors';
import { keysetPage, PageQueryDto } from '../common/pagination';
import { AgentsService } from './agents.service';

/** An agent's core memory: its blocks, addressed by label. */
@Injectable()
export class CoreMemoryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly blocks: BlocksService,
    private readonly memoryPrompt: MemoryPromptService,
  ) {}

  async list(agentId: string, page: PageQueryDto): Promise<BlockEntity[]> {
    await this.agents.get(agentId);
    const qb = this.dataSource
      .getRepository(BlockEntity)
      .createQueryBuilder('b')
      .innerJoin('agent_blocks', 'ab', 'ab.block_id = b.id AND ab.agent_id = :agentId', { agentId });
    return keysetPage(qb, {
      alias: 'b',
      table: 'blocks',
      sortColumn: 'created_at',
      order: page.order ?? 'desc',
      limit: page.limit ?? 100,
      after: page.after,
      before: page.before,
    });
  }

  async getByLabel(agentId: string, label: string): Promise<BlockEntity> {
    await this.agents.get(agentId);
    const link = await this.dataSource.getRepository(AgentBlockEntity).findOneBy({ agentId, blockLabel: label });
    if (!link) throw notFound('Block with label', `'${label}' of agent ${agentId}`);
    return this.blocks.get(link.blockId);
  }

  /** Edits the block itself, so every agent that shares it sees the change. */
  async updateByLabel(agentId: string, label: string, dto: UpdateBlockDto): Promise<BlockEntity> {
    const block = await this.getByLabel(agentId, label);
    return this.blocks.update(block.id, dto);
  }

  async attach(agentId: string, blockId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.agents.get(agentId, manager);
      const block = await this.blocks.get(blockId, manager);
      const links = manager.getRepository(AgentBlockEntity);
      const holder = await links.findOneBy({ agentId, blockLabel: block.label });
      if (holder?.blockId === blockId) return;
      if (holder) throw conflict(`Agent ${agentId} already holds a block labelled '${block.label}' (${holder.blockId}); detach it first`);
      await links.insert({ agentId, blockId, blockLabel: block.label });
      await this.memoryPrompt.recompile([agentId], manager);
    });
  }

  async detach(agentId: string, blockId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.agents.get(agentId, manager);
      await this.blocks.get(blockId, manager);
      const result = await manager.getRepository(AgentBlockEntity).delete({ agentId, blockId });
      if (!result.affected) throw notFound('Block', `${blockId} on agent ${agentId}`);
      await this.memoryPrompt.recompile([agentId], manager);
    });
  }
}
