/** The provider-neutral model interface the agent loop speaks; each provider adapter maps it to its wire protocol. */

export interface ToolSchema {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the model produced it. */
  arguments: string;
}

/** Reasoning the model showed (`text`, with the provider's `signature` when it gives one) or hid (`redacted`). */
export type ReasoningBlock = { type: 'reasoning'; text: string; signature?: string | null } | { type: 'redacted'; data: string };

export type UserPart = { type: 'text'; text: string } | { type: 'image'; mediaType: string; data?: string; url?: string };

export type ChatMessage =
  | { role: 'user'; content: UserPart[] }
  | { role: 'assistant'; text: string | null; reasoning: ReasoningBlock[]; toolCalls: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

export interface ChatRequest {
  model: string;
  system: string;
  messages: ChatMessage[];
  tools: ToolSchema[];
  maxTokens?: number | null;
  temperature?: number | null;
  parallelToolCalls?: boolean;
  /** Anthropic extended thinking budget; 0 or absent leaves thinking off. */
  thinkingBudget?: number;
  signal?: AbortSignal;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'other';

export interface ChatResponse {
  text: string;
  reasoning: ReasoningBlock[];
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** Null when the provider did not report usage; the caller then estimates it. */
  usage: Usage | null;
}

/** What a provider yields while it streams; `done` is always last on success. */
export type ChatEvent =
  | { type: 'reasoning_delta'; text: string }
  | { type: 'text_delta'; text: string }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'done'; response: ChatResponse };

export interface ModelInfo {
  name: string;
  contextWindow: number;
  maxOutputTokens?: number;
}

export interface EmbeddingModelInfo {
  name: string;
  dim: number;
}

export interface LlmProvider {
  /** The handle prefix, as in `openai/gpt-4o-mini`. */
  readonly name: string;
  /** The wire type: `openai` (and compatibles) or `anthropic`. */
  readonly type: string;
  readonly baseUrl: string;
  listModels(): Promise<ModelInfo[]>;
  listEmbeddingModels(): Promise<EmbeddingModelInfo[]>;
  stream(request: ChatRequest): AsyncIterable<ChatEvent>;
}

export type LlmErrorKind = 'timeout' | 'rate_limit' | 'authentication' | 'context_overflow' | 'bad_request' | 'server' | 'connection' | 'invalid_response';

/** A model call that failed; `kind` decides the stop reason and whether compaction may help. */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
