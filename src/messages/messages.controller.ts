import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { sendJson } from '../common/json-reply';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { renderAgentState } from '../agents/agent-state.mapper';
import { AgentsService } from '../agents/agents.service';
import { AgentStateDto } from '../agents/dto/agent-state.dto';
import { AgentIdPipe, MessageIdPipe } from '../common/id.pipe';
import { ContextWindowOverview, ContextWindowService } from './context-window.service';
import { ListMessagesQueryDto, ResetMessagesDto, UpdateMessageDto } from './dto/list-messages.dto';
import { toRunResponse } from '../runs/run.mapper';
import { SendService } from '../runs/send.service';
import { CancelRunsDto, CompactDto, SendAsyncMessageDto, SendMessageDto } from './dto/send-message.dto';
import { CompactionRunner } from '../compaction/compaction-runner.service';
import { LettaMessage } from './letta-message';
import { MessagesService } from './messages.service';

@ApiTags('messages')
@Controller()
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly agents: AgentsService,
    private readonly contextWindow: ContextWindowService,
    private readonly sender: SendService,
    private readonly compaction: CompactionRunner,
  ) {}

  @Post('v1/agents/:agent_id/messages')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send messages to an agent',
    description:
      'With `streaming: false` (default) waits for the run and answers a LettaResponse; with `streaming: true` answers ' +
      'Server-Sent Events (`stream_tokens` for token deltas, `background` to make the stream resumable).',
  })
  @ApiOkResponse({ description: 'LettaResponse, or an SSE stream of LettaMessages, stop_reason, usage_statistics and [DONE].' })
  async send(@Param('agent_id', AgentIdPipe) agentId: string, @Body() dto: SendMessageDto, @Res() res: FastifyReply): Promise<void> {
    if (dto.streaming) return this.stream(agentId, dto, res);
    const run = await this.sender.admit(agentId, dto, 'sync');
    sendJson(res, await this.sender.response(run, dto.include_return_message_types));
  }

  @Post('v1/agents/:agent_id/messages/stream')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send messages and stream the answer as Server-Sent Events (deprecated alias of streaming: true)' })
  async stream(@Param('agent_id', AgentIdPipe) agentId: string, @Body() dto: SendMessageDto, @Res() res: FastifyReply): Promise<void> {
    const run = await this.sender.admit(agentId, dto, 'stream');
    await this.sender.stream(run, res, { includePings: dto.include_pings ?? true });
  }

  @Post('v1/agents/:agent_id/messages/async')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send messages as a background run; answers the Run at once, to poll with GET /v1/runs/{id}' })
  async sendAsync(@Param('agent_id', AgentIdPipe) agentId: string, @Body() dto: SendAsyncMessageDto) {
    return toRunResponse(await this.sender.admit(agentId, dto, 'async'));
  }

  @Post('v1/agents/:agent_id/messages/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: "Cancel the agent's active runs (or the given ones); answers {run_id: 'cancelled' | 'failed'}" })
  cancel(@Param('agent_id', AgentIdPipe) agentId: string, @Body() dto: CancelRunsDto): Promise<Record<string, string>> {
    return this.sender.cancel(agentId, null, dto?.run_ids);
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

  @Post('v1/agents/:agent_id/summarize')
  @HttpCode(200)
  @ApiOperation({ summary: "Compact the agent's context now: older messages leave the window (not the database) for a summary" })
  summarize(@Param('agent_id', AgentIdPipe) agentId: string, @Body() dto: CompactDto) {
    return this.compaction.manual(agentId, null, dto?.compaction_settings);
  }

  @Patch('v1/agents/:agent_id/reset-messages')
  @ApiOperation({ summary: "Empty the agent's context window; every message stays stored and searchable" })
  @ApiOkResponse({ type: AgentStateDto })
  async reset(@Param('agent_id', AgentIdPipe) agentId: string, @Body() _dto: ResetMessagesDto): Promise<AgentStateDto> {
    await this.messages.reset(agentId);
    return renderAgentState(this.agents, agentId);
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
