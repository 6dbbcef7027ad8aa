import { handleOf } from '../agents/model-config';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatPromptTime } from '../agent-loop/system-prompt';
import { summaryRow } from '../agent-loop/turn-messages';
import { AgentEntity } from '../agents/agent.entity';
import { MemoryPromptService } from '../blocks/memory-prompt.service';
import { invalidArgument, notFound } from '../common/errors';
import { insertRows } from '../database/insert-rows';
import { LlmError } from '../llm/llm.types';
import { ProvidersService } from '../llm/providers.service';
import { loadWindow } from '../messages/in-context';
import { MessageEntity } from '../messages/message.entity';
import { planCompaction, resolveSettings, transcript } from './compaction-plan';

export type CompactionTrigger = 'context_window_exceeded' | 'post_step_context_check' | 'background' | 'manual';

export interface CompactionRequest {
  agentId: string;
  conversationId: string | null;
  trigger: CompactionTrigger;
  /** Request-level `compaction_settings`, over the agent's. */
  override?: Record<string, unknown> | null;
  /** During a turn the newest user input stays in context, so the model can still answer it. */
  keepTrailingInput?: boolean;
  /** Forces mode `all` (the fallback when a sliding window did not free enough room). */
  forceAll?: boolean;
  runId?: string | null;
  contextTokensBefore?: number | null;
}

export interface CompactionResult {
  summary: string;
  summaryMessage: MessageEntity;
  messagesBefore: number;
  messagesAfter: number;
}

/** A summarizer failure: the context is left exactly as it was. */
export class CompactionFailedError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

/**
 * Moves the oldest part of a context out of the window and puts a model-written summary of it right after the system
 * message. The moved messages stay stored: listings and conversation_search still find them.
 */
@Injectable()
export class CompactionService {
  private readonly logger = new Logger(CompactionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: ProvidersService,
    private readonly memoryPrompt: MemoryPromptService,
  ) {}

  async compact(request: CompactionRequest): Promise<CompactionResult> {
    const agent = await this.dataSource.getRepository(AgentEntity).findOneBy({ id: request.agentId });
    if (!agent) throw notFound('Agent', request.agentId);
    const settings = resolveSettings(agent.compactionSettings, request.override);
    const window = await loadWindow(this.dataSource.manager, request.agentId, request.conversationId);
    const history = window.filter((m) => m.role !== 'system');
    const plan = planCompaction(history, request.forceAll ? 'all' : settings.mode, settings.keepFraction, request.keepTrailingInput ?? false);
    if (plan.evict.length === 0 || plan.evict.every((m) => m.role === 'summary')) {
      throw invalidArgument(
        'Summarization failed to reduce the number of messages. You may not have enough messages to compact or need to use a different CompactionSettings (e.g. using `all` mode).',
      );
    }

    const summary = (await this.summarize(agent, settings.model, settings.prompt, transcript(plan.evict))).slice(0, settings.clipChars);
    const now = new Date();
    const stats = {
      trigger: request.trigger,
      context_window: agent.llmConfig.context_window,
      messages_count_before: window.length,
      messages_count_after: window.length - plan.evict.length + 1,
      context_tokens_before: request.contextTokensBefore ?? null,
    };
    const hidden = plan.keep.length ? `Note: ${plan.evict.length} messages from the beginning of the conversation have been hidden from view due to memory constraints.` : 'Note: prior messages have been hidden from view due to conversation memory constraints.';
    const packed = JSON.stringify({
      type: 'system_alert',
      message: `${hidden}\nThe following is a summary of the previous messages:\n ${summary}`,
      time: formatPromptTime(now, agent.timezone),
      compaction_stats: stats,
    });
    const scope = { agentId: agent.id, conversationId: request.conversationId, runId: request.runId ?? null, stepId: null };
    const summaryMessage = summaryRow(scope, packed, summary, stats, now);

    await this.dataSource.transaction(async (manager) => {
      // Only what is still in context is moved: a turn may not run concurrently (the context lock), but stay exact anyway.
      await manager.query('UPDATE messages SET in_context = false WHERE id = ANY($1) AND in_context', [plan.evict.map((m) => m.id)]);
      await insertRows(manager, MessageEntity, [summaryMessage]);
      await this.memoryPrompt.recompileScope(agent.id, request.conversationId, manager);
    });
    this.logger.log({ agentId: agent.id, conversationId: request.conversationId, evicted: plan.evict.length, trigger: request.trigger }, 'context compacted');
    return { summary, summaryMessage, messagesBefore: stats.messages_count_before, messagesAfter: stats.messages_count_after };
  }

  /** The summary, written by the summarizer model (the agent's own unless compaction_settings name one). */
  private async summarize(agent: AgentEntity, model: string | null, prompt: string, text: string): Promise<string> {
    const { provider, model: name } = await this.providers.resolve(model ?? handleOf(agent.llmConfig));
    let summary = '';
    try {
      for await (const event of provider.stream({ model: name, system: prompt, messages: [{ role: 'user', content: [{ type: 'text', text }] }], tools: [] })) {
        if (event.type === 'done') summary = event.response.text;
      }
    } catch (error) {
      const reason = error instanceof LlmError ? error.message : (error as Error).message;
      throw new CompactionFailedError(`Compaction failed: the summarizer model call failed (${reason}); the context was left unchanged`, error);
    }
    if (!summary.trim()) throw new CompactionFailedError('Compaction failed: the summarizer returned an empty summary; the context was left unchanged');
    return summary.trim();
  }
}
