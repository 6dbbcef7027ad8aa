import { invalidArgument } from '../common/errors';
import type { EmbeddingConfig, LlmConfig } from './agent.entity';
import type { EmbeddingConfigInputDto, LlmConfigInputDto } from './dto/agent-fields.dto';

export const DEFAULT_CONTEXT_WINDOW = 128_000;

/** The wire type (`model_endpoint_type`) each provider speaks; unknown providers are OpenAI-compatible. */
const ENDPOINT_TYPE_BY_PROVIDER: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  ollama: 'ollama',
  google_ai: 'google_ai',
  google_vertex: 'google_vertex',
  azure: 'azure',
  groq: 'groq',
  together: 'together',
  deepseek: 'deepseek',
  xai: 'xai',
  openrouter: 'openrouter',
  vllm: 'vllm',
  lmstudio: 'lmstudio_openai',
  lmstudio_openai: 'lmstudio_openai',
  mistral: 'mistral',
  letta: 'openai',
};

const EMBEDDING_DIMS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'nomic-embed-text': 768,
  'mxbai-embed-large': 1024,
};

export function splitHandle(handle: string, what = 'model'): { provider: string; model: string } {
  const slash = handle.indexOf('/');
  if (slash <= 0 || slash === handle.length - 1) {
    throw invalidArgument(`Invalid ${what} handle '${handle}': expected 'provider/model-name', e.g. 'openai/gpt-4o-mini'`);
  }
  return { provider: handle.slice(0, slash), model: handle.slice(slash + 1) };
}

/** The agent's model handle, also for configs stored without one (legacy llm_config objects). */
export function handleOf(config: LlmConfig): string {
  return config.handle ?? `${config.provider_name ?? config.model_endpoint_type}/${config.model}`;
}

export function endpointTypeOf(provider: string): string {
  return ENDPOINT_TYPE_BY_PROVIDER[provider] ?? 'openai';
}

export interface ModelInput {
  model?: string | null;
  llm_config?: LlmConfigInputDto | null;
  context_window_limit?: number | null;
  max_tokens?: number | null;
  parallel_tool_calls?: boolean | null;
}

/** Builds the stored llm_config from a handle or from a legacy llm_config object; null when neither is given. */
export function resolveLlmConfig(input: ModelInput, previous?: LlmConfig): LlmConfig | null {
  let config: LlmConfig | null = null;
  if (input.model) {
    const { provider, model } = splitHandle(input.model);
    config = {
      model,
      model_endpoint_type: endpointTypeOf(provider),
      context_window: previous?.handle === input.model ? previous.context_window : DEFAULT_CONTEXT_WINDOW,
      handle: input.model,
      model_endpoint: null,
      provider_name: provider,
      provider_category: 'base',
      temperature: 0.7,
      max_tokens: null,
      enable_reasoner: true,
      put_inner_thoughts_in_kwargs: false,
      parallel_tool_calls: false,
    };
  } else if (input.llm_config) {
    const raw = input.llm_config;
    const handle = raw.handle ?? `${raw.provider_name ?? raw.model_endpoint_type}/${raw.model}`;
    config = {
      temperature: 0.7,
      max_tokens: null,
      put_inner_thoughts_in_kwargs: false,
      parallel_tool_calls: false,
      ...raw,
      context_window: raw.context_window ?? DEFAULT_CONTEXT_WINDOW,
      handle,
      model_endpoint: raw.model_endpoint ?? null,
      provider_name: raw.provider_name ?? splitHandle(handle).provider,
    };
  } else if (previous) {
    config = { ...previous };
  }
  if (!config) return null;
  if (input.context_window_limit) config.context_window = input.context_window_limit;
  if (input.max_tokens !== undefined) config.max_tokens = input.max_tokens;
  if (input.parallel_tool_calls !== undefined && input.parallel_tool_calls !== null) config.parallel_tool_calls = input.parallel_tool_calls;
  return config;
}

export function resolveEmbeddingConfig(embedding?: string | null, raw?: EmbeddingConfigInputDto | null): EmbeddingConfig | null {
  if (embedding) {
    const { provider, model } = splitHandle(embedding, 'embedding');
    return {
      embedding_endpoint_type: endpointTypeOf(provider),
      embedding_endpoint: null,
      embedding_model: model,
      embedding_dim: EMBEDDING_DIMS[model] ?? 1536,
      embedding_chunk_size: 300,
      batch_size: 32,
      handle: embedding,
    };
  }
  if (raw) {
    return {
      embedding_chunk_size: 300,
      batch_size: 32,
      ...raw,
      handle: raw.handle ?? `${raw.embedding_endpoint_type}/${raw.embedding_model}`,
    };
  }
  return null;
}

/** `model_settings` as Letta derives it when the client stored none. */
export function defaultModelSettings(config: LlmConfig): Record<string, unknown> {
  return {
    provider_type: config.model_endpoint_type,
    temperature: config.temperature ?? 0.7,
    max_output_tokens: config.max_tokens ?? 4096,
    parallel_tool_calls: config.parallel_tool_calls ?? false,
  };
}
