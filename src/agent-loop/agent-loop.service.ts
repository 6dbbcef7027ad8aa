import { handleOf } from '../agents/model-config';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { LlmConfig } from '../agents/agent.entity';
import { DomainError, ErrorCode } from '../common/errors';
import { newId } from '../common/ids';
import { CompactionFailedError, CompactionResult, CompactionService, CompactionTrigger } from '../compaction/compaction.service';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ChatEvent, ChatRequest, ChatResponse, LlmError, Usage } from '../llm/llm.types';
import { ProvidersService, ResolvedModel } from '../llm/providers.service';
import { countMessageTokens, countTokens, countToolTokens } from '../llm/tokenizer';
import { itemOtid, LettaMessage, toLettaMessages } from '../messages/letta-message';
import { StepEntity } from '../steps/step.entity';
import { toChatMessages } from './chat-messages';
import { classifyLlmError, internalError, StopReason, TurnError } from './stop-reasons';
import { InputMessage, assistantRow, inputRow, RowScope } from './turn-messages';
import { ContextRow, TurnContext, TurnStore } from './turn-store.service';
import type { MessageEntity } from '../messages/message.entity';
import { toolSchema } from '../tools/tool.entity';

export const DEFAULT_MAX_STEPS = 50;

export interface TurnRequest {
  agentId: string;
  /** Null or absent for the agent's default context. */
  conversationId?: string | null;
  input: InputMessage[];
  maxSteps?: number;
  overrideModel?: string | null;
  overrideSystem?: string | null;
  /** Emit `delta` events as the model produces text, reasoning and tool-call arguments. */
  streamTokens?: boolean;
  /** Also emit the compaction event and summary messages when the context is compacted during the turn. */
  includeCompactionMessages?: boolean;
  runId?: string | null;
  signal?: AbortSignal;
  /** Ends the run in the statement committing the turn's last step when it has no tool calls (SQL, given the parameters so far). */
  endRun?: (stopReason: StopReason, params: unknown[]) => string;
  /**
   * The turn's input (`messages`, at row version `xmin`, with `ROW_DIGEST` `digest`), already written when the run was
   * admitted, and the context as read then.
   */
  preloaded?: { context: ContextRow; messages: MessageEntity[]; xmin?: string; digest?: string };
}

export interface UsageStatistics {
  message_type: 'usage_statistics';
  completion_tokens: number;
  prompt_tokens: number;
  total_tokens: number;
  step_count: number;
  run_ids: string[] | null;
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  context_tokens: number | null;
}

/** What a turn yields, in order: messages (or their deltas) as steps land, then exactly one `stop`, then `usage`. */
export type LoopEvent =
  | { type: 'message'; message: LettaMessage }
  | { type: 'delta'; message: LettaMessage }
  | { type: 'stop'; stopReason: StopReason; error?: TurnError; contextRatio?: number; runEnding?: Record<string, unknown> }
  | { type: 'usage'; usage: UsageStatistics };

/**
 * Letta's `letta_v1_agent` loop: call the model with the context window and the agent's tools, persist the step,
 * run the tools, and continue after a tool call until the model answers without one or `max_steps` is reached.
 * The loop is an async sequence of events, so synchronous, streaming and background sends all consume it unchanged.
 */
@Injectable()
export class AgentLoopService {
  private readonly logger = new Logger(AgentLoopService.name);

