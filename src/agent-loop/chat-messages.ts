import type { ChatMessage, ReasoningBlock, UserPart } from '../llm/llm.types';
import type { ContentPart, MessageEntity } from '../messages/message.entity';

/** Turns the stored context window (system message excluded) into the provider-neutral conversation. */
export function toChatMessages(messages: MessageEntity[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let calls = false;
  for (const m of messages) {
    switch (m.role) {
      case 'user':
      case 'summary':
        out.push({ role: 'user', content: toUserParts(m.content) });
        break;
      case 'assistant': {
        let text = '';
        const reasoning: ReasoningBlock[] = [];
        for (const p of m.content) {
          if (p.type === 'text') text += p.text ?? '';
          else if (p.type === 'reasoning') reasoning.push({ type: 'reasoning', text: p.reasoning, signature: p.signature ?? null });
          else if (p.type === 'redacted_reasoning') reasoning.push({ type: 'redacted', data: p.data });
        }
        const toolCalls = m.toolCalls?.length ? m.toolCalls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) : [];
        calls ||= toolCalls.length > 0;
        out.push({ role: 'assistant', text: text || null, reasoning, toolCalls });
        break;
      }
      case 'tool':
        for (const r of m.toolReturns ?? []) {
          const packaged = m.content.find((p) => p.type === 'tool_return' && p.tool_call_id === r.tool_call_id);
          out.push({ role: 'tool', toolCallId: r.tool_call_id, name: m.name ?? '', content: (packaged?.content as string) ?? r.func_response });
        }
        break;
    }
  }
  return calls ? dropUnansweredToolCalls(out) : out;
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
