import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { invalidArgument } from '../common/errors';
import { AnthropicProvider } from './anthropic.provider';
import { EmbeddingModelInfo, LlmProvider, ModelInfo } from './llm.types';
import { OpenAiProvider } from './openai.provider';
import { loadEncodings } from './tokenizer';

export interface ResolvedModel {
  provider: LlmProvider;
  model: string;
  /** Null when the provider's model listing could not be read. */
  info: ModelInfo | null;
}

interface CachedList<T> {
  at: number;
  value: Promise<T[]>;
}

/** The model providers configured from the environment, addressed by Letta's `provider/model` handles. */
@Injectable()
export class ProvidersService implements OnModuleInit {
  private readonly logger = new Logger(ProvidersService.name);
  private readonly providers = new Map<string, LlmProvider>();
  private readonly modelCache = new Map<string, CachedList<ModelInfo>>();
  private readonly embeddingCache = new Map<string, CachedList<EmbeddingModelInfo>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { llm } = config;
    const common = { timeoutMs: llm.timeoutMs, maxRetries: llm.maxRetries };
    if (llm.openai) this.register(new OpenAiProvider({ name: 'openai', baseUrl: llm.openai.baseUrl, apiKey: llm.openai.apiKey, ...common }));
    if (llm.anthropic) this.register(new AnthropicProvider({ name: 'anthropic', baseUrl: llm.anthropic.baseUrl, apiKey: llm.anthropic.apiKey, ...common }));
    if (llm.ollama) {
      this.register(
        new OpenAiProvider({ name: 'ollama', type: 'ollama', baseUrl: `${llm.ollama.baseUrl}/v1`, apiKey: 'ollama', defaultContextWindow: 8192, ...common }),
      );
    }
  }

  /** cl100k is the estimate for every model family without its own encoding; OpenAI's current models use o200k. */
  onModuleInit(): void {
    loadEncodings(this.config.llm.openai ? ['cl100k_base', 'o200k_base'] : ['cl100k_base']);
  }

  private register(provider: LlmProvider): void {
    this.providers.set(provider.name, provider);
  }

  list(): LlmProvider[] {
    return [...this.providers.values()];
  }

  get(name: string): LlmProvider {
    const provider = this.providers.get(name);
    if (!provider) {
      const configured = this.list().map((p) => p.name);
      throw invalidArgument(
        `Provider '${name}' is not configured. Configured providers: ${configured.length ? configured.join(', ') : 'none (set OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_BASE_URL)'}`,
      );
    }
    return provider;
  }

  /**
   * `letta/auto…` is Letta Cloud's routing placeholder (clients such as the letta CLI send it); on a self-hosted server it
   * means the default model: DEFAULT_MODEL, or the first model the first configured provider lists.
   */
  async concreteHandle(handle: string): Promise<string> {
    if (!handle.startsWith('letta/')) return handle;
    if (this.config.llm.defaultModel) return this.config.llm.defaultModel;
    for (const provider of this.list()) {
      const models = await this.models(provider).catch(() => []);
      if (models.length) return `${provider.name}/${models[0].name}`;
    }
    throw invalidArgument(`'${handle}' needs a default model: set DEFAULT_MODEL or configure a provider that lists its models`);
  }

  /** Finds the provider and model behind a handle; refuses models the provider does not list. */
  async resolve(requested: string): Promise<ResolvedModel> {
    const handle = await this.concreteHandle(requested);
    const slash = handle.indexOf('/');
    const provider = this.get(handle.slice(0, slash));
    const model = handle.slice(slash + 1);
    let models: ModelInfo[];
    try {
      models = await this.models(provider);
    } catch (error) {
      this.logger.warn({ provider: provider.name, err: (error as Error).message }, 'model listing unavailable; accepting the handle unchecked');
      return { provider, model, info: null };
    }
    const info = models.find((m) => m.name === model);
    if (!info) {
      const sample = models.slice(0, 20).map((m) => `${provider.name}/${m.name}`);
      throw invalidArgument(`Model '${handle}' is not served by provider '${provider.name}'. Available: ${sample.join(', ') || 'none'}`);
    }
    return { provider, model, info };
  }

  models(provider: LlmProvider): Promise<ModelInfo[]> {
    return this.cached(this.modelCache, provider.name, () => provider.listModels());
  }

  embeddingModels(provider: LlmProvider): Promise<EmbeddingModelInfo[]> {
    return this.cached(this.embeddingCache, provider.name, () => provider.listEmbeddingModels());
  }

  private cached<T>(cache: Map<string, CachedList<T>>, key: string, load: () => Promise<T[]>): Promise<T[]> {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < this.config.llm.modelListCacheSeconds * 1000) return hit.value;
    const value = load();
    cache.set(key, { at: Date.now(), value });
    value.catch(() => cache.delete(key));
    return value;
  }
}