  constructor(
    private readonly store: TurnStore,
    private readonly providers: ProvidersService,
    private readonly compaction: CompactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async *run(request: TurnRequest): AsyncGenerator<LoopEvent> {
    const conversationId = request.conversationId ?? null;
    const ctx = request.preloaded
      ? await this.store.contextFrom(request.preloaded.context, conversationId, request.preloaded.messages, request.preloaded.xmin, request.preloaded.digest)
      : await this.store.load(request.agentId, conversationId);
    const maxSteps = request.maxSteps ?? DEFAULT_MAX_STEPS;
    const runId = request.runId ?? null;
    const totals = new UsageTotals(runId);
    let overflowRetried = false;
    const baseScope: RowScope = { agentId: ctx.agent.id, conversationId: ctx.conversation?.id ?? null, runId, stepId: null };
    if (!request.preloaded) this.store.saveInput(ctx, request.input.map((m) => inputRow(baseScope, m)));
    let model: ResolvedModel;
    try {
      model = await this.providers.resolve(request.overrideModel ?? ctx.conversation?.model ?? handleOf(ctx.agent.llmConfig));
    } catch (error) {
      // The stored model is no longer served (its provider was unconfigured, or stopped listing it): reported as the
      // provider itself would report an unknown model.
      if (!(error instanceof DomainError)) throw error;
      await ctx.inputSaved;
      yield { type: 'stop', stopReason: 'llm_api_error', error: { type: 'llm_bad_request', message: error.message } };
      yield { type: 'usage', usage: totals.value() };
      return;
    }

    for (let stepNumber = 1; ; stepNumber++) {
      if (request.signal?.aborted) {
        await ctx.inputSaved;
        yield { type: 'stop', stopReason: 'cancelled' };
        yield { type: 'usage', usage: totals.value() };
        return;
      }
      if (stepNumber > 1) await this.store.refreshSystem(ctx);
      const fit = yield* this.fitContext(ctx, model, request);
      if ('stopReason' in fit) {
        await ctx.inputSaved;
        yield { type: 'stop', stopReason: fit.stopReason, error: fit.error };
        yield { type: 'usage', usage: totals.value() };
        return;
      }
      const { chat, estimate } = fit;
      const stepId = newId('step');
      const assistantId = newId('message');
      const scope = { ...baseScope, stepId };
      let response: ChatResponse | undefined;
      try {
        const deltas = new DeltaRenderer(assistantId, runId, stepId);
        for await (const event of model.provider.stream(chat)) {
          if (event.type === 'done') response = event.response;
          else if (request.streamTokens) yield { type: 'delta', message: deltas.render(event) };
        }
        if (!response) throw new LlmError('invalid_response', 'The model stream ended without a reply');
      } catch (error) {
        if (request.signal?.aborted) {
          await this.store.recordFailedStep(ctx, { ...this.stepRecord(ctx, model, stepId, runId, null, 'cancelled', null), status: 'cancelled' });
          yield { type: 'stop', stopReason: 'cancelled' };
          yield { type: 'usage', usage: totals.value() };
          return;
        }
        const failure = error instanceof LlmError ? classifyLlmError(error) : { stopReason: 'error' as const, error: internalError(error) };
        this.logger.warn({ agentId: ctx.agent.id, runId, err: failure.error.message }, 'model call failed');
        await this.store.recordFailedStep(ctx, this.stepRecord(ctx, model, stepId, runId, null, failure.stopReason, failure.error));
        if (error instanceof LlmError && error.kind === 'context_overflow' && !overflowRetried) {
          // The provider counts differently from our estimate: compact once and retry the same step.
          overflowRetried = true;
          const compacted = yield* this.compactNow(ctx, request, 'context_window_exceeded', estimate, false);
          if (compacted === 'done') {
            stepNumber--;
            continue;
          }
        }
        yield { type: 'stop', stopReason: failure.stopReason, error: failure.error };
        yield { type: 'usage', usage: totals.value() };
        return;
      }

      const usage = response.usage ?? estimateUsage(chat, response);
      totals.add(usage);
      const calls = response.toolCalls;
      const hasContent = Boolean(response.text) || response.reasoning.length > 0 || calls.length > 0;
      const stopReason: StopReason | null = calls.length ? (stepNumber >= maxSteps ? 'max_steps' : null) : response.finishReason === 'length' ? 'max_tokens_exceeded' : 'end_turn';
      const assistant = hasContent ? assistantRow(scope, assistantId, response, model.model) : null;
      let committed;
      try {
        const endRun = stopReason && request.endRun ? (params: unknown[]) => request.endRun!(stopReason, params) : undefined;
        committed = await this.store.commitStep(ctx, scope, this.stepRecord(ctx, model, stepId, runId, usage, stopReason, null), assistant, calls, endRun);
      } catch (error) {
        this.logger.error({ agentId: ctx.agent.id, runId, err: error }, 'could not persist the step');
        yield { type: 'stop', stopReason: 'error', error: internalError(error) };
        yield { type: 'usage', usage: totals.value() };
        return;
      }
      // In token mode the assistant's reasoning, text and tool calls already went out as deltas.
      const streamed = (m: LettaMessage) => request.streamTokens && m.message_type !== 'hidden_reasoning_message';
      const added = [assistant, committed.tool].filter((row): row is MessageEntity => row !== null);
      for (const row of added) {
        for (const message of toLettaMessages(row)) if (row !== assistant || !streamed(message)) yield { type: 'message', message };
      }
      if (stopReason) {
        // What the next request would carry: this one and what the step added.
        const after = estimate + countMessageTokens(toChatMessages(committed.added), model.model);
        yield { type: 'stop', stopReason, contextRatio: after / this.windowOf(ctx, model), runEnding: committed.alsoRan };
        yield { type: 'usage', usage: totals.value() };
        return;
      }
    }
  }

  /** The context window this turn must fit in: the conversation's or agent's limit, never more than the model's. */
  private windowOf(ctx: TurnContext, model: ResolvedModel): number {
    const configured = ctx.conversation?.contextWindowLimit ?? ctx.agent.llmConfig.context_window;
    return Math.min(configured, model.info?.contextWindow ?? configured);
  }

  /**
   * Makes the next request fit before it is sent: above the trigger ratio (Letta: 90 %) of the window, compact
   * (sliding window, then everything); a context that still does not fit ends the turn rather than overflow.
   */
  private async *fitContext(
    ctx: TurnContext,
    model: ResolvedModel,
    request: TurnRequest,
  ): AsyncGenerator<LoopEvent, { chat: ChatRequest; estimate: number } | { stopReason: StopReason; error?: TurnError }> {
    const window = this.windowOf(ctx, model);
    let chat = this.buildRequest(ctx, model, request);
    let estimate = estimateRequest(chat);
    for (const forceAll of [false, true]) {
      if (estimate <= window * this.config.compaction.triggerRatio) return { chat, estimate };
      const result = yield* this.compactNow(ctx, request, 'context_window_exceeded', estimate, forceAll);
      if (result === 'nothing') break;
      if (result !== 'done') return result;
      chat = this.buildRequest(ctx, model, request);
      estimate = estimateRequest(chat);
    }
    if (estimate <= window) return { chat, estimate };
    return {
      stopReason: 'context_window_overflow_in_system_prompt',
      error: {
        type: 'context_window_overflow_in_system_prompt',
        message: `The request needs about ${estimate} tokens even after compaction, more than the context window of ${window}: the system prompt, memory and tools alone are too large`,
      },
    };
  }

  /** Compacts the turn's context now; emits the compaction event and summary when the client asked for them. */
  private async *compactNow(
    ctx: TurnContext,
    request: TurnRequest,
    trigger: CompactionTrigger,
    estimate: number,
    forceAll: boolean,
  ): AsyncGenerator<LoopEvent, 'done' | 'nothing' | { stopReason: StopReason; error: TurnError }> {
    let result: CompactionResult;
    await ctx.inputSaved;
    try {
      result = await this.compaction.compact({
        agentId: ctx.agent.id,
        conversationId: ctx.conversation?.id ?? null,
        trigger,
        keepTrailingInput: true,
        forceAll,
        runId: request.runId,
        contextTokensBefore: estimate,
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.InvalidArgument) return 'nothing';
      if (!(error instanceof CompactionFailedError)) throw error;
      const classified = error.cause instanceof LlmError ? classifyLlmError(error.cause) : { stopReason: 'error' as const, error: internalError(error) };
      return { stopReason: classified.stopReason, error: { type: classified.error.type, message: error.message } };
    }
    await this.store.reloadWindow(ctx);
    if (request.includeCompactionMessages) {
      const stats = result.summaryMessage.content[0].compaction_stats as Record<string, unknown>;
      yield {
        type: 'message',
        message: {
          id: randomUUID(),
          date: new Date().toISOString(),
          message_type: 'event_message',
          event_type: 'compaction',
          event_data: { ...stats, context_token_estimate: estimate },
          otid: null,
          name: null,
          sender_id: null,
          step_id: null,
          run_id: request.runId ?? null,
          is_err: null,
          seq_id: null,
        },
      };
      for (const message of toLettaMessages(result.summaryMessage, { includeCompactionMessages: true })) yield { type: 'message', message };
    }
    return 'done';
  }

  private buildRequest(ctx: TurnContext, model: ResolvedModel, request: TurnRequest): ChatRequest {
    const config = ctx.agent.llmConfig;
    const settings = (ctx.agent.modelSettings ?? {}) as { temperature?: number; max_output_tokens?: number; thinking?: { type?: string; budget_tokens?: number } };
    return {
      model: model.model,
      system: request.overrideSystem ?? ctx.systemText,
      messages: toChatMessages(ctx.history),
      tools: ctx.tools.map(toolSchema),
      maxTokens: (config.max_tokens as number | null) ?? settings.max_output_tokens ?? null,
      temperature: settings.temperature ?? (config.temperature as number | undefined) ?? null,
      parallelToolCalls: Boolean(config.parallel_tool_calls),
      thinkingBudget: settings.thinking?.type === 'enabled' ? settings.thinking.budget_tokens : thinkingBudgetOf(config),
      signal: request.signal,
    };
  }

  private stepRecord(ctx: TurnContext, model: ResolvedModel, id: string, runId: string | null, usage: Usage | null, stopReason: StopReason | null, error: TurnError | null): StepEntity {
    return {
      id,
      agentId: ctx.agent.id,
      runId,
      providerName: model.provider.name,
      providerCategory: 'base',
      model: model.model,
      modelHandle: `${model.provider.name}/${model.model}`,
      modelEndpoint: model.provider.baseUrl,
      contextWindowLimit: ctx.agent.llmConfig.context_window,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      totalTokens: usage?.totalTokens ?? 0,
      cachedInputTokens: usage?.cachedInputTokens ?? null,
      cacheWriteTokens: usage?.cacheWriteTokens ?? null,
      reasoningTokens: usage?.reasoningTokens ?? null,
      stopReason,
      status: error ? 'failed' : 'success',
      errorType: error?.type ?? null,
      errorData: error ? { message: error.message } : null,
      feedback: null,
      tags: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    };
  }
}

function thinkingBudgetOf(config: LlmConfig): number | undefined {
  const budget = Number(config.max_reasoning_tokens ?? 0);
  return config.enable_reasoner && budget >= 1024 ? budget : undefined;
}

/** Tokens a request carries, counted with the model family's tokenizer. */
export function estimateRequest(request: ChatRequest): number {
  return countTokens(request.system, request.model) + countMessageTokens(request.messages, request.model) + countToolTokens(request.tools, request.model);
}

/** Usage for providers that report none (some OpenAI-compatible servers), counted with the tokenizer. */
function estimateUsage(request: ChatRequest, response: ChatResponse): Usage {
  const prompt = estimateRequest(request);
  const completion = countTokens(response.text + response.toolCalls.map((c) => c.name + c.arguments).join(''), request.model);
  return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, cachedInputTokens: null, cacheWriteTokens: null, reasoningTokens: null };
}

export function emptyUsage(runId: string | null): UsageStatistics {
  return {
    message_type: 'usage_statistics',
    completion_tokens: 0,
    prompt_tokens: 0,
    total_tokens: 0,
    step_count: 0,
    run_ids: runId ? [runId] : null,
    cached_input_tokens: null,
    cache_write_tokens: null,
    reasoning_tokens: null,
    context_tokens: null,
  };
}

class UsageTotals {
  private readonly usage: UsageStatistics;

