import { get_encoding } from 'tiktoken';
import request from 'supertest';
import type { RecordedRequest, ScriptedReply } from '../fake-llm/fake-llm-server';
import { waitFor } from '../support/wait';
import { startTestApp, TEST_MODELS, TestApp } from '../support/app';
import { failure } from '../support/errors';
import { createAgent } from '../support/factories';
import { systemOf } from '../support/prompts';
import { QueuesService } from '../../src/queue/queues.service';

jest.setTimeout(120_000);

const WINDOW = 2000;
const encoding = get_encoding('cl100k_base');

const isSummarization = (req: RecordedRequest) => systemOf(req).startsWith('You are summarizing');
/** A scripted reply for the agent's own calls only, never consumed by a (background) summarizer call. */
const forChat = <T extends object>(step: T) => ({ ...step, when: (req: RecordedRequest) => !isSummarization(req) });

/** Tokens of a recorded OpenAI request, counted independently of the server's own accounting. */
function requestTokens(req: RecordedRequest): number {
  const messages = req.body.messages as { content: unknown; tool_calls?: unknown }[];
  const text = messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')) + JSON.stringify(m.tool_calls ?? '')).join('\n');
  return encoding.encode_ordinary(text).length + encoding.encode_ordinary(JSON.stringify(req.body.tools ?? [])).length + 4 * messages.length;
}

/** The fake answers chats with a sentence of filler, and summarization requests with a short summary. */
function reply(req: RecordedRequest): ScriptedReply {
  if (isSummarization(req)) return { text: `SUMMARY of ${req.body.messages[1].content.length} chars of transcript.` };
  return { text: 'Here is a reasonably detailed answer with enough words to fill the context window over time, as real answers do.' };
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { models: [...TEST_MODELS, { id: 'tiny-model', contextWindow: WINDOW }], defaultReply: reply });
});
afterAll(() => t.close());
beforeEach(() => t.fake.reset());


async function allMessages(agentId: string, conversationId?: string) {
  const items: { id: string; message_type: string; content?: unknown }[] = [];
  const pages = conversationId ? t.letta.conversations.messages.list(conversationId, { order: 'asc', limit: 200 }) : t.letta.agents.messages.list(agentId, { order: 'asc', limit: 200 });
  for await (const m of pages) items.push(m as unknown as { id: string; message_type: string; content?: unknown });
  return items;
}

const tinyAgent = () => createAgent(t.letta, { model: 'openai/tiny-model' });

