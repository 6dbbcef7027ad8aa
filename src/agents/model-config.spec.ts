import { resolveEmbeddingConfig, resolveLlmConfig, splitHandle } from './model-config';

describe('model handles', () => {
  it('split at the first slash and refuse handles without one', () => {
    expect(splitHandle('openrouter/meta/llama-3')).toEqual({ provider: 'openrouter', model: 'meta/llama-3' });
    expect(() => splitHandle('gpt-4o')).toThrow(/provider\/model-name/);
    expect(() => splitHandle('openai/')).toThrow();
  });

  it('build llm_config from a handle, keeping the context window across unrelated updates', () => {
    const first = resolveLlmConfig({ model: 'anthropic/claude-sonnet-5-5', context_window_limit: 60000 })!;
    expect(first).toMatchObject({ model: 'claude-sonnet-5-5', model_endpoint_type: 'anthropic', provider_name: 'anthropic', context_window: 60000 });
    expect(resolveLlmConfig({}, first)!.context_window).toBe(60000);
    expect(resolveLlmConfig({ model: 'together/mixtral' })!.model_endpoint_type).toBe('together');
    expect(resolveLlmConfig({ model: 'my-proxy/gpt-4o-mini' })!.model_endpoint_type).toBe('openai');
    expect(resolveLlmConfig({})).toBeNull();
  });

  it('build embedding_config from a handle', () => {
    expect(resolveEmbeddingConfig('openai/text-embedding-3-large')).toMatchObject({ embedding_dim: 3072, handle: 'openai/text-embedding-3-large' });
    expect(resolveEmbeddingConfig(null, null)).toBeNull();
  });
});
