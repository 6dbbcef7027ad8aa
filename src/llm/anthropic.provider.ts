import Anthropic from '@anthropic-ai/sdk';
import { IdleTimeout } from './idle-timeout';
import { knownContextWindow } from './model-catalog';
import { providerFetch } from './provider-fetch';
import { ChatEvent, ChatMessage, ChatRequest, EmbeddingModelInfo, FinishReason, LlmError, LlmProvider, ModelInfo, ReasoningBlock, ToolCall, Usage } from './llm.types';

export interface AnthropicProviderOptions {
  name: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
}

const DEFAULT_MAX_TOKENS = 4096;

type Block =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; json: string };

/** Anthropic's messages API: tool use, and thinking blocks whose signatures are kept and sent back. */
export class AnthropicProvider implements LlmProvider {
  readonly name: string;
  readonly type = 'anthropic';
  readonly baseUrl: string;
  private readonly client: Anthropic;
  private readonly timeoutMs: number;

  constructor(options: AnthropicProviderOptions) {
    this.name = options.name;
    this.timeoutMs = options.timeoutMs;
    this.baseUrl = options.baseUrl;
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: options.maxRetries, fetch: providerFetch() });
  }

  async listModels(): Promise<ModelInfo[]> {
    try {
      const page = await this.client.models.list({ limit: 1000 });
      return page.data.map((m) => ({ name: m.id, contextWindow: knownContextWindow(m.id) ?? 200_000 }));
    } catch (error) {
      throw toLlmError(error);
    }
  }

  async listEmbeddingModels(): Promise<EmbeddingModelInfo[]> {
    return [];
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatEvent> {
    const blocks: Block[] = [];
    let finishReason: FinishReason = 'stop';
    const usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedInputTokens: null, cacheWriteTokens: null, reasoningTokens: null };
    let toolIndex = -1;
    const toolIndexByBlock = new Map<number, number>();
    const idle = new IdleTimeout(this.timeoutMs, request.signal);
    try {
      const stream = await this.client.messages.create(toAnthropicRequest(request) as unknown as Anthropic.MessageCreateParamsStreaming, {
        signal: idle.signal,
        timeout: 10 * this.timeoutMs,
      });
      for await (const event of stream as AsyncIterable<Anthropic.RawMessageStreamEvent>) {
        idle.touch();
        switch (event.type) {
          case 'message_start': {
            const u = event.message.usage;
            usage.cachedInputTokens = u.cache_read_input_tokens ?? null;
            usage.cacheWriteTokens = u.cache_creation_input_tokens ?? null;
            usage.promptTokens = (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
            usage.completionTokens = u.output_tokens ?? 0;
            break;
          }
          case 'content_block_start': {
            const block = event.content_block as unknown as { type: string; [k: string]: unknown };
            if (block.type === 'text') blocks[event.index] = { type: 'text', text: (block.text as string) ?? '' };
            else if (block.type === 'thinking') blocks[event.index] = { type: 'thinking', thinking: (block.thinking as string) ?? '', signature: (block.signature as string) ?? '' };
            else if (block.type === 'redacted_thinking') blocks[event.index] = { type: 'redacted_thinking', data: block.data as string };
            else if (block.type === 'tool_use') {
              toolIndexByBlock.set(event.index, ++toolIndex);
              blocks[event.index] = { type: 'tool_use', id: block.id as string, name: block.name as string, json: '' };
              yield { type: 'tool_call_delta', index: toolIndex, id: block.id as string, name: block.name as string };
            }
            break;
          }
          case 'content_block_delta': {
            const block = blocks[event.index];
            const delta = event.delta as unknown as { type: string; [k: string]: unknown };
            if (delta.type === 'text_delta' && block?.type === 'text') {
              block.text += delta.text as string;
              yield { type: 'text_delta', text: delta.text as string };
            } else if (delta.type === 'thinking_delta' && block?.type === 'thinking') {
              block.thinking += delta.thinking as string;
              yield { type: 'reasoning_delta', text: delta.thinking as string };
            } else if (delta.type === 'signature_delta' && block?.type === 'thinking') {
              block.signature += delta.signature as string;
            } else if (delta.type === 'input_json_delta' && block?.type === 'tool_use') {
              block.json += delta.partial_json as string;
              yield { type: 'tool_call_delta', index: toolIndexByBlock.get(event.index)!, argumentsDelta: delta.partial_json as string };
            }
            break;
          }
          case 'message_delta':
            if (event.delta.stop_reason) finishReason = toFinishReason(event.delta.stop_reason);
            if (event.usage?.output_tokens !== undefined && event.usage.output_tokens !== null) usage.completionTokens = event.usage.output_tokens;
            break;
        }
      }
      idle.throwIfAborted();
    } catch (error) {
      throw idle.fired ? new LlmError('timeout', `The model provider sent nothing for ${this.timeoutMs} ms`) : toLlmError(error);
    } finally {
      idle.clear();
    }
    usage.totalTokens = usage.promptTokens + usage.completionTokens;
    const reasoning: ReasoningBlock[] = [];
    const toolCalls: ToolCall[] = [];
    let text = '';
    for (const block of blocks.filter(Boolean)) {
      if (block.type === 'text') text += block.text;
      else if (block.type === 'thinking') reasoning.push({ type: 'reasoning', text: block.thinking, signature: block.signature || null });
      else if (block.type === 'redacted_thinking') reasoning.push({ type: 'redacted', data: block.data });
      else toolCalls.push({ id: block.id, name: block.name, arguments: block.json || '{}' });
    }
    yield { type: 'done', response: { text, reasoning, toolCalls, finishReason: toolCalls.length ? 'tool_calls' : finishReason, usage } };
  }
}

