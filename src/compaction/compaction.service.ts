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
import { LlmError, LlmProvider } from '../llm/llm.types';
import { ProvidersService } from '../llm/providers.service';
import { loadWindow } from '../messages/in-context';
import { MessageEntity } from '../messages/message.entity';
import { countTokens } from '../llm/tokenizer';
import type { ConfirmHeld } from './compaction-holds.service';
import { cutToTokens, earlierSummaryLine, nextPart, planCompaction, resolveSettings, transcript, transcriptLines } from './compaction-plan';

/**
 * Share of the summarizer's context window its input may take: the rest is its answer and the margin between our token
 * count and the provider's.
 */
const SUMMARIZER_INPUT_SHARE = 0.75;
/** Fewer tokens than this left for the transcript: the summarizer's window is too small for its prompt. */
const MIN_SUMMARIZER_INPUT = 200;

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
  /** Outside a turn: makes sure the context is still held (see `CompactionHolds`). */
  confirmHeld?: ConfirmHeld;
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

    const summary = await this.summarize(agent, settings.model, settings.prompt, transcriptLines(plan.evict), settings.clipChars);
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
      await request.confirmHeld?.(manager);
      // Only what is still in context is moved: no run executes on a held context, but stay exact anyway.
      await manager.query('UPDATE messages SET in_context = false WHERE id = ANY($1) AND in_context', [plan.evict.map((m) => m.id)]);
      await insertRows(manager, MessageEntity, [summaryMessage]);
      await this.memoryPrompt.recompileScope(agent.id, request.conversationId, manager);
    });
    this.logger.log({ agentId: agent.id, conversationId: request.conversationId, evicted: plan.evict.length, trigger: request.trigger }, 'context compacted');
    return { summary, summaryMessage, messagesBefore: stats.messages_count_before, messagesAfter: stats.messages_count_after };
  }

  /**
   * The summary, written by the summarizer model (the agent's own unless compaction_settings name one). A transcript
   * larger than the summarizer can read at once is summarized in parts, in order, each part after the summary so far:
   * the context a turn overflowed with, or one meant for a smaller summarizer, still compacts.
   */
  private async summarize(agent: AgentEntity, model: string | null, prompt: string, lines: string[], clipChars: number): Promise<string> {
    const { provider, model: name, info } = await this.providers.resolve(model ?? handleOf(agent.llmConfig));
    const count = (text: string) => countTokens(text, name);
    const budget = Math.floor((info?.contextWindow ?? agent.llmConfig.context_window) * SUMMARIZER_INPUT_SHARE) - count(prompt);
    if (budget < MIN_SUMMARIZER_INPUT) throw new CompactionFailedError(`Compaction failed: the summarizer ${name} has no room for a transcript next to its prompt; the context was left unchanged`);
    const summarizeLines = async (part: string[]) => (await this.summarizePart(provider, name, prompt, transcript(part))).slice(0, clipChars);
    let { part, next } = nextPart(lines, 0, budget, count);
    let summary = await summarizeLines(part);
    while (next < lines.length) {
      // The summary so far leads the next part, taking at most half of the room.
      const head = cutToTokens(earlierSummaryLine(summary), Math.floor(budget / 2), count);
      ({ part, next } = nextPart(lines, next, budget - count(head) - 1, count));
      summary = await summarizeLines([head, ...part]);
    }
    return summary;
  }

  private async summarizePart(provider: LlmProvider, model: string, prompt: string, text: string): Promise<string> {
    let summary = '';
    try {
      for await (const event of provider.stream({ model, system: prompt, messages: [{ role: 'user', content: [{ type: 'text', text }] }], tools: [] })) {
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
