import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { DEFAULT_SYSTEM_PROMPT, isValidTimezone } from '../agent-loop/system-prompt';
import { inputRow, systemRow } from '../agent-loop/turn-messages';
import { insertRows } from '../database/insert-rows';
import { toParts } from '../messages/send-input';
import { AgentBlockEntity } from '../blocks/agent-block.entity';
import { BlockEntity } from '../blocks/block.entity';
import { BlocksService } from '../blocks/blocks.service';
import { MemoryPromptService } from '../blocks/memory-prompt.service';
import { invalidArgument, notFound } from '../common/errors';
import { newId } from '../common/ids';
import { keysetPage, PageQueryDto } from '../common/pagination';
import { escapeLike } from '../common/sql';
import { ProvidersService } from '../llm/providers.service';
import { IN_CONTEXT_ORDER } from '../messages/in-context';
import { MessageEntity } from '../messages/message.entity';
import { AgentToolEntity } from '../tools/agent-tool.entity';
import { defaultToolNames } from '../tools/base-tools';
import { byName, ToolEntity } from '../tools/tool.entity';
import { ToolsService } from '../tools/tools.service';
import { AgentTagEntity } from './agent-tag.entity';
import { AgentEntity, LlmConfig } from './agent.entity';
import { AgentRelations } from './agent-state.mapper';
import { AgentFieldsDto } from './dto/agent-fields.dto';
import { ListAgentsQueryDto } from './dto/agent-queries.dto';
import { CreateAgentDto, InitialMessageDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';
import { resolveEmbeddingConfig, resolveLlmConfig } from './model-config';
import { randomAgentName } from './random-name';

/** Which relationships to load with an agent; message ids are always loaded. */
export interface RelationSet {
  blocks: boolean;
  tools: boolean;
  tags: boolean;
}

export const ALL_RELATIONS: RelationSet = { blocks: true, tools: true, tags: true };

@Injectable()
export class AgentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly blocks: BlocksService,
    private readonly memoryPrompt: MemoryPromptService,
    private readonly tools: ToolsService,
    private readonly providers: ProvidersService,
  ) {}

  async create(dto: CreateAgentDto): Promise<AgentEntity> {
    assertUnsupportedEmpty(dto);
    const llmConfig = resolveLlmConfig({ ...dto, model: dto.model && (await this.providers.concreteHandle(dto.model)) });
    if (!llmConfig) throw invalidArgument('Must specify either model or llm_config in request');
    await this.fitToModel(llmConfig, dto);
    const timezone = dto.timezone ?? 'UTC';
    if (!isValidTimezone(timezone)) throw invalidArgument(`Unknown time zone '${timezone}'`);
    const agentType = dto.agent_type ?? 'letta_v1_agent';
    const toolNames = [...(dto.include_base_tools === false ? [] : defaultToolNames(agentType)), ...(dto.tools ?? [])];

    return this.dataSource.transaction(async (manager) => {
      const tools = await this.tools.resolve(toolNames, dto.tool_ids ?? [], manager);
      const attached = await this.findBlocks(dto.block_ids ?? [], manager);
      const agent = await manager.getRepository(AgentEntity).save(
        manager.getRepository(AgentEntity).create({
          id: newId('agent'),
          name: dto.name ?? randomAgentName(),
          agentType,
          system: dto.system ?? DEFAULT_SYSTEM_PROMPT,
          llmConfig,
          embeddingConfig: resolveEmbeddingConfig(dto.embedding, dto.embedding_config),
          timezone,
          toolRules: dto.tool_rules ?? [],
          ...scalarFields(dto),
        }),
      );
      const created: BlockEntity[] = [];
      for (const block of dto.memory_blocks ?? []) created.push(await this.blocks.create(block, manager, agent.id));
      await this.linkBlocks(agent.id, [...created, ...attached], manager);
      await this.replaceTags(agent.id, dto.tags ?? [], manager);
      await this.linkTools(agent.id, tools, manager);
      await this.insertInitialMessages(agent, dto.initial_message_sequence ?? [], manager);
      return agent;
    });
  }

  /**
   * Checks that a configured provider serves the model, and sizes the context window: the requested limit (or the
   * legacy llm_config's window), never more than the model's own.
   */
  private async fitToModel(config: LlmConfig, dto: AgentFieldsDto): Promise<void> {
    const { info } = await this.providers.resolve(config.handle!);
    const requested = dto.context_window_limit ?? (dto.model ? null : dto.llm_config?.context_window) ?? null;
    if (info) config.context_window = Math.min(requested ?? info.contextWindow, info.contextWindow);
    else if (requested) config.context_window = requested;
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<AgentEntity> {
    const agent = await manager.getRepository(AgentEntity).findOneBy({ id });
    if (!agent) throw notFound('Agent', id);
    return agent;
  }

  async update(id: string, dto: UpdateAgentDto): Promise<AgentEntity> {
    assertUnsupportedEmpty(dto);
    if (dto.timezone && !isValidTimezone(dto.timezone)) throw invalidArgument(`Unknown time zone '${dto.timezone}'`);
    return this.dataSource.transaction(async (manager) => {
      const agent = await manager.getRepository(AgentEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!agent) throw notFound('Agent', id);
      agent.llmConfig = resolveLlmConfig({ ...dto, model: dto.model && (await this.providers.concreteHandle(dto.model)) }, agent.llmConfig)!;
      if (dto.model || dto.llm_config || dto.context_window_limit) await this.fitToModel(agent.llmConfig, dto);
      if (dto.embedding !== undefined || dto.embedding_config !== undefined) {
        agent.embeddingConfig = resolveEmbeddingConfig(dto.embedding, dto.embedding_config);
      }
      Object.assign(agent, scalarFields(dto));
      if (dto.name !== undefined) agent.name = dto.name;
      if (dto.system !== undefined) agent.system = dto.system;
      if (dto.timezone) agent.timezone = dto.timezone;
      if (dto.tool_rules !== undefined) agent.toolRules = dto.tool_rules ?? [];
      if (dto.last_run_completion !== undefined) agent.lastRunCompletion = dto.last_run_completion ? new Date(dto.last_run_completion) : null;
      if (dto.last_run_duration_ms !== undefined) agent.lastRunDurationMs = dto.last_run_duration_ms;
      if (dto.last_stop_reason !== undefined) agent.lastStopReason = dto.last_stop_reason;
      agent.updatedAt = new Date();
      await manager.getRepository(AgentEntity).save(agent);

      if (dto.tags !== undefined) await this.replaceTags(id, dto.tags ?? [], manager);
      if (dto.tool_ids !== undefined) {
        await manager.getRepository(AgentToolEntity).delete({ agentId: id });
        await this.linkTools(id, await this.tools.resolve([], dto.tool_ids ?? [], manager), manager);
      }
      if (dto.block_ids !== undefined) {
        await manager.getRepository(AgentBlockEntity).delete({ agentId: id });
        await this.linkBlocks(id, await this.findBlocks(dto.block_ids ?? [], manager), manager);
      }
      if (dto.message_ids) await this.setContextWindow(id, dto.message_ids, manager);
      if (dto.system !== undefined || dto.block_ids !== undefined || dto.timezone) await this.memoryPrompt.recompile([id], manager);
      return agent;
    });
  }

  /** Deletes the agent with its messages, links and tags, and the blocks it created that no other agent shares. */
  async delete(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.get(id, manager);
      const owned: { id: string }[] = await manager.query(
        `SELECT b.id FROM blocks b WHERE b.owner_agent_id = $1
           AND NOT EXISTS (SELECT 1 FROM agent_blocks ab WHERE ab.block_id = b.id AND ab.agent_id <> $1)`,
        [id],
      );
      await manager.getRepository(AgentEntity).delete({ id });
      if (owned.length) await manager.getRepository(BlockEntity).delete({ id: In(owned.map((b) => b.id)) });
    });
  }

  async list(query: ListAgentsQueryDto): Promise<AgentEntity[]> {
    const qb = this.filtered(query);
    const order = query.order ?? (query.ascending === undefined ? 'desc' : query.ascending ? 'asc' : 'desc');
    return keysetPage(qb, {
      alias: 'a',
      table: 'agents',
      sortColumn: query.order_by === 'updated_at' ? 'updated_at' : 'created_at',
      order,
      limit: query.limit ?? 50,
      after: query.after,
      before: query.before,
    });
  }

  async listHoldingBlock(blockId: string, page: PageQueryDto): Promise<AgentEntity[]> {
    await this.blocks.get(blockId);
    const qb = this.dataSource
      .getRepository(AgentEntity)
      .createQueryBuilder('a')
      .innerJoin('agent_blocks', 'ab', 'ab.agent_id = a.id AND ab.block_id = :blockId', { blockId });
    return keysetPage(qb, {
      alias: 'a',
      table: 'agents',
      sortColumn: 'created_at',
      order: page.order ?? 'desc',
      limit: page.limit ?? 50,
      after: page.after,
      before: page.before,
    });
  }

  /** Compiles the system prompt; unless `dryRun`, stores it as the agent's system message. */
  async recompile(id: string, dryRun: boolean): Promise<string> {
    const agent = await this.get(id);
    if (dryRun) return this.memoryPrompt.compile(agent);
    return this.dataSource.transaction(async (manager) => (await this.memoryPrompt.recompile([id], manager)).get(id)!);
  }

  async count(query: ListAgentsQueryDto): Promise<number> {
    return this.filtered(query).getCount();
  }

  private filtered(query: ListAgentsQueryDto) {
    const qb = this.dataSource.getRepository(AgentEntity).createQueryBuilder('a');
    if (query.name) qb.andWhere('a.name = :name', { name: query.name });
    if (query.query_text) qb.andWhere('a.name ILIKE :q', { q: `%${escapeLike(query.query_text)}%` });
    if (query.project_id) qb.andWhere('a.project_id = :projectId', { projectId: query.project_id });
    if (query.template_id) qb.andWhere('a.template_id = :templateId', { templateId: query.template_id });
    if (query.base_template_id) qb.andWhere('a.base_template_id = :baseTemplateId', { baseTemplateId: query.base_template_id });
    if (query.last_stop_reason) qb.andWhere('a.last_stop_reason = :lsr', { lsr: query.last_stop_reason });
    if (query.tags?.length) {
      const tags = [...new Set(query.tags)];
      if (query.match_all_tags) {
        qb.andWhere(
          `(SELECT count(*) FROM agent_tags t WHERE t.agent_id = a.id AND t.tag IN (:...tags)) = :tagCount`,
          { tags, tagCount: tags.length },
        );
      } else {
        qb.andWhere('EXISTS (SELECT 1 FROM agent_tags t WHERE t.agent_id = a.id AND t.tag IN (:...tags))', { tags });
      }
    }
    return qb;
  }

  /** Loads what an AgentState shows besides the agent row, for many agents in a fixed number of queries. */
  async relations(agentIds: string[], want: RelationSet, manager: EntityManager = this.dataSource.manager): Promise<Map<string, AgentRelations>> {
    const result = new Map<string, AgentRelations>(agentIds.map((id) => [id, { blocks: [], tools: [], tags: [], messageIds: [] }]));
    if (agentIds.length === 0) return result;
    const [blocks, tools, tags, messages] = await Promise.all([
      want.blocks ? this.memoryPrompt.blocksByAgent(agentIds, manager) : null,
      want.tools ? this.toolsByAgent(agentIds, manager) : null,
      want.tags ? manager.getRepository(AgentTagEntity).find({ where: { agentId: In(agentIds) }, order: { tag: 'ASC' } }) : null,
      manager
        .getRepository(MessageEntity)
        .createQueryBuilder('m')
        .select(['m.id', 'm.agentId'])
        .where('m.agent_id IN (:...agentIds) AND m.in_context AND m.conversation_id IS NULL', { agentIds })
        .orderBy(IN_CONTEXT_ORDER('m'))
        .getMany(),
    ]);
    for (const [id, rel] of result) {
      rel.blocks = blocks?.get(id) ?? [];
      rel.tools = tools?.get(id) ?? [];
    }
    tags?.forEach((t) => result.get(t.agentId)!.tags.push(t.tag));
    messages.forEach((m) => result.get(m.agentId)!.messageIds.push(m.id));
    return result;
  }

  async toolsByAgent(agentIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, ToolEntity[]>> {
    const links = await manager.getRepository(AgentToolEntity).find({ where: { agentId: In(agentIds) }, relations: { tool: true } });
    const result = new Map<string, ToolEntity[]>(agentIds.map((id) => [id, []]));
    links.forEach((l) => result.get(l.agentId)!.push(l.tool!));
    result.forEach((tools) => tools.sort(byName));
    return result;
  }

  async attachTool(agentId: string, toolId: string): Promise<void> {
    await this.get(agentId);
    const [tool] = await this.tools.resolve([], [toolId]);
    await this.dataSource.getRepository(AgentToolEntity).upsert({ agentId, toolId: tool.id }, ['agentId', 'toolId']);
  }

  async detachTool(agentId: string, toolId: string): Promise<void> {
    await this.get(agentId);
    await this.tools.get(toolId);
    await this.dataSource.getRepository(AgentToolEntity).delete({ agentId, toolId });
  }

  async linkBlocks(agentId: string, blocks: BlockEntity[], manager: EntityManager): Promise<void> {
    const labels = new Set<string>();
    for (const block of blocks) {
      if (labels.has(block.label)) throw invalidArgument(`Duplicate block label '${block.label}': an agent holds one block per label`);
      labels.add(block.label);
    }
    if (blocks.length) {
      await manager.getRepository(AgentBlockEntity).insert(blocks.map((b) => ({ agentId, blockId: b.id, blockLabel: b.label })));
    }
  }

  private async findBlocks(ids: string[], manager: EntityManager): Promise<BlockEntity[]> {
    if (ids.length === 0) return [];
    const found = await manager.getRepository(BlockEntity).findBy({ id: In(ids) });
    const missing = ids.filter((id) => !found.some((b) => b.id === id));
    if (missing.length) throw notFound('Block', missing.join(', '));
    return found;
  }

  private async linkTools(agentId: string, tools: ToolEntity[], manager: EntityManager): Promise<void> {
    if (tools.length) await manager.getRepository(AgentToolEntity).insert(tools.map((t) => ({ agentId, toolId: t.id })));
  }

  private async replaceTags(agentId: string, tags: string[], manager: EntityManager): Promise<void> {
    await manager.getRepository(AgentTagEntity).delete({ agentId });
    const unique = [...new Set(tags)];
    if (unique.length) await manager.getRepository(AgentTagEntity).insert(unique.map((tag) => ({ agentId, tag })));
  }

  /** The compiled system message, then the initial sequence, all in context. */
  private async insertInitialMessages(agent: AgentEntity, initial: InitialMessageDto[], manager: EntityManager): Promise<void> {
    const scope = { agentId: agent.id, conversationId: null, runId: null, stepId: null };
    const system = systemRow(scope, await this.memoryPrompt.compile(agent, manager));
    const rest = initial.map((m) => inputRow(scope, { role: m.role, content: toParts(m.content), name: m.name, otid: m.otid }));
    await insertRows(manager, MessageEntity, [system, ...rest]);
  }

  /** Puts exactly the given messages (of this agent's default conversation) in its context window. */
  private async setContextWindow(agentId: string, messageIds: string[], manager: EntityManager): Promise<void> {
    const owned = await manager.getRepository(MessageEntity).countBy({ agentId, id: In(messageIds), conversationId: IsNull() });
    if (owned !== new Set(messageIds).size) throw invalidArgument('message_ids must name messages of this agent');
    await manager.query(`UPDATE messages SET in_context = (id = ANY($2)) WHERE agent_id = $1 AND conversation_id IS NULL AND (in_context OR id = ANY($2))`, [
      agentId,
      messageIds,
    ]);
  }
}

