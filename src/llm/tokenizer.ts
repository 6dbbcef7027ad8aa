import { get_encoding, Tiktoken } from 'tiktoken';
import type { ChatMessage, ToolSchema } from './llm.types';

type EncodingName = 'o200k_base' | 'cl100k_base';
const encodings = new Map<string, Tiktoken>();

/**
 * Builds the encodings now (a few hundred milliseconds, blocking): better at boot than in the middle of the first turn,
 * where it would stall every request and heartbeat of the process. tiktoken keeps them in WebAssembly memory, outside
 * the JavaScript heap (a pure-JS build of the same ranks takes ~100 MB of heap that every full collection walks).
 */
export function loadEncodings(names: EncodingName[]): void {
  for (const name of names) encoding(name);
}

function encodingFor(model: string): EncodingName {
  return /^(gpt-4o|gpt-4\.1|gpt-5|o1|o3|o4|chatgpt)/.test(model) ? 'o200k_base' : 'cl100k_base';
}

function encoding(name: EncodingName): Tiktoken {
  let enc = encodings.get(name);
  if (!enc) encodings.set(name, (enc = get_encoding(name)));
  return enc;
}

/**
 * Counts of recent texts, oldest evicted first past a total size: a context is counted before every model call, and
 * most of it did not change since the last.
 */
const CACHE_CHARS = 16 * 1024 * 1024;
const caches = { o200k_base: new Map<string, number>(), cl100k_base: new Map<string, number>() };
let cachedChars = 0;

/**
 * Tokens of `text` for a model: OpenAI's own encodings for OpenAI models; for other families (Claude, Llama, ...),
 * whose tokenizers are not public or not bundled, cl100k_base is the estimate. Special tokens' text (`<|endoftext|>`)
 * counts as ordinary text, as what a user or a tool wrote.
 */
export function countTokens(text: string, model = ''): number {
  if (!text) return 0;
  const name = encodingFor(model);
  const cache = caches[name];
  let count = cache.get(text);
  if (count === undefined) {
    count = encoding(name).encode_ordinary(text).length;
    cache.set(text, count);
    cachedChars += text.length;
    for (const oldest of cache.keys()) {
      if (cachedChars <= CACHE_CHARS) break;
      cache.delete(oldest);
      cachedChars -= oldest.length;
    }
  }
  return count;
}

/** Per-message framing tokens chat formats add around each message. */
const MESSAGE_OVERHEAD = 4;

/**
 * Counts kept per object, one table per encoding, for what a turn sends again unchanged: a window's chat messages are
 * built once and shared between turns (see `toChatMessages`), and a turn offers the same tool schemas each step.
 */
type CountsByObject<T extends object> = Record<EncodingName, WeakMap<T, number>>;

function countsByObject<T extends object>(): CountsByObject<T> {
  return { o200k_base: new WeakMap(), cl100k_base: new WeakMap() };
}

/** The sum of `count` over `items`, each object counted once per encoding. */
function sumCounted<T extends object>(items: T[], counts: CountsByObject<T>, name: EncodingName, count: (item: T) => number): number {
  const known = counts[name];
  let sum = 0;
  for (const item of items) {
    let n = known.get(item);
    if (n === undefined) known.set(item, (n = count(item)));
    sum += n;
  }
  return sum;
}

const messageCounts = countsByObject<ChatMessage>();
const toolCounts = countsByObject<ToolSchema>();

export function countMessageTokens(messages: ChatMessage[], model = ''): number {
  return sumCounted(messages, messageCounts, encodingFor(model), (m) => MESSAGE_OVERHEAD + countTokens(messageText(m), model));
}

function messageText(m: ChatMessage): string {
  if (m.role === 'user') return m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
  if (m.role === 'assistant') return (m.text ?? '') + m.toolCalls.map((c) => c.name + c.arguments).join('');
  return m.content;
}

/** Tokens of the tools' schemas as JSON. */
export function countToolTokens(tools: ToolSchema[], model = ''): number {
  const name = encodingFor(model);
  return sumCounted(tools, toolCounts, name, (tool) => encoding(name).encode_ordinary(JSON.stringify(tool)).length);
}
