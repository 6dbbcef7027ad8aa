import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { systemRow } from '../agent-loop/turn-messages';
import { AgentEntity } from '../agents/agent.entity';
import { MemoryPromptService } from '../blocks/memory-prompt.service';
import { invalidArgument, notFound, validationError } from '../common/errors';
import { isId, newId } from '../common/ids';
import { keysetPage } from '../common/pagination';
import { escapeLike } from '../common/sql';
import { insertRows } from '../database/insert-rows';
import { ProvidersService } from '../llm/providers.service';
import { IN_CONTEXT_ORDER } from '../messages/in-context';
import { MessageEntity } from '../messages/message.entity';
import { ConversationEntity } from './conversation.entity';
import { CreateConversationDto, ListConversationsQueryDto, UpdateConversationDto } from './dto/conversation.dto';

/** Where a conversation route acts: a conversation, or an agent's own history (`default`, or a legacy agent id). */
export interface ConversationScope {
  agentId: string;
  conversationId: string | null;
}

@Injectable()
export class ConversationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly memoryPrompt: MemoryPromptService,
    private readonly providers: ProvidersService,
  ) {}

  async scope(conversationId: string, agentId?: string | null): Promise<ConversationScope> {
    if (conversationId === 'default') {
      if (!agentId) throw validationError("agent_id is required with the conversation id 'default'");
      await this.agent(agentId);
      return { agentId, conversationId: null };
    }
    if (isId('agent', conversationId)) {
      await this.agent(conversationId);
      return { agentId: conversationId, conversationId: null };
    }
    const conversation = await this.get(conversationId);
    return { agentId: conversation.agentId, conversationId: conversation.id };
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<ConversationEntity> {
    if (!isId('conv', id)) throw validationError(`Invalid conversation id '${id}': it should match the pattern 'conv-<uuid4>' (or be 'default' with agent_id)`);
    const conversation = await manager.getRepository(ConversationEntity).findOneBy({ id });
    if (!conversation) throw notFound('Conversation', id);
    return conversation;
  }

  /** Creates the conversation with its own compiled system message. */
  async create(agentId: string, dto: CreateConversationDto): Promise<ConversationEntity> {
    if (dto.isolated_block_labels?.length) throw invalidArgument('isolated_block_labels are not supported by this server yet');
    if (dto.model) await this.providers.resolve(dto.model);
    return this.dataSource.transaction(async (manager) => {
      const agent = await this.agent(agentId, manager);
      const conversation = manager.getRepository(ConversationEntity).create({
        id: newId('conv'),
        agentId,
        summary: dto.summary ?? null,
        description: dto.description ?? null,
        model: dto.model ?? null,
        modelSettings: dto.model_settings ?? null,
        contextWindowLimit: dto.context_window_limit ?? null,
        hidden: dto.hidden ?? null,
        memoryVersion: agent.memoryVersion,
      });
      await manager.getRepository(ConversationEntity).save(conversation);
      await this.insertSystemMessage(agent, conversation.id, manager);
      return conversation;
    });
  }

  async update(id: string, dto: UpdateConversationDto): Promise<ConversationEntity> {
    const conversation = await this.get(id);
    if (dto.model) await this.providers.resolve(dto.model);
    if (dto.summary !== undefined) conversation.summary = dto.summary;
    if (dto.description !== undefined) conversation.description = dto.description;
    if (dto.model !== undefined) conversation.model = dto.model;
    if (dto.model_settings !== undefined) conversation.modelSettings = dto.model_settings;
    if (dto.context_window_limit !== undefined) conversation.contextWindowLimit = dto.context_window_limit;
    if (dto.last_message_at !== undefined) conversation.lastMessageAt = dto.last_message_at ? new Date(dto.last_message_at) : null;
    if (dto.archived !== undefined) {
      conversation.archived = dto.archived;
      conversation.archivedAt = dto.archived ? new Date() : null;
    }
    return this.dataSource.getRepository(ConversationEntity).save(conversation);
  }

  /** Deletes the conversation with its messages and runs; the agent's memory is untouched. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.dataSource.getRepository(ConversationEntity).delete({ id });
  }

  list(query: ListConversationsQueryDto): Promise<ConversationEntity[]> {
    const qb = this.dataSource.getRepository(ConversationEntity).createQueryBuilder('c');
    if (query.agent_id) qb.andWhere('c.agent_id = :agentId', { agentId: query.agent_id });
    if (query.summary_search) qb.andWhere('c.summary ILIKE :s', { s: `%${escapeLike(query.summary_search)}%` });
    const archive = query.archive_status ?? 'unarchived';
    if (archive !== 'all') qb.andWhere('c.archived = :archived', { archived: archive === 'archived' });
    return keysetPage(qb, { alias: 'c', table: 'conversations', sortColumn: 'created_at', order: query.order ?? 'desc', limit: query.limit ?? 50, after: query.after, before: query.before });
  }

  /** The in-context message ids of each conversation, system message first, in one query. */
  async inContextIds(conversationIds: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(conversationIds.map((id) => [id, []]));
    if (conversationIds.length === 0) return result;
    const rows = await this.dataSource
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .select(['m.id', 'm.conversationId'])
      .where('m.conversation_id IN (:...ids) AND m.in_context', { ids: conversationIds })
      .orderBy(IN_CONTEXT_ORDER('m'))
      .getMany();
    rows.forEach((m) => result.get(m.conversationId!)!.push(m.id));
    return result;
  }

  /**
   * A new conversation of the same agent whose context starts as a copy of the source's (up to `messageId`, inclusive):
   * the rows are copied, so the two histories evolve apart; the system message is compiled anew.
   */
  async fork(source: ConversationScope, messageId?: string | null, hidden?: boolean): Promise<ConversationEntity> {
    return this.dataSource.transaction(async (manager) => {
      const agent = await this.agent(source.agentId, manager);
      const qb = manager.getRepository(MessageEntity).createQueryBuilder('m').where("m.in_context AND m.role <> 'system'");
      if (source.conversationId) qb.andWhere('m.conversation_id = :cid', { cid: source.conversationId });
      else qb.andWhere('m.agent_id = :agentId AND m.conversation_id IS NULL', { agentId: source.agentId });
      let window = await qb.orderBy(IN_CONTEXT_ORDER('m')).getMany();
      if (messageId) {
        const cut = window.findIndex((m) => m.id === messageId);
        if (cut < 0) throw notFound('Message', `${messageId} in the source context`);
        window = window.slice(0, cut + 1);
      }
      const origin = source.conversationId ? await this.get(source.conversationId, manager) : null;
      const conversation = manager.getRepository(ConversationEntity).create({
        id: newId('conv'),
        agentId: source.agentId,
        summary: origin?.summary ?? null,
        description: origin?.description ?? null,
        model: origin?.model ?? null,
        modelSettings: origin?.modelSettings ?? null,
        contextWindowLimit: origin?.contextWindowLimit ?? null,
        hidden: hidden ?? null,
        memoryVersion: agent.memoryVersion,
      });
      await manager.getRepository(ConversationEntity).save(conversation);
      await this.insertSystemMessage(agent, conversation.id, manager);
      const copies = window.map(({ seq: _seq, ...m }) => ({ ...m, id: newId('message'), conversationId: conversation.id }) as MessageEntity);
      await insertRows(manager, MessageEntity, copies);
      return conversation;
    });
  }

  /** Compiles the conversation's (or the default context's) system prompt; unless a dry run, stores it. */
  async recompile(scope: ConversationScope, dryRun: boolean): Promise<string> {
    if (!scope.conversationId) {
      const agent = await this.agent(scope.agentId);
      if (dryRun) return this.memoryPrompt.compile(agent);
      return this.dataSource.transaction(async (manager) => (await this.memoryPrompt.recompile([scope.agentId], manager)).get(scope.agentId)!);
    }
    if (dryRun) return this.memoryPrompt.compile(await this.agent(scope.agentId), undefined, scope.conversationId);
    return this.dataSource.transaction((manager) => this.memoryPrompt.recompileConversation(scope.conversationId!, manager));
  }

  private async insertSystemMessage(agent: AgentEntity, conversationId: string, manager: EntityManager): Promise<void> {
    const text = await this.memoryPrompt.compile(agent, manager, conversationId);
    await insertRows(manager, MessageEntity, [systemRow({ agentId: agent.id, conversationId, runId: null, stepId: null }, text)]);
  }

  private async agent(agentId: string, manager: EntityManager = this.dataSource.manager): Promise<AgentEntity> {
    const agent = await manager.getRepository(AgentEntity).findOneBy({ id: agentId });
    if (!agent) throw notFound('Agent', agentId);
    return agent;
  }
}
