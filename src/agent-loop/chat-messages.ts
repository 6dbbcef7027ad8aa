import type { ChatMessage, ReasoningBlock, UserPart } from '../llm/llm.types';
import type { ContentPart, MessageEntity, MessageRole } from '../messages/message.entity';
import { textOf } from '../messages/letta-message';

/**
 * A context window's row as a turn uses it: its chat messages, built once when the row is read or written. Windows stay
 * in memory between turns (see `WindowCache`) as these entries rather than as rows, which take more than twice the
 * memory; nothing may change an entry or its messages, which turns share.
 */
export interface WindowEntry {
  id: string;
  role: MessageRole;
  chat: ChatMessage[];
  /** A system row's text (the system prompt); system rows have no chat messages. */
  text?: string;
}

export function windowEntry(m: MessageEntity): WindowEntry {
  return m.role === 'system' ? { id: m.id, role: m.role, chat: [], text: textOf(m) } : { id: m.id, role: m.role, chat: chatMessagesOf(m) };
}

/** The provider-neutral conversation of a context window's entries (system message excluded). */
export function toChatMessages(entries: WindowEntry[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let calls = false;
  for (const entry of entries) {
    for (const c of entry.chat) {
      out.push(c);
      calls ||= c.role === 'assistant' && c.toolCalls.length > 0;
    }
  }
  return calls ? dropUnansweredToolCalls(out) : out;
}

function chatMessagesOf(m: MessageEntity): ChatMessage[] {
  switch (m.role) {
    case 'user':
    case 'summary':
      return [{ role: 'user', content: toUserParts(m.content) }];
    case 'assistant': {
      let text = '';
      const reasoning: ReasoningBlock[] = [];
      for (const p of m.content) {
        if (p.type === 'text') text += p.text ?? '';
        else if (p.type === 'reasoning') reasoning.push({ type: 'reasoning', text: p.reasoning, signature: p.signature ?? null });
        else if (p.type === 'redacted_reasoning') reasoning.push({ type: 'redacted', data: p.data });
      }
      const toolCalls = m.toolCalls?.length ? m.toolCalls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) : [];
      return [{ role: 'assistant', text: text || null, reasoning, toolCalls }];
    }
    case 'tool':
      return (m.toolReturns ?? []).map((r) => {
        const packaged = m.content.find((p) => p.type === 'tool_return' && p.tool_call_id === r.tool_call_id);
        return { role: 'tool', toolCallId: r.tool_call_id, name: m.name ?? '', content: (packaged?.content as string) ?? r.func_response };
      });
    default:
      return [];
  }
}

function toUserParts(content: ContentPart[]): UserPart[] {
  const parts: UserPart[] = [];
  for (const p of content) {
    if (p.type === 'text') parts.push({ type: 'text', text: p.text });
    else if (p.type === 'image' && p.source) {
      const source = p.source as { type: string; url?: string; media_type?: string; data?: string };
      parts.push(source.type === 'url' ? { type: 'image', mediaType: 'image/*', url: source.url } : { type: 'image', mediaType: source.media_type ?? 'image/png', data: source.data });
    }
  }
  return parts.length ? parts : [{ type: 'text', text: '' }];
}

/**
 * Providers reject a tool call without its result. Steps are persisted atomically, so this only guards against
 * histories edited by hand (message_ids, imports): calls without results are dropped rather than sent.
 */
function dropUnansweredToolCalls(messages: ChatMessage[]): ChatMessage[] {
  const answered = new Set(messages.filter((m) => m.role === 'tool').map((m) => (m as { toolCallId: string }).toolCallId));
  return messages.map((m) => (m.role === 'assistant' && m.toolCalls.some((c) => !answered.has(c.id)) ? { ...m, toolCalls: m.toolCalls.filter((c) => answered.has(c.id)) } : m));
}
