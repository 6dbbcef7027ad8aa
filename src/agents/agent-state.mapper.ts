import { toBlockResponse } from '../blocks/block.mapper';
import type { BlockEntity } from '../blocks/block.entity';
import { toToolResponse } from '../tools/tool.mapper';
import type { ToolEntity } from '../tools/tool.entity';
import type { AgentEntity } from './agent.entity';
import { ALL_RELATIONS, type AgentsService, type RelationSet } from './agents.service';
import type { AgentStateDto } from './dto/agent-state.dto';
import { defaultModelSettings } from './model-config';

export interface AgentRelations {
  blocks: BlockEntity[];
  tools: ToolEntity[];
  tags: string[];
  messageIds: string[];
}

export function toAgentState(agent: AgentEntity, relations: AgentRelations): AgentStateDto {
  const blocks = relations.blocks.map(toBlockResponse);
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    system: agent.system,
    agent_type: agent.agentType,
    model: agent.llmConfig.handle ?? null,
    embedding: agent.embeddingConfig?.handle ?? null,
    llm_config: {
      ...agent.llmConfig,
      handle: agent.llmConfig.handle ?? null,
      model_endpoint: agent.llmConfig.model_endpoint ?? null,
      provider_name: agent.llmConfig.provider_name ?? null,
    },
    embedding_config: agent.embeddingConfig ? { ...agent.embeddingConfig, handle: agent.embeddingConfig.handle ?? null } : null,
    model_settings: agent.modelSettings ?? defaultModelSettings(agent.llmConfig),
    compaction_settings: agent.compactionSettings,
    response_format: agent.responseFormat,
    blocks,
    memory: { blocks, file_blocks: [], agent_type: agent.agentType, git_enabled: false, prompt_template: '' },
    tools: relations.tools.map(toToolResponse),
    tool_rules: agent.toolRules ?? [],
    sources: [],
    tags: relations.tags,
    message_ids: relations.messageIds,
    metadata: agent.metadata,
    identities: [],
    identity_ids: [],
    secrets: [],
    tool_exec_environment_variables: [],
    pending_approval: null,
    message_buffer_autoclear: agent.messageBufferAutoclear,
    enable_sleeptime: agent.enableSleeptime,
    hidden: agent.hidden,
    timezone: agent.timezone,
    max_files_open: agent.maxFilesOpen,
    per_file_view_window_char_limit: agent.perFileViewWindowCharLimit,
    last_run_completion: agent.lastRunCompletion?.toISOString() ?? null,
    last_run_duration_ms: agent.lastRunDurationMs,
    last_stop_reason: agent.lastStopReason,
    project_id: agent.projectId,
    template_id: agent.templateId,
    base_template_id: agent.baseTemplateId,
    deployment_id: null,
    entity_id: null,
    created_by_id: null,
    last_updated_by_id: null,
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
  };
}

/** AgentStates of a page of agents, with the relationships `want` asks for, in one batch of queries. */
export async function renderAgentStates(service: Pick<AgentsService, 'relations'>, agents: AgentEntity[], want: RelationSet): Promise<AgentStateDto[]> {
  const relations = await service.relations(agents.map((a) => a.id), want);
  return agents.map((a) => toAgentState(a, relations.get(a.id)!));
}

/** The full AgentState of one agent, as create, modify, attach and reset answer. */
export async function renderAgentState(service: Pick<AgentsService, 'get' | 'relations'>, agent: AgentEntity | string): Promise<AgentStateDto> {
  const [state] = await renderAgentStates(service, [typeof agent === 'string' ? await service.get(agent) : agent], ALL_RELATIONS);
  return state;
}
