/** Context windows of well-known models, for providers whose model listing does not report them. */
const CONTEXT_WINDOWS: [RegExp, number][] = [
  [/^gpt-4\.1/, 1_047_576],
  [/^gpt-5/, 400_000],
  [/^(gpt-4o|o1|o3|o4|chatgpt-4o)/, 128_000],
  [/^gpt-4-turbo/, 128_000],
  [/^gpt-4/, 8_192],
  [/^gpt-3\.5/, 16_385],
  [/^claude/, 200_000],
  [/^(llama3\.[123]|llama-3\.[123])/, 128_000],
  [/^(llama3|llama-3)/, 8_192],
  [/^(qwen|mistral|deepseek)/, 32_768],
];

export function knownContextWindow(model: string): number | undefined {
  return CONTEXT_WINDOWS.find(([pattern]) => pattern.test(model))?.[1];
}
