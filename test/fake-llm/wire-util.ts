/**
 * Protocol-neutral helpers for the fake LLM server: the normalised form of a scripted reply,
 * token estimates, deterministic text splitting and deterministic embeddings.
 */
import { createHash } from 'node:crypto';

export type FinishReason = 'stop' | 'tool_calls' | 'length';

/** A scripted tool call after normalisation: arguments both as the JSON text sent on the wire and as an object. */
export interface NormalizedToolCall {
  id: string;
  name: string;
  /** The arguments exactly as they go on the wire (OpenAI `function.arguments`, Anthropic `partial_json` concatenation). */
  argumentsJson: string;
  /** Anthropic `input`: the parsed object, or the raw string when the scripted arguments are not valid JSON. */
  input: unknown;
}

/** Everything needed to render one assistant turn in either protocol. */
export interface NormalizedReply {
  model: string;
  text?: string;
  reasoning?: string;
  signature: string;
  redactedReasoning?: string;
  toolCalls: NormalizedToolCall[];
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

export function estimateTokens(value: unknown): number {
  if (value === undefined) return 0;
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return Math.ceil(text.length / 4);
}

/** Split text into word-sized pieces whose concatenation is exactly the input. */
export function splitWords(text: string): string[] {
  if (text === '') return [];
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/** Split a JSON string into fragments (at least two when it has two or more characters). */
export function splitFragments(text: string, parts = 3): string[] {
  if (text.length < 2) return [text];
  const n = Math.min(parts, text.length);
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function defaultSignature(reasoning: string): string {
  return 'fake-signature-' + createHash('sha256').update(reasoning).digest('base64url').slice(0, 24);
}

export function randomish(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed).digest('hex').slice(0, 24);
}

/**
 * Deterministic unit vector for a text: a hash-seeded pseudo-random sequence, L2-normalised.
 * Values are rounded to float32 so the float and base64 encodings carry the same numbers.
 */
export function embed(text: string, dim: number): number[] {
  const values: number[] = [];
  let counter = 0;
  while (values.length < dim) {
    const digest = createHash('sha256').update(`${counter++}\u0000${text}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dim; i += 4) {
      values.push(digest.readUInt32LE(i) / 0xffffffff - 0.5);
    }
  }
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0)) || 1;
  return values.map((v) => Math.fround(v / norm));
}

export function float32Base64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}