describe('compaction keeps every model call inside the window and never loses a message', () => {
  it('runs a long chat with tool loops: no request over the window, every message still listed and searchable, summaries in place', async () => {
    const agent = await tinyAgent();
    const turns = 120;
    for (let i = 0; i < turns; i++) {
      if (i % 10 === 5) t.fake.script(forChat({ toolCalls: [{ name: 'conversation_search', arguments: { query: `question ${i - 1}` } }] }));
      await t.letta.agents.messages.create(agent.id, { input: `question ${i}: tell me something about topic number ${i}` });
    }
    const chats = t.fake.requests.filter((r) => !isSummarization(r));
    const summaries = t.fake.requests.filter(isSummarization);
    expect(chats.length).toBe(turns + turns / 10);
    expect(summaries.length).toBeGreaterThan(2);
    const sizes = chats.map(requestTokens);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(WINDOW);

    const listed = await allMessages(agent.id);
    const users = listed.filter((m) => m.message_type === 'user_message').map((m) => String(m.content));
    for (let i = 0; i < turns; i++) expect(users).toContain(`question ${i}: tell me something about topic number ${i}`);
    expect(listed.filter((m) => m.message_type === 'tool_return_message')).toHaveLength(turns / 10);

    const state = await t.letta.agents.retrieve(agent.id);
    const window = await Promise.all(state.message_ids!.slice(0, 2).map((id) => t.letta.messages.retrieve(id)));
    expect(window[0][0].message_type).toBe('system_message');
    expect(String((window[1][0] as unknown as { content: string }).content)).toMatch(/"type":"system_alert".*SUMMARY of/);
    expect(String(chats.at(-1)!.body.messages[1].content)).toContain('system_alert');

    t.fake.script(forChat({ toolCalls: [{ name: 'conversation_search', arguments: { query: 'topic number 3' } }] }));
    const search = await t.letta.agents.messages.create(agent.id, { input: 'what did I ask about topic 3?' });
    const found = (search.messages as unknown as { message_type: string; tool_return?: string }[]).find((m) => m.message_type === 'tool_return_message')!;
    expect(found.tool_return).toContain('question 3: tell me something about topic number 3');
  });

  it('retries once after a provider context-overflow error, compacting first, and succeeds', async () => {
    const agent = await tinyAgent();
    for (let i = 0; i < 6; i++) await t.letta.agents.messages.create(agent.id, { input: `warm-up ${i}` });
    t.fake.reset();
    t.fake.script(forChat({ error: 'context_overflow' as const }), forChat({ text: 'fits now' }));
    const response = await t.letta.agents.messages.create(agent.id, { input: 'one more' });
    expect((response.messages[0] as unknown as { content: string }).content).toBe('fits now');
    const [overflowed, retried] = t.fake.requests.filter((r) => !isSummarization(r));
    expect(t.fake.requests.filter(isSummarization).length).toBeGreaterThan(0);
    expect(requestTokens(retried)).toBeLessThan(requestTokens(overflowed));

    t.fake.script(forChat({ error: 'context_overflow' as const }), forChat({ error: 'context_overflow' as const }));
    const twice = await failure(t.letta.agents.messages.create(agent.id, { input: 'and again' }));
    expect(twice.error).toMatchObject({ stop_reason: 'llm_api_error', error: { type: 'llm_bad_request' } });
  });

  it('compacts in the background between turns, so the next turn starts lean', async () => {
    const agent = await tinyAgent();
    // This agent's summarization (an earlier test's background compaction may still be finishing)
    const summarizesThis = (req: RecordedRequest) => isSummarization(req) && JSON.stringify(req.body).includes('filling the context');
    let turns = 0;
    while (!t.fake.requests.some(summarizesThis) && turns < 60) {
      await t.letta.agents.messages.create(agent.id, { input: `filling the context, message ${turns++}` });
      await new Promise((r) => setTimeout(r, 30));
    }
    const summaryAt = t.fake.requests.findIndex(summarizesThis);
    expect(summaryAt).toBeGreaterThan(0);
    // Between turns: the summarizer ran after the last turn's model call, not inside a turn at 90 % of the window.
    const lastChat = t.fake.requests.slice(0, summaryAt).filter((r) => !isSummarization(r)).at(-1)!;
    expect(requestTokens(lastChat)).toBeLessThan(WINDOW * 0.9);
    const summarized = async () => {
      const ids = (await t.letta.agents.retrieve(agent.id)).message_ids!;
      const second = await t.letta.messages.retrieve(ids[1]);
      return { ids, summary: String((second[0] as unknown as { content: string }).content).includes('system_alert') };
    };
    const compacted = await waitFor(summarized, (s) => s.summary);
    expect(compacted.summary).toBe(true);
    expect(compacted.ids.length).toBeLessThan((await allMessages(agent.id)).length);
    await t.letta.agents.messages.create(agent.id, { input: 'after the background compaction' });
    expect(requestTokens(t.fake.lastRequest()!)).toBeLessThan(requestTokens(lastChat));
  });

  it('compacts in the background again after a background compaction failed every attempt', async () => {
    const app = await startTestApp({ COMPACTION_BACKGROUND_RATIO: '1' }, { models: [{ id: 'tiny-model', contextWindow: WINDOW }], defaultReply: reply });
    try {
      const agent = await createAgent(app.letta, { model: 'openai/tiny-model' });
      for (let i = 0; i < 8; i++) await app.letta.agents.messages.create(agent.id, { input: `worth summarizing ${i}` });
      const summarizations = () => Promise.resolve(app.fake.requests.filter(isSummarization).length);
      const queues = app.app.get(QueuesService);
      app.fake.script(...Array.from({ length: 4 }, () => ({ error: 'server' as const, when: isSummarization })));
      await queues.enqueueCompaction(agent.id, null);
      // four attempts, 0.5 + 1 + 2 s apart, then the job is dropped
      expect(await waitFor(summarizations, (n) => n === 4, 15_000)).toBe(4);
      await new Promise((r) => setTimeout(r, 500));
      expect(app.fake.pending()).toBe(0);
      await queues.enqueueCompaction(agent.id, null);
      expect(await waitFor(summarizations, (n) => n === 5)).toBe(5);
      const summary = await waitFor(
        async () => (await app.letta.messages.retrieve((await app.letta.agents.retrieve(agent.id)).message_ids![1]))[0] as unknown as { content: string },
        (m) => String(m.content).includes('system_alert'),
      );
      expect(String(summary.content)).toContain('SUMMARY of');
    } finally {
      await app.close();
    }
  });

  it('streams the compaction event and summary when include_compaction_messages is set', async () => {
    // Background compaction off, so the context fills up until a turn has to compact before its model call.
    const app = await startTestApp({ COMPACTION_BACKGROUND_RATIO: '1' }, { models: [{ id: 'tiny-model', contextWindow: WINDOW }], defaultReply: reply });
    let chunks: { message_type: string; [k: string]: unknown }[] = [];
    try {
      const agent = await createAgent(app.letta, { model: 'openai/tiny-model' });
      for (let i = 0; i < 40; i++) {
        const stream = await app.letta.agents.messages.create(agent.id, { input: `streamed message ${i} with some words`, streaming: true, include_compaction_messages: true });
        chunks = [];
        for await (const c of stream) chunks.push(c as { message_type: string });
        if (chunks.some((c) => c.message_type === 'summary_message')) break;
      }
    } finally {
      await app.close();
    }
    const types = chunks.map((c) => c.message_type);
    expect(types.slice(0, 3)).toEqual(['ping', 'event_message', 'summary_message']);
    expect(chunks[1]).toMatchObject({ event_type: 'compaction', event_data: { trigger: 'context_window_exceeded', context_window: WINDOW } });
    expect(chunks[2].summary).toMatch(/^SUMMARY of/);
    expect(types.slice(-3)).toEqual(['assistant_message', 'stop_reason', 'usage_statistics']);
  });
});

