import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { sendJson } from '../common/json-reply';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgentIdPipe, ToolIdPipe } from '../common/id.pipe';
import { PageQueryDto } from '../common/pagination';
import { ToolResponseDto } from '../tools/dto/tool.dto';
import { toToolResponse } from '../tools/tool.mapper';
import { renderAgentState, renderAgentStates } from './agent-state.mapper';
import { AgentsService, ALL_RELATIONS, RelationSet } from './agents.service';
import { IncludeQueryDto, ListAgentsQueryDto, RecompileQueryDto } from './dto/agent-queries.dto';
import { AgentStateDto } from './dto/agent-state.dto';
import { CreateAgentDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';

/** The Stainless SDKs (the official Letta clients) send their version in this header. */
export const SDK_HEADER = 'x-stainless-package-version';

/**
 * Letta answers SDK callers (who send the Stainless version header) with relationships only when `include`
 * asks for them, and older callers with everything.
 */
export function relationSet(sdkVersion: string | undefined, query: IncludeQueryDto): RelationSet {
  const include = query.include ?? [];
  const legacy = query.include_relationships ?? [];
  if (include.length || legacy.length) {
    return {
      blocks: include.includes('agent.blocks') || legacy.includes('memory') || legacy.includes('blocks'),
      tools: include.includes('agent.tools') || legacy.includes('tools'),
      tags: include.includes('agent.tags') || legacy.includes('tags'),
    };
  }
  return sdkVersion ? { blocks: false, tools: false, tags: false } : ALL_RELATIONS;
}

@ApiTags('agents')
@Controller('v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create an agent' })
  @ApiOkResponse({ type: AgentStateDto })
  async create(@Body() dto: CreateAgentDto): Promise<AgentStateDto> {
    return renderAgentState(this.agents, await this.agents.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List agents (newest first by default)' })
  @ApiOkResponse({ type: [AgentStateDto] })
  async list(@Query() query: ListAgentsQueryDto, @Headers(SDK_HEADER) sdk?: string): Promise<AgentStateDto[]> {
    return renderAgentStates(this.agents, await this.agents.list(query), relationSet(sdk, query));
  }

  @Get('count')
  @ApiOperation({ summary: 'Count agents matching the list filters' })
  @ApiOkResponse({ type: Number })
  async count(@Query() query: ListAgentsQueryDto, @Res() res: FastifyReply): Promise<void> {
    sendJson(res, await this.agents.count(query));
  }

  @Post(':agent_id/recompile')
  @HttpCode(200)
  @ApiOperation({ summary: "Recompile the agent's system prompt from its template and memory; returns the text" })
  @ApiOkResponse({ type: String })
  async recompile(@Param('agent_id', AgentIdPipe) id: string, @Query() query: RecompileQueryDto, @Res() res: FastifyReply): Promise<void> {
    sendJson(res, await this.agents.recompile(id, query.dry_run ?? false));
  }

  @Get(':agent_id')
  @ApiOperation({ summary: 'Retrieve an agent' })
  @ApiOkResponse({ type: AgentStateDto })
  async retrieve(@Param('agent_id', AgentIdPipe) id: string, @Query() query: IncludeQueryDto, @Headers(SDK_HEADER) sdk?: string) {
    return (await renderAgentStates(this.agents, [await this.agents.get(id)], relationSet(sdk, query)))[0];
  }

  @Patch(':agent_id')
  @ApiOperation({ summary: 'Modify an agent' })
  @ApiOkResponse({ type: AgentStateDto })
  async update(@Param('agent_id', AgentIdPipe) id: string, @Body() dto: UpdateAgentDto): Promise<AgentStateDto> {
    return renderAgentState(this.agents, await this.agents.update(id, dto));
  }

  @Delete(':agent_id')
  @ApiOperation({ summary: 'Delete an agent with its messages and the blocks only it holds' })
  async delete(@Param('agent_id', AgentIdPipe) id: string): Promise<null> {
    await this.agents.delete(id);
    return null;
  }

  @Get(':agent_id/tools')
  @ApiOperation({ summary: 'List the tools attached to an agent' })
  @ApiOkResponse({ type: [ToolResponseDto] })
  async listTools(@Param('agent_id', AgentIdPipe) id: string, @Query() page: PageQueryDto): Promise<ToolResponseDto[]> {
    await this.agents.get(id);
    const tools = (await this.agents.toolsByAgent([id])).get(id)!;
    return pageInMemory(tools, page).map(toToolResponse);
  }

  @Patch(':agent_id/tools/attach/:tool_id')
  @ApiOperation({ summary: 'Attach a tool to an agent' })
  @ApiOkResponse({ type: AgentStateDto })
  async attachTool(@Param('agent_id', AgentIdPipe) id: string, @Param('tool_id', ToolIdPipe) toolId: string): Promise<AgentStateDto> {
    await this.agents.attachTool(id, toolId);
    return renderAgentState(this.agents, id);
  }

  @Patch(':agent_id/tools/detach/:tool_id')
  @ApiOperation({ summary: 'Detach a tool from an agent' })
  @ApiOkResponse({ type: AgentStateDto })
  async detachTool(@Param('agent_id', AgentIdPipe) id: string, @Param('tool_id', ToolIdPipe) toolId: string): Promise<AgentStateDto> {
    await this.agents.detachTool(id, toolId);
    return renderAgentState(this.agents, id);
  }
}

/** An agent holds few tools, so its tool list pages in memory, by id, in the requested order. */
function pageInMemory<T extends { id: string }>(items: T[], page: PageQueryDto): T[] {
  const ordered = page.order === 'asc' ? items : [...items].reverse();
  let start = 0;
  let end = ordered.length;
  if (page.after) start = ordered.findIndex((t) => t.id === page.after) + 1 || ordered.length;
  if (page.before) end = Math.max(0, ordered.findIndex((t) => t.id === page.before));
  const slice = ordered.slice(start, end);
  const limit = page.limit ?? 10;
  return page.before && !page.after ? slice.slice(-limit) : slice.slice(0, limit);
}
