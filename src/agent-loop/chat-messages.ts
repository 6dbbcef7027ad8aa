import type { ChatMessage, ReasoningBlock, UserPart } from '../llm/llm.types';
import type { ContentPart, MessageEntity } from '../messages/message.entity';

/**
 * The chat messages of each stored row, built once: a window's rows are shared between turns and never changed in
 * place (see `WindowCache`), so a turn converts only the rows it has not sent before. The results are shared as well:
 * nothing may change them.
 */
const converted = new WeakMap<MessageEntity, ChatMessage[]>();

/** Turns the stored context window (system message excluded) into the provider-neutral conversation. */
export function toChatMessages(messages: MessageEntity[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let calls = false;
  for (const m of messages) {
    let chat = converted.get(m);
    if (!chat) converted.set(m, (chat = chatMessagesOf(m)));
    for (const c of chat) {
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
