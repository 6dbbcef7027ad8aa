import type { RecordedRequest } from '../fake-llm/fake-llm-server';

/** The system prompt a recorded model request carried, whichever protocol it used. */
export function systemOf(req: RecordedRequest): string {
  if (req.protocol === 'anthropic') {
    const system = req.body.system;
    return typeof system === 'string' ? system : (system ?? []).map((b: { text: string }) => b.text).join('');
  }
  return req.body.messages.find((m: { role: string }) => m.role === 'system')?.content ?? '';
}

/** The plain text of every non-system message a recorded request carried, in order. */
export function conversationOf(req: RecordedRequest): string[] {
  const text = (content: unknown): string =>
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((p: { type: string; text?: string; content?: unknown }) => (p.type === 'text' ? p.text : p.type === 'tool_result' ? text(p.content) : '')).join('')
        : '';
  return req.body.messages.filter((m: { role: string }) => m.role !== 'system').map((m: { content: unknown }) => text(m.content));
}
