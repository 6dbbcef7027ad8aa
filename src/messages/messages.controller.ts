import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toAgentState } from '../agents/agent-state.mapper';
import { ALL_RELATIONS, AgentsService } from '../agents/agents.service';
import { AgentStateDto } from '../agents/dto/agent-state.dto';
import { DomainError, ErrorCode } from '../common/errors';
import { AgentIdPipe, MessageIdPipe } from '../common/id.pipe';
import { ContextWindowOverview, ContextWindowService } from './context-window.service';
import { ListMessagesQueryDto, ResetMessagesDto, UpdateMessageDto } from './dto/list-messages.dto';
import { SendMessageDto } from './dto/send-message.dto';
import { LettaMessage } from './letta-message';
import { LettaResponse, MessagesService } from './messages.service';

@ApiTags('messages')
@Controller()
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly agents: AgentsService,
    private readonly contextWindow: ContextWindowService,
  ) {}

  @Post('v1/agents/:agent_id/messages')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send messages to an agent and wait for its answer (LettaResponse)' })
  @ApiOkResponse({ description: 'LettaResponse: the messages the agent produced, the stop reason and usage.' })
  async send(@Param('agent_id', AgentIdPipe) agentId: string, @Body() dto: SendMessageDto): Promise<LettaResponse> {
    if (dto.streaming) throw new DomainError(ErrorCode.NotImplemented, 'Streaming responses are not available on this server yet; send with streaming=false');
    return this.messages.send(agentId, dto);
  }

  @Get('v1/agents/:agent_id/messages')
  @ApiOperation({ summary: "List an agent's messages (newest first by default), paged by message id" })
  @ApiOkResponse({ description: 'LettaMessage[]' })
  list(@Param('agent_id', AgentIdPipe) agentId: string, @Query() query: ListMessagesQueryDto): Promise<LettaMessage[]> {
    return this.messages.list(agentId, query);
  }

  @Patch('v1/agents/:agent_id/messages/:message_id')
  @ApiOperation({ summary: 'Edit the text of a stored message' })
  @ApiOkResponse({ description: 'The edited LettaMessage' })
  update(@Param('agent_id', AgentIdPipe) agentId: string, @Param('message_id', MessageIdPipe) messageId: string, @Body() dto: UpdateMessageDto) {
    return this.messages.update(agentId, messageId, dto);
  }

  @Patch('v1/agents/:agent_id/reset-messages')
  @ApiOperation({ summary: "Empty the agent's context window; every message stays stored and searchable" })
  @ApiOkResponse({ type: AgentStateDto })
  async reset(@Param('agent_id', AgentIdPipe) agentId: string, @Body() _dto: ResetMessagesDto): Promise<AgentStateDto> {
    await this.messages.reset(agentId);
    const agent = await this.agents.get(agentId);
    return toAgentState(agent, (await this.agents.relations([agentId], ALL_RELATIONS)).get(agentId)!);
  }

  @Get('v1/agents/:agent_id/context')
  @ApiOperation({ summary: 'Context window overview: token counts of the system prompt, memory, tools and messages' })
  overview(@Param('agent_id', AgentIdPipe) agentId: string): Promise<ContextWindowOverview> {
    return this.contextWindow.overview(agentId);
  }

  @Get('v1/messages/:message_id')
  @ApiOperation({ summary: 'Retrieve a message, as the LettaMessages it expands to' })
  @ApiOkResponse({ description: 'LettaMessage[]' })
  retrieve(@Param('message_id', MessageIdPipe) messageId: string): Promise<LettaMessage[]> {
    return this.messages.retrieve(messageId);
  }
}
