import type { MessageEntity } from '../messages/message.entity';
import { countMessageTokens, countTokens } from '../llm/tokenizer';
import { toChatMessages, windowEntry } from './chat-messages';

const user = (id: string, text: string) => ({ id, role: 'user', content: [{ type: 'text', text }], toolCalls: null, toolReturns: null }) as unknown as MessageEntity;
const assistant = (id: string, text: string, callId?: string) =>
  ({
    id,
    role: 'assistant',
    content: [{ type: 'text', text }],
    toolCalls: callId ? [{ id: callId, type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] : null,
    toolReturns: null,
  }) as unknown as MessageEntity;
const toolResult = (id: string, callId: string, result: string) =>
  ({ id, role: 'tool', name: 'lookup', content: [], toolCalls: null, toolReturns: [{ tool_call_id: callId, status: 'success', func_response: result }] }) as unknown as MessageEntity;

const entries = (...rows: MessageEntity[]) => rows.map(windowEntry);

describe('toChatMessages', () => {
  it('sends the messages each entry was built with: the next turn gets the same messages for the same entries', () => {
    const window = entries(user('m1', 'hi'), assistant('m2', 'calling', 'call-1'), toolResult('m3', 'call-1', 'found'), assistant('m4', 'done'));
    const first = toChatMessages(window);
    expect(first).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', text: 'calling', reasoning: [], toolCalls: [{ id: 'call-1', name: 'lookup', arguments: '{"q":"x"}' }] },
      { role: 'tool', toolCallId: 'call-1', name: 'lookup', content: 'found' },
      { role: 'assistant', text: 'done', reasoning: [], toolCalls: [] },
    ]);
    const next = toChatMessages([...window, ...entries(user('m5', 'more'))]);
    expect(next.slice(0, 4).every((m, i) => m === first[i])).toBe(true);
    expect(next[4]).toEqual({ role: 'user', content: [{ type: 'text', text: 'more' }] });
  });

  it('keeps a system row as its text, which is no chat message', () => {
    const system = { id: 's1', role: 'system', content: [{ type: 'text', text: 'You are Ada.' }], toolCalls: null, toolReturns: null } as unknown as MessageEntity;
    const [entry] = entries(system);
    expect(entry).toEqual({ id: 's1', role: 'system', chat: [], text: 'You are Ada.' });
    expect(toChatMessages([entry, ...entries(user('m1', 'hi'))])).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('drops a tool call without its result from what is sent, leaving the shared message as it was', () => {
    const [call] = entries(assistant('m2', 'calling', 'call-9'));
    const [, sent] = toChatMessages([...entries(user('m1', 'hi')), call]);
    expect(sent).toMatchObject({ role: 'assistant', toolCalls: [] });
    const [kept] = toChatMessages([call, ...entries(toolResult('m3', 'call-9', 'ok'))]);
    expect(kept).toMatchObject({ role: 'assistant', toolCalls: [{ id: 'call-9' }] });
  });
});

describe('countMessageTokens', () => {
  it('counts each message’s text and framing, the same on every call', () => {
    const chat = toChatMessages(entries(user('c1', 'hello world'), assistant('c2', 'hi there', 'call-2'), toolResult('c3', 'call-2', 'ok')));
    const expected = 4 + countTokens('hello world') + 4 + countTokens('hi there' + 'lookup' + '{"q":"x"}') + 4 + countTokens('ok');
    expect(countMessageTokens(chat)).toBe(expected);
    expect(countMessageTokens(chat)).toBe(expected);
    expect(countMessageTokens(chat.slice(1))).toBe(expected - 4 - countTokens('hello world'));
  });
});
