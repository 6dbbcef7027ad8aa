import type { MessageEntity } from '../messages/message.entity';
import { textOf } from '../messages/letta-message';

export type CompactionMode = 'sliding_window' | 'all';

export interface CompactionSettings {
  /** Summarizer model handle; the agent's own model when absent (or a `letta/auto…` placeholder). */
  model: string | null;
  mode: CompactionMode;
  prompt: string;
  clipChars: number;
  /** Share of the newest messages sliding_window keeps. */
  keepFraction: number;
}

export const DEFAULT_SUMMARY_PROMPT = `You are summarizing the earlier part of a conversation between an AI agent and its user so that the agent can keep working without the full transcript.

Write a compact summary that preserves: the user's goals and requests, decisions made and their reasons, facts learned about the user and the task, tool calls that mattered and their outcomes, open questions, and anything the agent promised to do. Use short paragraphs or bullet points. Do not invent anything that is not in the transcript. Write only the summary.`;

/** Reads Letta's `compaction_settings` (the agent's, overridden field by field by a request's). */
export function resolveSettings(agentSettings: Record<string, unknown> | null, override?: Record<string, unknown> | null): CompactionSettings {
  const merged = { ...(agentSettings ?? {}), ...(override ?? {}) } as Record<string, unknown>;
  const mode = merged.mode === 'all' || merged.mode === 'self_compact_all' ? 'all' : 'sliding_window';
  const model = typeof merged.model === 'string' && !merged.model.startsWith('letta/') ? merged.model : null;
  const pct = Number(merged.sliding_window_percentage);
  return {
    model,
    mode,
    prompt: typeof merged.prompt === 'string' && merged.prompt.trim() ? merged.prompt : DEFAULT_SUMMARY_PROMPT,
    clipChars: Number(merged.clip_chars) > 0 ? Number(merged.clip_chars) : 50_000,
    keepFraction: pct > 0 && pct < 1 ? pct : 0.3,
  };
}

export interface CompactionPlan {
  evict: MessageEntity[];
  keep: MessageEntity[];
}

/**
 * Chooses what leaves the context: everything (`all`, but a trailing user input stays so the turn can answer it), or
 * all but the newest `keepFraction` (`sliding_window`). A tool result never stays without the call that asked for it.
 */
export function planCompaction(history: MessageEntity[], mode: CompactionMode, keepFraction: number, keepTrailingInput: boolean): CompactionPlan {
  let cut = mode === 'all' ? history.length : history.length - Math.max(1, Math.floor(history.length * keepFraction));
  if (keepTrailingInput && history.at(-1)?.role === 'user') cut = Math.min(cut, history.length - 1);
  while (cut < history.length && history[cut].role === 'tool') cut++;
  return { evict: history.slice(0, cut), keep: history.slice(cut) };
}

/** The evicted messages as plain-text lines for the summarizer: one a message (one a result for a tool message). */
export function transcriptLines(messages: MessageEntity[]): string[] {
  return messages.flatMap((m) => {
    const text = textOf(m);
    if (m.role === 'assistant') {
      const calls = (m.toolCalls ?? []).map((c) => ` -> ${c.function.name}(${c.function.arguments})`).join('');
      return [`[assistant] ${text}${calls}`];
    }
    if (m.role === 'tool') return (m.toolReturns ?? []).map((r) => `[tool] ${r.func_response}`);
    if (m.role === 'summary') return [earlierSummaryLine(m.content.find((p) => p.type === 'text')?.summary ?? text)];
    return [`[${m.role}] ${text}`];
  });
}

export const earlierSummaryLine = (summary: string) => `[earlier summary] ${summary}`;

export function transcript(lines: string[]): string {
  return `<start_transcript>\n${lines.join('\n')}\n<end_transcript>`;
}

/**
 * The next part of `lines` (from `from`) that fits in `budget` tokens, and where the part after it starts. A line too
 * long to fit even alone is cut to the budget, so every part makes progress.
 */
export function nextPart(lines: string[], from: number, budget: number, count: (text: string) => number): { part: string[]; next: number } {
  const part: string[] = [];
  let room = budget;
  let i = from;
  for (; i < lines.length; i++) {
    const tokens = count(lines[i]) + 1;
    if (tokens > room) break;
    part.push(lines[i]);
    room -= tokens;
  }
  if (part.length === 0 && i < lines.length) return { part: [cutToTokens(lines[i], budget - 1, count)], next: i + 1 };
  return { part, next: i };
}

/** `text`, or when it takes more than `budget` tokens, its beginning cut to about that many, marked as cut. */
export function cutToTokens(text: string, budget: number, count: (text: string) => number): string {
  if (count(text) <= budget) return text;
  const marker = ' [... cut to fit the summarizer]';
  let kept = text;
  while (kept.length > 0 && count(kept + marker) > budget) kept = kept.slice(0, Math.max(0, Math.floor(((kept.length * budget) / count(kept + marker)) * 0.9)));
  return kept + marker;
}