  constructor(runId: string | null) {
    this.usage = emptyUsage(runId);
  }

  add(u: Usage): void {
    const t = this.usage;
    t.prompt_tokens += u.promptTokens;
    t.completion_tokens += u.completionTokens;
    t.total_tokens += u.totalTokens;
    t.step_count += 1;
    if (u.cachedInputTokens !== null) t.cached_input_tokens = (t.cached_input_tokens ?? 0) + u.cachedInputTokens;
    if (u.cacheWriteTokens !== null) t.cache_write_tokens = (t.cache_write_tokens ?? 0) + u.cacheWriteTokens;
    if (u.reasoningTokens !== null) t.reasoning_tokens = (t.reasoning_tokens ?? 0) + u.reasoningTokens;
    t.context_tokens = u.totalTokens;
  }

  value(): UsageStatistics {
    return { ...this.usage };
  }
}

/** Renders provider deltas as LettaMessage fragments that share the id of the message the step will persist. */
class DeltaRenderer {
  private kind: string | null = null;
  private index = -1;

  constructor(
    private readonly messageId: string,
    private readonly runId: string | null,
    private readonly stepId: string,
  ) {}

  render(event: Exclude<ChatEvent, { type: 'done' }>): LettaMessage {
    const kind = event.type;
    if (kind !== this.kind) {
      this.kind = kind;
      this.index++;
    }
    const base = {
      id: this.messageId,
      date: new Date().toISOString(),
      otid: itemOtid(this.messageId, this.index),
      name: null,
      sender_id: null,
      step_id: this.stepId,
      run_id: this.runId,
      is_err: null,
      seq_id: null,
    };
    switch (event.type) {
      case 'reasoning_delta':
        return { ...base, message_type: 'reasoning_message', reasoning: event.text, source: 'reasoner_model', signature: null };
      case 'text_delta':
        return { ...base, message_type: 'assistant_message', content: event.text };
      case 'tool_call_delta': {
        const delta = { name: event.name ?? null, arguments: event.argumentsDelta ?? null, tool_call_id: event.id ?? null };
        return { ...base, message_type: 'tool_call_message', tool_call: delta, tool_calls: delta };
      }
    }
  }
}
