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

/** A plain-text transcript of the evicted messages for the summarizer. */
export function transcript(messages: MessageEntity[]): string {
  const lines = messages.map((m) => {
    const text = textOf(m);
    if (m.role === 'assistant') {
      const calls = (m.toolCalls ?? []).map((c) => ` -> ${c.function.name}(${c.function.arguments})`).join('');
      return `[assistant] ${text}${calls}`;
    }
    if (m.role === 'tool') return (m.toolReturns ?? []).map((r) => `[tool] ${r.func_response}`).join('\n');
    if (m.role === 'summary') return `[earlier summary] ${m.content.find((p) => p.type === 'text')?.summary ?? text}`;
    return `[${m.role}] ${text}`;
  });
  return `<start_transcript>\n${lines.join('\n')}\n<end_transcript>`;
}
