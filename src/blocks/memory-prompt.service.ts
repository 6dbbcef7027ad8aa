import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { compileSystemPrompt, PromptBlock } from '../agent-loop/system-prompt';
import { AgentEntity } from '../agents/agent.entity';
import { ConversationEntity } from '../conversations/conversation.entity';
import { MessageEntity } from '../messages/message.entity';
import { BlockEntity } from './block.entity';

/** Keeps each agent's stored system message in step with its template and memory blocks. */
@Injectable()
export class MemoryPromptService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The blocks attached to each agent, in attachment-independent stable order (creation time). */
  async blocksByAgent(agentIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, BlockEntity[]>> {
    const result = new Map<string, BlockEntity[]>(agentIds.map((id) => [id, []]));
    if (agentIds.length === 0) return result;
    const rows = await manager
      .getRepository(BlockEntity)
      .createQueryBuilder('b')
      .innerJoin('agent_blocks', 'ab', 'ab.block_id = b.id')
      .addSelect('ab.agent_id', 'ab_agent_id')
      .where('ab.agent_id IN (:...agentIds)', { agentIds })
      .orderBy('b.created_at', 'ASC')
      .addOrderBy('b.id', 'ASC')
      .getRawAndEntities();
    rows.raw.forEach((raw: { ab_agent_id: string; b_id: string }) => {
      const block = rows.entities.find((b) => b.id === raw.b_id);
      if (block) result.get(raw.ab_agent_id)!.push(block);
    });
    return result;
  }

  /** The system prompt of the agent's default context, or of one of its conversations. */
  async compile(agent: AgentEntity, manager: EntityManager = this.dataSource.manager, conversationId: string | null = null): Promise<string> {
    const blocks = (await this.blocksByAgent([agent.id], manager)).get(agent.id)!;
    const outOfContext = await manager
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where('m.agent_id = :id AND NOT m.in_context', { id: agent.id })
      .andWhere(conversationId ? 'm.conversation_id = :cid' : 'm.conversation_id IS NULL', { cid: conversationId })
      .getCount();
    return compileSystemPrompt(agent.system, blocks.map(toPromptBlock), {
      agentId: agent.id,
      conversationId,
      compiledAt: new Date(),
      timezone: agent.timezone,
      previousMessageCount: outOfContext,
    });
  }

  /**
   * Rewrites the default-context system message of every given agent in place (same row, same id) and bumps their
   * memory version, so each conversation recompiles its own before its next step. Returns the new default texts.
   */
  async recompile(agentIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    if (agentIds.length === 0) return texts;
    await manager.query('UPDATE agents SET memory_version = memory_version + 1 WHERE id = ANY($1)', [agentIds]);
    for (const agentId of new Set(agentIds)) texts.set(agentId, await this.recompileScope(agentId, null, manager));
    return texts;
  }

  /** Rewrites a conversation's system message from the agent's current memory; returns the text. */
  async recompileConversation(conversationId: string, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const conversation = await manager.getRepository(ConversationEntity).findOneByOrFail({ id: conversationId });
    return this.recompileScope(conversation.agentId, conversationId, manager);
  }

  /**
   * Rewrites the system message of one context (the default one, or a conversation) without touching the memory
   * version: used when only that context changed (compaction moved messages out of it).
   */
  async recompileScope(agentId: string, conversationId: string | null, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const agent = await manager.getRepository(AgentEntity).findOneByOrFail({ id: agentId });
    const text = await this.compile(agent, manager, conversationId);
    const content = JSON.stringify([{ type: 'text', text }]);
    if (conversationId) {
      await manager.query(`UPDATE messages SET content = $2 WHERE conversation_id = $1 AND role = 'system' AND in_context`, [conversationId, content]);
      await manager.query('UPDATE conversations SET memory_version = $2 WHERE id = $1', [conversationId, agent.memoryVersion]);
    } else {
      await manager.query(`UPDATE messages SET content = $2 WHERE agent_id = $1 AND conversation_id IS NULL AND role = 'system' AND in_context`, [agentId, content]);
    }
    return text;
  }

  async agentIdsHoldingBlock(blockId: string, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: { agent_id: string }[] = await manager.query('SELECT agent_id FROM agent_blocks WHERE block_id = $1', [blockId]);
    return rows.map((r) => r.agent_id);
  }
}

export function toPromptBlock(block: BlockEntity): PromptBlock {
  return { label: block.label, value: block.value, limit: block.limit, description: block.description, readOnly: block.readOnly };
}
