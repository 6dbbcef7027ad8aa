import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { sendJson } from '../common/json-reply';
import { invalidArgument } from '../common/errors';
import { CompactionRunner } from '../compaction/compaction-runner.service';
import { CompactDto } from '../messages/dto/send-message.dto';
import { MessagesService } from '../messages/messages.service';
import { RunsService } from '../runs/runs.service';
import { SendService } from '../runs/send.service';
import { ConversationEntity } from './conversation.entity';
import { ConversationsService } from './conversations.service';
import {
  AgentIdQueryDto,
  ConversationBodyDto,
  ConversationMessageDto,
  ConversationStreamDto,
  CreateConversationDto,
  CreateConversationQueryDto,
  ForkConversationQueryDto,
  ListConversationMessagesQueryDto,
  ListConversationsQueryDto,
  RecompileQueryDto,
  UpdateConversationDto,
} from './dto/conversation.dto';

export function toConversationResponse(c: ConversationEntity, inContextIds: string[] | null) {
  return {
    id: c.id,
    agent_id: c.agentId,
    summary: c.summary,
    description: c.description,
    model: c.model,
    model_settings: c.modelSettings,
    context_window_limit: c.contextWindowLimit,
    in_context_message_ids: inContextIds,
    isolated_block_ids: [],
    last_message_at: c.lastMessageAt?.toISOString() ?? null,
    archived: c.archived,
    archived_at: c.archivedAt?.toISOString() ?? null,
    hidden: c.hidden,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    created_by_id: null,
    last_updated_by_id: null,
  };
}

@ApiTags('conversations')
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly sender: SendService,
    private readonly runs: RunsService,
    private readonly compaction: CompactionRunner,
  ) {}

  private async render(c: ConversationEntity) {
    return toConversationResponse(c, (await this.conversations.inContextIds([c.id])).get(c.id)!);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a conversation of an agent (query agent_id); it gets its own context window' })
  async create(@Query() query: CreateConversationQueryDto, @Body() dto: CreateConversationDto) {
    return this.render(await this.conversations.create(query.agent_id, dto ?? {}));
  }

  @Get()
  @ApiOperation({ summary: 'List conversations (newest first), optionally of one agent' })
  async list(@Query() query: ListConversationsQueryDto) {
    const list = await this.conversations.list(query);
    const ids = await this.conversations.inContextIds(list.map((c) => c.id));
    return list.map((c) => toConversationResponse(c, ids.get(c.id)!));
  }

  @Get(':conversation_id')
  @ApiOperation({ summary: 'Retrieve a conversation' })
  async retrieve(@Param('conversation_id') id: string) {
    return this.render(await this.conversations.get(id));
  }

  @Patch(':conversation_id')
  @ApiOperation({ summary: 'Modify a conversation (summary, model, archive, ...)' })
  async update(@Param('conversation_id') id: string, @Body() dto: UpdateConversationDto) {
    return this.render(await this.conversations.update(id, dto));
  }

  @Delete(':conversation_id')
  @ApiOperation({ summary: 'Delete a conversation with its messages and runs' })
  async delete(@Param('conversation_id') id: string): Promise<null> {
    await this.conversations.delete(id);
    return null;
  }

  @Post(':conversation_id/fork')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fork: a new conversation whose context starts as a copy of this one (up to message_id)' })
  async fork(@Param('conversation_id') id: string, @Query() query: ForkConversationQueryDto) {
    const scope = await this.conversations.scope(id, query.agent_id);
    return this.render(await this.conversations.fork(scope, query.message_id, query.hidden));
  }

  @Post(':conversation_id/recompile')
  @HttpCode(200)
  @ApiOperation({ summary: "Rebuild the conversation's system prompt from the agent's memory; returns the text" })
  async recompile(@Param('conversation_id') id: string, @Query() query: RecompileQueryDto, @Body() body: ConversationBodyDto, @Res() res: FastifyReply) {
    const scope = await this.conversations.scope(id, body?.agent_id);
    sendJson(res, await this.conversations.recompile(scope, query.dry_run ?? false));
  }

  @Post(':conversation_id/messages')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send messages to a conversation: Server-Sent Events by default, LettaResponse with streaming: false' })
  async send(@Param('conversation_id') id: string, @Body() dto: ConversationMessageDto, @Res() res: FastifyReply): Promise<void> {
    const scope = await this.conversations.scope(id, dto.agent_id);
    if (dto.streaming === false) {
      const run = await this.sender.admit(scope.agentId, dto, 'sync', scope.conversationId);
      sendJson(res, await this.sender.response(run, dto.include_return_message_types));
      return;
    }
    const run = await this.sender.admit(scope.agentId, dto, 'stream', scope.conversationId);
    await this.sender.stream(run, res, { includePings: dto.include_pings ?? true });
  }

  @Get(':conversation_id/messages')
  @ApiOperation({ summary: "List a conversation's messages (newest first by default)" })
  async listMessages(@Param('conversation_id') id: string, @Query() query: ListConversationMessagesQueryDto) {
    const scope = await this.conversations.scope(id, query.agent_id);
    return this.messages.list(scope.agentId, { ...query, conversation_id: scope.conversationId ?? 'default' });
  }

  @Post(':conversation_id/stream')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume the stream of the newest active background run of the conversation (or of run_id / otid)' })
  async stream(@Param('conversation_id') id: string, @Body() body: ConversationStreamDto, @Res() res: FastifyReply): Promise<void> {
    const scope = await this.conversations.scope(id, body.agent_id);
    const found = await this.runs.findForResume(scope.agentId, scope.conversationId, body.run_id, body.otid);
    if (!found) throw invalidArgument('No active runs found for this conversation');
    const run = await this.sender.resumable(found.id);
    await this.sender.stream(run, res, { includePings: body.include_pings ?? true, startingAfter: body.starting_after ?? 0, batchSize: body.batch_size ?? 100 });
  }

  @Post(':conversation_id/compact')
  @HttpCode(200)
  @ApiOperation({ summary: "Compact this conversation's context now; other conversations are untouched" })
  async compact(@Param('conversation_id') id: string, @Body() dto: CompactDto) {
    const scope = await this.conversations.scope(id, dto?.agent_id);
    return this.compaction.manual(scope.agentId, scope.conversationId, dto?.compaction_settings);
  }

  @Post(':conversation_id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: "Cancel the conversation's active runs; answers {run_id: 'cancelled' | 'failed'}" })
  async cancel(@Param('conversation_id') id: string, @Query() query: AgentIdQueryDto) {
    const scope = await this.conversations.scope(id, query.agent_id);
    return this.sender.cancel(scope.agentId, scope.conversationId);
  }
}
