import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { IdleTimeout } from './idle-timeout';
import { knownContextWindow } from './model-catalog';
import { providerFetch } from './provider-fetch';
import { ChatEvent, ChatMessage, ChatRequest, EmbeddingModelInfo, FinishReason, LlmError, LlmProvider, ModelInfo, ReasoningBlock, ToolCall, Usage } from './llm.types';

export interface OpenAiProviderOptions {
  name: string;
  type?: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
  /** Context window to assume for models the listing and the catalog say nothing about. */
  defaultContextWindow?: number;
}

/** OpenAI and every server that speaks its chat-completions protocol (Ollama, vLLM, LM Studio, OpenRouter, ...). */
export class OpenAiProvider implements LlmProvider {
  readonly name: string;
  readonly type: string;
  readonly baseUrl: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.name = options.name;
    this.type = options.type ?? 'openai';
    this.baseUrl = options.baseUrl;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: options.maxRetries, fetch: providerFetch() });
  }

  async listModels(): Promise<ModelInfo[]> {
    const models = await this.listRaw();
    return models
      .filter((m) => !isEmbeddingModel(m.id))
      .map((m) => ({
        name: m.id,
        contextWindow: numberField(m, ['context_window', 'max_context_length', 'context_length']) ?? knownContextWindow(m.id) ?? this.options.defaultContextWindow ?? 128_000,
      }));
  }

  async listEmbeddingModels(): Promise<EmbeddingModelInfo[]> {
    const models = await this.listRaw();
    return models.filter((m) => isEmbeddingModel(m.id)).map((m) => ({ name: m.id, dim: numberField(m, ['dimensions', 'embedding_dim']) ?? 1536 }));
  }

  private async listRaw(): Promise<(OpenAI.Models.Model & Record<string, unknown>)[]> {
    try {
      const page = await this.client.models.list();
      return page.data as (OpenAI.Models.Model & Record<string, unknown>)[];
    } catch (error) {
      throw toLlmError(error);
    }
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatEvent> {
    let text = '';
    let reasoning = '';
    let finishReason: FinishReason = 'stop';
    let usage: Usage | null = null;
    const calls: { id: string; name: string; arguments: string }[] = [];
    const idle = new IdleTimeout(this.options.timeoutMs, request.signal);
    try {
      const stream = await this.client.chat.completions.create(toOpenAiRequest(request), { signal: idle.signal, timeout: 10 * this.options.timeoutMs });
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        idle.touch();
        if (chunk.usage) usage = toUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta as ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null; reasoning?: string | null };
        const reasoningDelta = delta.reasoning_content ?? delta.reasoning;
        if (reasoningDelta) {
          reasoning += reasoningDelta;
          yield { type: 'reasoning_delta', text: reasoningDelta };
        }
        if (delta.content) {
          text += delta.content;
          yield { type: 'text_delta', text: delta.content };
        }
        for (const call of delta.tool_calls ?? []) {
          const slot = (calls[call.index] ??= { id: '', name: '', arguments: '' });
          if (call.id) slot.id = call.id;
          if (call.function?.name) slot.name += call.function.name;
          if (call.function?.arguments) slot.arguments += call.function.arguments;
          yield { type: 'tool_call_delta', index: call.index, id: call.id, name: call.function?.name, argumentsDelta: call.function?.arguments };
        }
        if (choice.finish_reason) finishReason = toFinishReason(choice.finish_reason);
      }
      idle.throwIfAborted();
    } catch (error) {
      throw idle.fired ? new LlmError('timeout', `The model provider sent nothing for ${this.options.timeoutMs} ms`) : toLlmError(error);
    } finally {
      idle.clear();
    }
    const toolCalls: ToolCall[] = calls.filter(Boolean).map((c, i) => ({ id: c.id || `call_${i}`, name: c.name, arguments: c.arguments || '{}' }));
    const reasoningBlocks: ReasoningBlock[] = reasoning ? [{ type: 'reasoning', text: reasoning }] : [];
    yield { type: 'done', response: { text, reasoning: reasoningBlocks, toolCalls, finishReason: toolCalls.length ? 'tool_calls' : finishReason, usage } };
  }
}

export function toOpenAiRequest(request: ChatRequest): ChatCompletionCreateParamsStreaming {
  const params: ChatCompletionCreateParamsStreaming = {
    model: request.model,
    messages: [{ role: 'system', content: request.system }, ...request.messages.map(toOpenAiMessage)],
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools.length) {
    params.tools = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
    params.tool_choice = 'auto';
    if (request.parallelToolCalls !== undefined) params.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.maxTokens) params.max_tokens = request.maxTokens;
  if (request.temperature !== undefined && request.temperature !== null) params.temperature = request.temperature;
  return params;
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'user':
      if (message.content.length === 1 && message.content[0].type === 'text') return { role: 'user', content: message.content[0].text };
      return {
        role: 'user',
        content: message.content.map((p) =>
          p.type === 'text' ? { type: 'text' as const, text: p.text } : { type: 'image_url' as const, image_url: { url: p.url ?? `data:${p.mediaType};base64,${p.data}` } },
        ),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.text,
        ...(message.toolCalls.length
          ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function toUsage(usage: OpenAI.Completions.CompletionUsage): Usage {
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    totalTokens: usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0),
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? null,
    cacheWriteTokens: null,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? null,
  };
}

function toFinishReason(reason: string): FinishReason {
  if (reason === 'stop') return 'stop';
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'length';
  return 'other';
}

const isEmbeddingModel = (id: string) => /embed/i.test(id);

function numberField(model: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) if (typeof model[key] === 'number') return model[key] as number;
  return undefined;
}

const OVERFLOW = /context[_ ]length|maximum context|context window|too many tokens|prompt is too long/i;

/** Classifies any error of the OpenAI SDK (or of its stream) into an LlmError. */
export function toLlmError(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new LlmError('timeout', 'The model provider did not answer in time');
  if (error instanceof OpenAI.APIUserAbortError) return new LlmError('connection', 'The model call was aborted');
  if (error instanceof OpenAI.APIConnectionError) return new LlmError('connection', `Could not reach the model provider: ${error.message}`);
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const message = error.message;
    if (status === 429) return new LlmError('rate_limit', message, status);
    if (status === 401 || status === 403) return new LlmError('authentication', message, status);
    if ((status === 400 || status === 413) && (error.code === 'context_length_exceeded' || OVERFLOW.test(message))) {
      return new LlmError('context_overflow', message, status);
    }
    if (status !== undefined && status >= 500) return new LlmError('server', message, status);
    if (status !== undefined && status >= 400) return new LlmError('bad_request', message, status);
    return new LlmError('invalid_response', message, status);
  }
  if (error instanceof SyntaxError) return new LlmError('invalid_response', `The model provider sent a malformed reply: ${error.message}`);
  return new LlmError('invalid_response', (error as Error)?.message ?? String(error));
}