/** Columns that CreateAgent and UpdateAgent set the same way. */
function scalarFields(dto: AgentFieldsDto): Partial<AgentEntity> {
  const fields: Partial<AgentEntity> = {};
  if (dto.description !== undefined) fields.description = dto.description;
  if (dto.metadata !== undefined) fields.metadata = dto.metadata;
  if (dto.model_settings !== undefined) fields.modelSettings = dto.model_settings;
  if (dto.compaction_settings !== undefined) fields.compactionSettings = dto.compaction_settings;
  if (dto.response_format !== undefined) fields.responseFormat = dto.response_format;
  if (dto.message_buffer_autoclear !== undefined) fields.messageBufferAutoclear = dto.message_buffer_autoclear;
  if (dto.enable_sleeptime !== undefined) fields.enableSleeptime = dto.enable_sleeptime;
  if (dto.max_files_open !== undefined) fields.maxFilesOpen = dto.max_files_open;
  if (dto.per_file_view_window_char_limit !== undefined) fields.perFileViewWindowCharLimit = dto.per_file_view_window_char_limit;
  if (dto.hidden !== undefined) fields.hidden = dto.hidden;
  if (dto.project_id !== undefined) fields.projectId = dto.project_id;
  if (dto.template_id !== undefined) fields.templateId = dto.template_id;
  if (dto.base_template_id !== undefined) fields.baseTemplateId = dto.base_template_id;
  return fields;
}

function assertUnsupportedEmpty(dto: AgentFieldsDto): void {
  if (dto.folder_ids?.length || dto.source_ids?.length) throw invalidArgument('Folders are not supported by this server yet');
  if (dto.identity_ids?.length) throw invalidArgument('Identities are not supported by this server yet');
}
