import { Body, Controller, Get, Headers, Param, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toBlockResponse } from '../blocks/block.mapper';
import { BlockResponseDto, UpdateBlockDto } from '../blocks/dto/block.dto';
import { AgentIdPipe, BlockIdPipe } from '../common/id.pipe';
import { PageQueryDto } from '../common/pagination';
import { renderAgentState, renderAgentStates } from './agent-state.mapper';
import { AgentsService } from './agents.service';
import { relationSet, SDK_HEADER } from './agents.controller';
import { CoreMemoryService } from './core-memory.service';
import { ListBlockAgentsQueryDto } from './dto/agent-queries.dto';
import { AgentStateDto } from './dto/agent-state.dto';

@ApiTags('agents')
@Controller('v1/agents/:agent_id/core-memory/blocks')
export class CoreMemoryController {
  constructor(
    private readonly coreMemory: CoreMemoryService,
    private readonly agents: AgentsService,
  ) {}

  @Get()
  @ApiOperation({ summary: "List an agent's memory blocks" })
  @ApiOkResponse({ type: [BlockResponseDto] })
  async list(@Param('agent_id', AgentIdPipe) agentId: string, @Query() page: PageQueryDto): Promise<BlockResponseDto[]> {
    return (await this.coreMemory.list(agentId, page)).map(toBlockResponse);
  }

  @Get(':block_label')
  @ApiOperation({ summary: "Retrieve one of an agent's memory blocks by label" })
  @ApiOkResponse({ type: BlockResponseDto })
  async retrieve(@Param('agent_id', AgentIdPipe) agentId: string, @Param('block_label') label: string): Promise<BlockResponseDto> {
    return toBlockResponse(await this.coreMemory.getByLabel(agentId, label));
  }

  @Patch('attach/:block_id')
  @ApiOperation({ summary: 'Attach an existing block to an agent' })
  @ApiOkResponse({ type: AgentStateDto })
  async attach(@Param('agent_id', AgentIdPipe) agentId: string, @Param('block_id', BlockIdPipe) blockId: string): Promise<AgentStateDto> {
    await this.coreMemory.attach(agentId, blockId);
    return renderAgentState(this.agents, agentId);
  }

  @Patch('detach/:block_id')
  @ApiOperation({ summary: 'Detach a block from an agent (the block itself is kept)' })
  @ApiOkResponse({ type: AgentStateDto })
  async detach(@Param('agent_id', AgentIdPipe) agentId: string, @Param('block_id', BlockIdPipe) blockId: string): Promise<AgentStateDto> {
    await this.coreMemory.detach(agentId, blockId);
    return renderAgentState(this.agents, agentId);
  }

  @Patch(':block_label')
  @ApiOperation({ summary: "Modify one of an agent's memory blocks by label; agents sharing it see the change" })
  @ApiOkResponse({ type: BlockResponseDto })
  async update(
    @Param('agent_id', AgentIdPipe) agentId: string,
    @Param('block_label') label: string,
    @Body() dto: UpdateBlockDto,
  ): Promise<BlockResponseDto> {
    return toBlockResponse(await this.coreMemory.updateByLabel(agentId, label, dto));
  }
}

@ApiTags('blocks')
@Controller('v1/blocks/:block_id/agents')
export class BlockAgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiOperation({ summary: 'List the agents that hold a block' })
  @ApiOkResponse({ type: [AgentStateDto] })
  async list(
    @Param('block_id', BlockIdPipe) blockId: string,
    @Query() query: ListBlockAgentsQueryDto,
    @Headers(SDK_HEADER) sdk?: string,
  ): Promise<AgentStateDto[]> {
    return renderAgentStates(this.agents, await this.agents.listHoldingBlock(blockId, query), relationSet(sdk, query));
  }
}