export function toAnthropicRequest(request: ChatRequest): Record<string, unknown> {
  const thinking = request.thinkingBudget && request.thinkingBudget >= 1024 ? request.thinkingBudget : 0;
  const maxTokens = Math.max(request.maxTokens ?? DEFAULT_MAX_TOKENS, thinking + 1024);
  const params: Record<string, unknown> = {
    model: request.model,
    system: request.system,
    messages: toAnthropicMessages(request.messages),
    max_tokens: maxTokens,
    stream: true,
  };
  if (request.tools.length) {
    params.tools = request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
    if (request.parallelToolCalls === false) params.tool_choice = { type: 'auto', disable_parallel_tool_use: true };
  }
  if (thinking) params.thinking = { type: 'enabled', budget_tokens: thinking };
  else if (request.temperature !== undefined && request.temperature !== null) params.temperature = request.temperature;
  return params;
}

/** Anthropic wants alternating turns: tool results travel as user content, and consecutive same-role turns merge. */
function toAnthropicMessages(messages: ChatMessage[]): { role: 'user' | 'assistant'; content: unknown[] }[] {
  const out: { role: 'user' | 'assistant'; content: unknown[] }[] = [];
  const push = (role: 'user' | 'assistant', content: unknown[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  };
  for (const m of messages) {
    if (m.role === 'user') {
      push(
        'user',
        m.content.map((p) =>
          p.type === 'text'
            ? { type: 'text', text: p.text }
            : { type: 'image', source: p.url ? { type: 'url', url: p.url } : { type: 'base64', media_type: p.mediaType, data: p.data } },
        ),
      );
    } else if (m.role === 'assistant') {
      const content: unknown[] = [];
      for (const r of m.reasoning) {
        if (r.type === 'reasoning' && r.signature) content.push({ type: 'thinking', thinking: r.text, signature: r.signature });
        else if (r.type === 'redacted') content.push({ type: 'redacted_thinking', data: r.data });
      }
      if (m.text) content.push({ type: 'text', text: m.text });
      for (const c of m.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArguments(c.arguments) });
      if (content.length) push('assistant', content);
    } else {
      push('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content }]);
    }
  }
  return out;
}

function parseArguments(text: string): unknown {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

function toFinishReason(reason: string): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  return 'other';
}

const OVERFLOW = /prompt is too long|context window|too many tokens|maximum context/i;

export function toLlmError(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new LlmError('timeout', 'The model provider did not answer in time');
  if (error instanceof Anthropic.APIUserAbortError) return new LlmError('connection', 'The model call was aborted');
  if (error instanceof Anthropic.APIConnectionError) return new LlmError('connection', `Could not reach the model provider: ${error.message}`);
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    const message = error.message;
    if (status === 429) return new LlmError('rate_limit', message, status);
    if (status === 401 || status === 403) return new LlmError('authentication', message, status);
    if ((status === 400 || status === 413) && OVERFLOW.test(message)) return new LlmError('context_overflow', message, status);
    if (status !== undefined && status >= 500) return new LlmError('server', message, status);
    if (status !== undefined && status >= 400) return new LlmError('bad_request', message, status);
    return new LlmError('invalid_response', message, status);
  }
  if (error instanceof SyntaxError) return new LlmError('invalid_response', `The model provider sent a malformed reply: ${error.message}`);
  return new LlmError('invalid_response', (error as Error)?.message ?? String(error));
}
