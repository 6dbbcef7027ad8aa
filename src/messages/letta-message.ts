import type { MessageEntity, StoredToolReturn } from './message.entity';

export const MESSAGE_TYPES = [
  'system_message',
  'user_message',
  'assistant_message',
  'reasoning_message',
  'hidden_reasoning_message',
  'tool_call_message',
  'tool_return_message',
  'approval_request_message',
  'approval_response_message',
  'summary_message',
  'event_message',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

interface LettaMessageBase {
  id: string;
  date: string;
  otid: string | null;
  name: string | null;
  sender_id: string | null;
  step_id: string | null;
  run_id: string | null;
  is_err: boolean | null;
  seq_id: number | null;
}

/** A LettaMessage as the SDK types it: one stored message expands into one or more of these, sharing its id. */
export interface LettaMessage extends LettaMessageBase {
  message_type: MessageType;
  [field: string]: unknown;
}

export interface RenderOptions {
  /** Show compaction summaries as summary_message instead of the user_message the model saw. */
  includeCompactionMessages?: boolean;
}

/** Letta's otid of the n-th item expanded from a stored message: the message uuid with its last hex digits replaced. */
export function itemOtid(messageId: string, index: number): string {
  const uuid = messageId.replace(/^message-/, '');
  return `${uuid.slice(0, -2)}${index.toString(16).padStart(2, '0')}`;
}

export function textOf(message: Pick<MessageEntity, 'content'>): string {
  return (message.content ?? [])
    .filter((p) => p.type === 'text')
    .map((p) => p.text as string)
    .join('');
}

export function toLettaMessages(m: MessageEntity, options: RenderOptions = {}): LettaMessage[] {
  let index = 0;
  const base = (): LettaMessageBase => ({
    id: m.id,
    date: m.createdAt.toISOString(),
    otid: index === 0 && m.otid ? m.otid : itemOtid(m.id, index++),
    name: m.name,
    sender_id: m.senderId,
    step_id: m.stepId,
    run_id: m.runId,
    is_err: m.isErr ?? null,
    seq_id: null,
  });
  switch (m.role) {
    case 'system':
      return [{ ...base(), message_type: 'system_message', content: textOf(m) }];
    case 'user':
      return [{ ...base(), message_type: 'user_message', content: userContent(m) }];
    case 'summary':
      if (!options.includeCompactionMessages) return [{ ...base(), message_type: 'user_message', content: textOf(m) }];
      const part = m.content.find((p) => p.type === 'text');
      return [{ ...base(), message_type: 'summary_message', summary: part?.summary ?? textOf(m), compaction_stats: part?.compaction_stats ?? null }];
    case 'assistant':
      return assistantItems(m, base);
    case 'tool':
      return (m.toolReturns ?? []).map((r) => toolReturnItem(base(), r));
    default:
      return [];
  }
}

function userContent(m: MessageEntity): string | Record<string, unknown>[] {
  const parts = m.content ?? [];
  if (parts.every((p) => p.type === 'text')) return textOf(m);
  return parts;
}

function assistantItems(m: MessageEntity, base: () => LettaMessageBase): LettaMessage[] {
  const items: LettaMessage[] = [];
  for (const part of m.content ?? []) {
    if (part.type === 'reasoning') {
      items.push({ ...base(), message_type: 'reasoning_message', reasoning: part.reasoning, source: 'reasoner_model', signature: part.signature ?? null });
    } else if (part.type === 'redacted_reasoning') {
      items.push({ ...base(), message_type: 'hidden_reasoning_message', state: 'redacted', hidden_reasoning: part.data ?? null });
    }
  }
  const text = textOf(m);
  if (text) items.push({ ...base(), message_type: 'assistant_message', content: text });
  const calls = (m.toolCalls ?? []).map((c) => ({ name: c.function.name, arguments: c.function.arguments, tool_call_id: c.id }));
  if (calls.length) items.push({ ...base(), message_type: 'tool_call_message', tool_call: calls[0], tool_calls: calls });
  return items;
}

function toolReturnItem(base: LettaMessageBase, r: StoredToolReturn): LettaMessage {
  return {
    ...base,
    message_type: 'tool_return_message',
    tool_return: r.func_response,
    status: r.status,
    tool_call_id: r.tool_call_id,
    stdout: r.stdout ?? null,
    stderr: r.stderr ?? null,
    tool_returns: [{ tool_call_id: r.tool_call_id, status: r.status, tool_return: r.func_response, stdout: r.stdout ?? null, stderr: r.stderr ?? null, type: 'tool' }],
  };
}

/** Applies `include_return_message_types`; null or absent keeps everything. */
export function filterTypes(messages: LettaMessage[], types?: readonly string[] | null): LettaMessage[] {
  return types?.length ? messages.filter((m) => types.includes(m.message_type)) : messages;
}