describe('manual compaction', () => {
  it('compacts one conversation and leaves the other untouched; 400 when nothing can be reduced', async () => {
    const agent = await createAgent(t.letta);
    const a = await t.letta.conversations.create({ agent_id: agent.id });
    const b = await t.letta.conversations.create({ agent_id: agent.id });
    for (let i = 0; i < 5; i++) {
      await request(t.url).post(`/v1/conversations/${a.id}/messages`).send({ input: `a ${i}`, streaming: false }).expect(200);
      await request(t.url).post(`/v1/conversations/${b.id}/messages`).send({ input: `b ${i}`, streaming: false }).expect(200);
    }
    const beforeB = (await t.letta.conversations.retrieve(b.id)).in_context_message_ids;
    const result = await t.letta.conversations.messages.compact(a.id, { compaction_settings: { mode: 'all' } });
    expect(result).toMatchObject({ summary: expect.stringMatching(/^SUMMARY of/), num_messages_before: 11, num_messages_after: 2 });
    expect((await t.letta.conversations.retrieve(a.id)).in_context_message_ids).toHaveLength(2);
    expect((await t.letta.conversations.retrieve(b.id)).in_context_message_ids).toEqual(beforeB);
    expect(await allMessages(agent.id, a.id)).toHaveLength(12);

    const empty = await t.letta.conversations.create({ agent_id: agent.id });
    expect((await failure(t.letta.conversations.messages.compact(empty.id, {}))).status).toBe(400);

    for (let i = 0; i < 4; i++) await t.letta.agents.messages.create(agent.id, { input: `own ${i}` });
    const own = await t.letta.agents.messages.compact(agent.id, {});
    expect(own.num_messages_after).toBeLessThan(own.num_messages_before);
    const again = await t.letta.agents.messages.compact(agent.id, { compaction_settings: { mode: 'all' } });
    expect(again.num_messages_after).toBe(2);
    const idle = await t.letta.agents.messages.compact(agent.id, {});
    expect(idle).toEqual({ summary: again.summary, num_messages_before: 2, num_messages_after: 2 });
  });

  it('summarizes a transcript larger than the summarizer can read in parts, each within its window, the summary so far leading the next', async () => {
    // A large-window agent whose summaries are written by the tiny model.
    const agent = await createAgent(t.letta, { compaction_settings: { model: 'openai/tiny-model' } });
    const topic = (i: number) => `Topic ${i}: ` + 'a long remark about the project and its many details '.repeat(25);
    for (let i = 0; i < 8; i++) await t.letta.agents.messages.create(agent.id, { input: topic(i) });
    t.fake.reset();
    const result = await t.letta.agents.messages.compact(agent.id, { compaction_settings: { mode: 'all' } });
    const parts = t.fake.requests.filter(isSummarization);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(requestTokens(part) + encoding.encode_ordinary(systemOf(part)).length).toBeLessThanOrEqual(WINDOW);
    const texts = parts.map((part) => String(part.body.messages[1].content));
    // Every message was read once, in order, and every part after the first starts from the summary so far.
    for (let i = 0; i < 8; i++) expect(texts.filter((text) => text.includes(`Topic ${i}:`))).toHaveLength(1);
    expect(texts.findIndex((text) => text.includes('Topic 7:'))).toBeGreaterThan(texts.findIndex((text) => text.includes('Topic 0:')));
    for (const text of texts.slice(1)) expect(text).toMatch(/^<start_transcript>\n\[earlier summary\] SUMMARY of/);
    expect(result).toMatchObject({ summary: expect.stringMatching(/^SUMMARY of/), num_messages_after: 2 });
  });

  it('fails a compaction whose summarizer has no room for a transcript next to its prompt, calling no model', async () => {
    const agent = await createAgent(t.letta, { compaction_settings: { model: 'openai/tiny-model', prompt: 'Summarize carefully. '.repeat(400) } });
    for (let i = 0; i < 3; i++) await t.letta.agents.messages.create(agent.id, { input: `message ${i}` });
    t.fake.reset();
    const failed = await failure(t.letta.agents.messages.compact(agent.id, { compaction_settings: { mode: 'all' } }));
    expect(failed.status).toBe(502);
    expect(failed.error.detail).toMatch(/no room for a transcript/);
    expect(t.fake.requests.filter(isSummarization)).toHaveLength(0);
  });

  it('answers a send that arrives while a compaction holds the context once the compaction is done, its input written once', async () => {
    const agent = await tinyAgent();
    for (let i = 0; i < 3; i++) await t.letta.agents.messages.create(agent.id, { input: `earlier ${i}` });
    t.fake.script({ text: 'SUMMARY of the earlier talk.', delayMs: 700, when: isSummarization }, forChat({ text: 'after the summary' }));
    const compaction = t.letta.agents.messages.compact(agent.id, { compaction_settings: { mode: 'all' } });
    await waitFor(async () => t.fake.requests.filter(isSummarization).length, (n) => n === 1);
    const response = await t.letta.agents.messages.create(agent.id, { input: 'during the compaction' });
    await compaction;

    expect((response.messages[0] as unknown as { content: string }).content).toBe('after the summary');
    const turn = t.fake.requests.filter((req) => !isSummarization(req)).at(-1)!;
    expect(JSON.stringify(turn.body.messages)).toContain('SUMMARY of the earlier talk.');
    const inputs = (await allMessages(agent.id)).filter((m) => m.message_type === 'user_message' && m.content === 'during the compaction');
    expect(inputs).toHaveLength(1);
    expect((await t.letta.runs.list({ agent_id: agent.id, active: true })).items).toHaveLength(0);
  });

  it('waits for the run active on the context to end, and compacts what it wrote too', async () => {
    const agent = await createAgent(t.letta);
    for (let i = 0; i < 3; i++) await t.letta.agents.messages.create(agent.id, { input: `before ${i}` });
    t.fake.script(forChat({ text: 'the slow answer', delayMs: 700 }));
    const turn = t.letta.agents.messages.create(agent.id, { input: 'a slow one' });
    await waitFor(async () => t.fake.requests.some((req) => !isSummarization(req) && JSON.stringify(req.body).includes('a slow one')), (seen) => seen);
    const compacted = await t.letta.agents.messages.compact(agent.id, { compaction_settings: { mode: 'all' } });
    expect(((await turn).messages[0] as unknown as { content: string }).content).toBe('the slow answer');

    const summarization = t.fake.requests.filter(isSummarization).at(-1)!;
    expect(JSON.stringify(summarization.body)).toContain('the slow answer');
    expect(compacted.num_messages_after).toBe(2);
    expect((await t.letta.agents.retrieve(agent.id)).message_ids).toHaveLength(2);
  });

  it('reports a failing summarizer and leaves the context as it was, manually and during a turn', async () => {
    const agent = await tinyAgent();
    for (let i = 0; i < 5; i++) await t.letta.agents.messages.create(agent.id, { input: `keep me ${i}` });
    const before = (await t.letta.agents.retrieve(agent.id)).message_ids;
    t.fake.script({ error: 'server' as const, when: isSummarization });
    const manual = await failure(t.letta.agents.messages.compact(agent.id, { compaction_settings: { mode: 'all' } }));
    expect(manual.status).toBe(502);
    expect(manual.error.detail).toMatch(/Compaction failed: the summarizer model call failed/);
    expect((await t.letta.agents.retrieve(agent.id)).message_ids).toEqual(before);

    t.fake.reset();
    t.fake.script(...Array.from({ length: 50 }, () => ({ error: 'server' as const, when: isSummarization })));
    let failed: Awaited<ReturnType<typeof failure>> | null = null;
    for (let i = 0; i < 40 && !failed; i++) {
      try {
        await t.letta.agents.messages.create(agent.id, { input: `pushing towards the limit ${i}` });
      } catch {
        failed = await failure(t.letta.agents.messages.create(agent.id, { input: 'still over' }));
      }
    }
    expect(failed).not.toBeNull();
    expect(failed!.error).toMatchObject({ stop_reason: 'llm_api_error', detail: expect.stringMatching(/Compaction failed/) });
    const listed = await allMessages(agent.id);
    expect(listed.filter((m) => m.message_type === 'user_message').map((m) => m.content)).toContain('keep me 0');
    const state = await t.letta.agents.retrieve(agent.id);
    expect(state.message_ids!.length).toBe(listed.length);
  });
});
