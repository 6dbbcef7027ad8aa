import { newId } from '../common/ids';
import type { ChatResponse } from '../llm/llm.types';
import type { ContentPart, MessageEntity } from '../messages/message.entity';
import type { ToolResult } from './tool-executor';
import { packageToolReturn } from './tool-returns';

/** Builders of the rows one turn writes; pure, so the loop and its tests agree on their shape. */

export interface InputMessage {
  role: 'user' | 'system' | 'assistant';
  content: ContentPart[];
  otid?: string | null;
  name?: string | null;
  senderId?: string | null;
}

export interface RowScope {
  agentId: string;
  conversationId: string | null;
  runId: string | null;
  stepId: string | null;
}

function row(scope: RowScope, fields: Partial<MessageEntity>): MessageEntity {
  return {
    id: newId('message'),
    agentId: scope.agentId,
    conversationId: scope.conversationId,
    runId: scope.runId,
    stepId: scope.stepId,
    content: [],
    name: null,
    toolCalls: null,
    toolCallId: null,
    toolReturns: null,
    approvals: null,
    otid: null,
    senderId: null,
    groupId: null,
    model: null,
    isErr: null,
    inContext: true,
    searchText: '',
    createdAt: new Date(),
    ...fields,
  } as MessageEntity;
}

/** A context's system message; never searchable (it is the prompt, not the conversation). */
export function systemRow(scope: RowScope, text: string): MessageEntity {
  return row(scope, { role: 'system', content: [{ type: 'text', text }] });
}

/** A compaction summary: what the model sees (`text`) and the summary itself, searchable. */
export function summaryRow(scope: RowScope, packed: string, summary: string, stats: Record<string, unknown>, createdAt: Date): MessageEntity {
  return row(scope, { role: 'summary', content: [{ type: 'text', text: packed, summary, compaction_stats: stats }], searchText: summary, createdAt });
}

export function inputRow(scope: RowScope, input: InputMessage): MessageEntity {
  return row(scope, {
    role: input.role,
    content: input.content,
    otid: input.otid ?? null,
    name: input.name ?? null,
    senderId: input.senderId ?? null,
    searchText: plainText(input.content),
  });
}

export function assistantRow(scope: RowScope, id: string, response: ChatResponse, model: string): MessageEntity {
  const content: ContentPart[] = response.reasoning.map((r) =>
    r.type === 'reasoning'
      ? { type: 'reasoning', reasoning: r.text, is_native: true, signature: r.signature ?? null }
      : { type: 'redacted_reasoning', data: r.data },
  );
  if (response.text) content.push({ type: 'text', text: response.text });
  return row(scope, {
    id,
    role: 'assistant',
    content,
    model,
    toolCalls: response.toolCalls.length
      ? response.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }))
      : null,
    searchText: response.text,
  });
}

/** One row holds every result of a step, as Letta stores them; the model sees each as Letta's packaged JSON. */
export function toolRow(scope: RowScope, results: ToolResult[], now: Date, timezone: string): MessageEntity {
  return row(scope, {
    role: 'tool',
    name: results[0].name,
    toolCallId: results[0].toolCallId,
    toolReturns: results.map((r) => ({ tool_call_id: r.toolCallId, status: r.status, func_response: r.output, stdout: null, stderr: null })),
    content: results.map((r) => ({
      type: 'tool_return',
      tool_call_id: r.toolCallId,
      content: packageToolReturn(r.output, r.status, now, timezone),
      is_error: r.status === 'error',
    })),
    isErr: results.some((r) => r.status === 'error') || null,
    searchText: results
      .filter((r) => r.searchable)
      .map((r) => r.output)
      .join('\n'),
  });
}

export function plainText(content: ContentPart[]): string {
  return content
    .filter((p) => p.type === 'text')
    .map((p) => p.text as string)
    .join('\n');
}
