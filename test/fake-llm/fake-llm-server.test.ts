/** Drives the fake LLM server with the real `openai` and `@anthropic-ai/sdk` clients to prove the wire protocols. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { FakeLlmServer } from './fake-llm-server';
import { realmSafeFetch } from './realm-safe-fetch';

jest.setTimeout(10_000);

let fake: FakeLlmServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await FakeLlmServer.start({
    models: [{ id: 'fake-model', contextWindow: 128000 }, { id: 'small-model', contextWindow: 8192 }],
    embeddingModels: [{ id: 'fake-embedding', dim: 8 }, { id: 'wide-embedding', dim: 32 }],
  });
  openai = new OpenAI({ apiKey: 'x', baseURL: fake.openaiBaseUrl, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'x', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => fake.reset());

const userMessages = [{ role: 'user' as const, content: 'hello there' }];

/** Accumulate an OpenAI chat stream the way a client loop would: text, reasoning, tool calls by index, usage. */
async function collectOpenAiStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = '';
  let reasoning = '';
  let finishReason: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  let contentChunks = 0;
  const calls: { id?: string; name?: string; arguments: string; deltas: number }[] = [];
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta as typeof choice.delta & { reasoning_content?: string };
    if (delta.content) {
      text += delta.content;
      contentChunks++;
    }
    if (delta.reasoning_content) reasoning += delta.reasoning_content;
    for (const tc of delta.tool_calls ?? []) {
      const call = (calls[tc.index] ??= { arguments: '', deltas: 0 });
      call.deltas++;
      if (tc.id) call.id = tc.id;
      if (tc.function?.name) call.name = tc.function.name;
      if (tc.function?.arguments) call.arguments += tc.function.arguments;
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  return { text, reasoning, finishReason, usage, calls, contentChunks };
}

describe('model listing', () => {
  it('serves the OpenAI model list, embedding models included', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(['fake-model', 'small-model', 'fake-embedding', 'wide-embedding']);
    const page = await openai.models.list();
    expect((page.data[1] as unknown as { context_window: number }).context_window).toBe(8192);
    expect((await openai.models.retrieve('small-model')).id).toBe('small-model');
    expect(fake.requests).toHaveLength(0);
  });

  it('serves the Anthropic model list', async () => {
    const models: Anthropic.ModelInfo[] = [];
    for await (const model of anthropic.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual(['fake-model', 'small-model']);
    expect(models[0]).toMatchObject({ type: 'model', display_name: 'fake-model' });
    expect((await anthropic.models.retrieve('small-model')).id).toBe('small-model');
  });
});

describe('OpenAI chat completions', () => {
  it('answers a non-streamed request with the scripted text and estimated usage', async () => {
    fake.script({ text: 'Hello from the fake.' });
    const res = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('fake-model');
    expect(res.choices[0].message).toMatchObject({ role: 'assistant', content: 'Hello from the fake.' });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({
      prompt_tokens: Math.ceil(JSON.stringify(userMessages).length / 4),
      completion_tokens: Math.ceil('Hello from the fake.'.length / 4),
    });
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(fake.pending()).toBe(0);
  });

  it('answers with the default reply when nothing is scripted', async () => {
    const res = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages });
    expect(res.choices[0].message.content).toBe('ok');
  });

  it('returns non-streamed tool calls, reasoning and usage overrides', async () => {
    fake.script({
      reasoning: 'I should look it up.',
      toolCalls: [
        { name: 'search', arguments: { query: 'cats', limit: 3 } },
        { name: 'raw', arguments: '{"not valid', id: 'call_custom' },
      ],
      usage: { prompt_tokens: 111, completion_tokens: 22 },
    });
    const res = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages });
    const message = res.choices[0].message as OpenAI.Chat.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.content).toBeNull();
    expect(message.reasoning_content).toBe('I should look it up.');
    expect(res.choices[0].finish_reason).toBe('tool_calls');
    expect(message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"query":"cats","limit":3}' } },
      { id: 'call_custom', type: 'function', function: { name: 'raw', arguments: '{"not valid' } },
    ]);
    expect(res.usage).toMatchObject({ prompt_tokens: 111, completion_tokens: 22, total_tokens: 133 });
  });

  it('streams text in several chunks that assemble to the scripted text, with usage at the end', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    fake.script({ text, chunkDelayMs: 2 });
    const stream = await openai.chat.completions.create({
      model: 'fake-model',
      messages: userMessages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const out = await collectOpenAiStream(stream);
    expect(out.text).toBe(text);
    expect(out.contentChunks).toBeGreaterThan(3);
    expect(out.finishReason).toBe('stop');
    expect(out.usage).toMatchObject({
      prompt_tokens: Math.ceil(JSON.stringify(userMessages).length / 4),
      completion_tokens: Math.ceil(text.length / 4),
    });
    expect(fake.lastRequest()).toMatchObject({ protocol: 'openai', path: '/v1/chat/completions', stream: true });
  });

  it('omits usage from the stream unless include_usage is set', async () => {
    fake.script({ text: 'no usage' });
    const stream = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages, stream: true });
    const out = await collectOpenAiStream(stream);
    expect(out.text).toBe('no usage');
    expect(out.usage).toBeUndefined();
  });

  it('streams reasoning_content and tool call deltas in the real shape', async () => {
    fake.script({
      reasoning: 'Thinking about which tool to use.',
      text: 'Let me check.',
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
        { name: 'send_message', arguments: { message: 'On it!' }, id: 'call_given' },
      ],
    });
    const stream = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages, stream: true });
    const out = await collectOpenAiStream(stream);
    expect(out.reasoning).toBe('Thinking about which tool to use.');
    expect(out.text).toBe('Let me check.');
    expect(out.finishReason).toBe('tool_calls');
    expect(out.calls.map(({ id, name, arguments: a }) => ({ id, name, args: JSON.parse(a) }))).toEqual([
      { id: 'call_1', name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } },
      { id: 'call_given', name: 'send_message', args: { message: 'On it!' } },
    ]);
    // one header delta plus at least two argument fragments per call
    for (const call of out.calls) expect(call.deltas).toBeGreaterThanOrEqual(3);
  });

  it("satisfies the SDK's own stream accumulator (chat.completions.stream)", async () => {
    fake.script({ text: 'Calling a tool.', toolCalls: [{ name: 'archival_search', arguments: { q: 'x' } }] });
    const runner = openai.chat.completions.stream({
      model: 'fake-model',
      messages: userMessages,
      tools: [{ type: 'function', function: { name: 'archival_search', parameters: { type: 'object', properties: {} } } }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Calling a tool.');
    expect(final.choices[0].message.tool_calls).toEqual([
      expect.objectContaining({ id: 'call_1', type: 'function', function: expect.objectContaining({ name: 'archival_search', arguments: '{"q":"x"}' }) }),
    ]);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
  });

  it('honours finishReason length', async () => {
    fake.script({ text: 'cut', finishReason: 'length' }, { text: 'cut', finishReason: 'length' });
    const res = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages });
    expect(res.choices[0].finish_reason).toBe('length');
    const out = await collectOpenAiStream(
      await openai.chat.completions.create({ model: 'fake-model', messages: userMessages, stream: true }),
    );
    expect(out.finishReason).toBe('length');
  });
});

describe('Anthropic messages', () => {
  const base = { model: 'fake-model', max_tokens: 1024, messages: userMessages };

  it('answers a non-streamed request with content blocks and usage', async () => {
    fake.script({ text: 'Hi from Claude-ish.' });
    const res = await anthropic.messages.create({ ...base, system: 'You are a test.' });
    expect(res).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'fake-model',
      content: [{ type: 'text', text: 'Hi from Claude-ish.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: Math.ceil(JSON.stringify(['You are a test.', userMessages]).length / 4),
        output_tokens: Math.ceil('Hi from Claude-ish.'.length / 4),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(res.id).toMatch(/^msg_/);
  });

  it('returns thinking, redacted thinking and tool_use blocks non-streamed', async () => {
    fake.script({
      reasoning: 'Deep thoughts.',
      signature: 'sig-123',
      redactedReasoning: 'ENCRYPTED',
      toolCalls: [{ name: 'core_memory_append', arguments: { label: 'human', content: 'likes cats' } }],
    });
    const res = await anthropic.messages.create(base);
    expect(res.stop_reason).toBe('tool_use');
    expect(res.content).toEqual([
      { type: 'thinking', thinking: 'Deep thoughts.', signature: 'sig-123' },
      { type: 'redacted_thinking', data: 'ENCRYPTED' },
      { type: 'tool_use', id: 'toolu_1', name: 'core_memory_append', input: { label: 'human', content: 'likes cats' } },
    ]);
  });

  it('streams text that assembles to the scripted text, with usage', async () => {
    const text = 'Streaming works one word at a time.';
    fake.script({ text, chunkDelayMs: 2 });
    const stream = anthropic.messages.stream(base);
    const deltas: string[] = [];
    stream.on('text', (d) => deltas.push(d));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(text);
    expect(final.content).toEqual([{ type: 'text', text }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.input_tokens).toBe(Math.ceil(JSON.stringify(userMessages).length / 4));
    expect(final.usage.output_tokens).toBe(Math.ceil(text.length / 4));
    expect(fake.lastRequest()).toMatchObject({ protocol: 'anthropic', path: '/v1/messages', stream: true });
  });

  it('streams thinking with a signature, text and tool calls', async () => {
    fake.script({
      reasoning: 'The user wants weather.',
      redactedReasoning: 'REDACTED',
      text: 'Checking.',
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'send_message', arguments: { message: 'Done' }, id: 'toolu_given' },
      ],
      usage: { prompt_tokens: 50, completion_tokens: 7 },
    });
    const stream = anthropic.messages.stream(base);
    const jsonFragments: string[] = [];
    stream.on('inputJson', (partial) => jsonFragments.push(partial));
    const final = await stream.finalMessage();
    const defaultSig = (final.content[0] as Anthropic.ThinkingBlock).signature;
    expect(defaultSig).toMatch(/^fake-signature-/);
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'The user wants weather.', signature: defaultSig },
      { type: 'redacted_thinking', data: 'REDACTED' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_given', name: 'send_message', input: { message: 'Done' } },
    ]);
    expect(jsonFragments.length).toBeGreaterThanOrEqual(4);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage).toMatchObject({ input_tokens: 50, output_tokens: 7 });
  });

  it('streams raw events in the documented order', async () => {
    fake.script({ text: 'a b', toolCalls: [{ name: 't', arguments: { x: 1 } }] });
    const stream = await anthropic.messages.create({ ...base, stream: true });
    const types: string[] = [];
    for await (const ev of stream) {
      types.push(ev.type === 'content_block_delta' ? `delta:${ev.delta.type}` : ev.type);
    }
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'delta:text_delta',
      'delta:text_delta',
      'content_block_stop',
      'content_block_start',
      'delta:input_json_delta',
      'delta:input_json_delta',
      'delta:input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('counts tokens', async () => {
    const res = await anthropic.messages.countTokens({ model: 'fake-model', messages: userMessages });
    expect(res.input_tokens).toBe(Math.ceil(JSON.stringify(userMessages).length / 4));
  });
});

describe('scripted errors', () => {
  const oa = () => openai.chat.completions.create({ model: 'fake-model', messages: userMessages });
  const an = () => anthropic.messages.create({ model: 'fake-model', max_tokens: 100, messages: userMessages });

  it('maps each error kind to the OpenAI SDK error classes, one request per step', async () => {
    fake.script(
      { error: 'rate_limit' },
      { error: 'server' },
      { error: 'server', status: 502 },
      { error: 'overloaded' },
      { error: 'context_overflow' },
      { error: 'auth' },
    );
    await expect(oa()).rejects.toMatchObject({ constructor: OpenAI.RateLimitError, status: 429 });
    await expect(oa()).rejects.toMatchObject({ constructor: OpenAI.InternalServerError, status: 500 });
    await expect(oa()).rejects.toMatchObject({ constructor: OpenAI.InternalServerError, status: 502 });
    await expect(oa()).rejects.toMatchObject({ constructor: OpenAI.InternalServerError, status: 503 });
    const overflow = await oa().catch((e: unknown) => e);
    expect(overflow).toBeInstanceOf(OpenAI.BadRequestError);
    expect(overflow).toMatchObject({ status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' });
    expect((overflow as Error).message).toContain('maximum context length');
    await expect(oa()).rejects.toMatchObject({ constructor: OpenAI.AuthenticationError, status: 401 });
    expect(fake.requests).toHaveLength(6);
    expect(fake.pending()).toBe(0);
    await expect(oa()).resolves.toBeDefined();
  });

  it('maps each error kind to the Anthropic SDK error classes, one request per step', async () => {
    fake.script(
      { error: 'rate_limit' },
      { error: 'server' },
      { error: 'overloaded' },
      { error: 'context_overflow' },
      { error: 'auth' },
    );
    await expect(an()).rejects.toMatchObject({ constructor: Anthropic.RateLimitError, status: 429 });
    await expect(an()).rejects.toMatchObject({ constructor: Anthropic.InternalServerError, status: 500 });
    const overloaded = await an().catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded).toMatchObject({ status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } });
    const overflow = await an().catch((e: unknown) => e);
    expect(overflow).toBeInstanceOf(Anthropic.BadRequestError);
    expect((overflow as Error).message).toContain('prompt is too long: 12345 tokens > 8192 maximum');
    await expect(an()).rejects.toMatchObject({ constructor: Anthropic.AuthenticationError, status: 401 });
    expect(fake.requests).toHaveLength(5);
  });

  it('raises errors before a stream starts too', async () => {
    fake.script({ error: 'rate_limit' }, { error: 'context_overflow' });
    await expect(
      openai.chat.completions.create({ model: 'fake-model', messages: userMessages, stream: true }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(
      anthropic.messages.stream({ model: 'fake-model', max_tokens: 10, messages: userMessages }).finalMessage(),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('produces malformed bodies and streams', async () => {
    fake.script({ error: 'malformed' }, { error: 'malformed' }, { error: 'malformed' }, { error: 'malformed' });
    // the SDKs log unparseable stream data before throwing; keep the test output quiet
    const quietOpenai = new OpenAI({ apiKey: 'x', baseURL: fake.openaiBaseUrl, maxRetries: 0, logLevel: 'off' });
    const quietAnthropic = new Anthropic({ apiKey: 'x', baseURL: fake.anthropicBaseUrl, maxRetries: 0, logLevel: 'off' });
    await expect(oa()).rejects.toThrow();
    await expect(an()).rejects.toThrow();
    const consume = async () => {
      const s = await quietOpenai.chat.completions.create({ model: 'fake-model', messages: userMessages, stream: true });
      for await (const _ of s) void _;
    };
    await expect(consume()).rejects.toThrow(SyntaxError);
    await expect(
      quietAnthropic.messages.stream({ model: 'fake-model', max_tokens: 10, messages: userMessages }).finalMessage(),
    ).rejects.toThrow(/JSON/);
    expect(fake.pending()).toBe(0);
  });

  it('cuts streams mid-way', async () => {
    fake.script({ error: 'stream_cut' }, { error: 'stream_cut' });
    let received = '';
    const consume = async () => {
      const s = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages, stream: true });
      for await (const chunk of s) received += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toThrow();
    expect(received).toBe('Partial answer ');
    const stream = anthropic.messages.stream({ model: 'fake-model', max_tokens: 10, messages: userMessages });
    let text = '';
    stream.on('text', (d) => (text += d));
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(text).toBe('Partial answer ');
  });

  it('hangs on timeout until the client gives up', async () => {
    fake.script({ error: 'timeout', delayMs: 5000 }, { error: 'timeout', delayMs: 5000 }, { error: 'timeout', delayMs: 5000 });
    const started = Date.now();
    // see realm-safe-fetch.ts: under jest, openai@6 needs the wrapper to tell a timeout from other connection errors
    const openaiInJest = new OpenAI({ apiKey: 'x', baseURL: fake.openaiBaseUrl, maxRetries: 0, fetch: realmSafeFetch });
    await expect(
      openaiInJest.chat.completions.create({ model: 'fake-model', messages: userMessages }, { timeout: 200 }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect(
      openai.chat.completions.create({ model: 'fake-model', messages: userMessages }, { timeout: 200 }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await expect(
      anthropic.messages.create({ model: 'fake-model', max_tokens: 10, messages: userMessages }, { timeout: 200 }),
    ).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.requests).toHaveLength(3);
  });

  it('closes the socket once a short timeout elapses', async () => {
    fake.script({ error: 'timeout', delayMs: 50 });
    await expect(oa()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('delays replies', async () => {
    fake.script({ text: 'slow', delayMs: 150 });
    const started = Date.now();
    const res = await oa();
    expect(res.choices[0].message.content).toBe('slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('scripting and the request log', () => {
  it('consumes the first step whose `when` matches, leaving the others queued', async () => {
    fake.script(
      { text: 'for anthropic', when: (r) => r.protocol === 'anthropic' },
      { text: 'summary', when: (r) => JSON.stringify(r.body.messages).includes('summarize') },
      { text: 'plain' },
    );
    expect(fake.pending()).toBe(3);
    const r1 = await openai.chat.completions.create({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'please summarize this' }],
    });
    expect(r1.choices[0].message.content).toBe('summary');
    const r2 = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages });
    expect(r2.choices[0].message.content).toBe('plain');
    expect(fake.pending()).toBe(1);
    const r3 = await openai.chat.completions.create({ model: 'fake-model', messages: userMessages });
    expect(r3.choices[0].message.content).toBe('ok'); // default reply: the anthropic-only step does not match
    const r4 = await anthropic.messages.create({ model: 'fake-model', max_tokens: 5, messages: userMessages });
    expect(r4.content).toEqual([{ type: 'text', text: 'for anthropic' }]);
    expect(fake.pending()).toBe(0);
  });

  it('supports a default reply function', async () => {
    const other = await FakeLlmServer.start({ defaultReply: (r) => ({ text: `echo ${r.body.messages.length}` }) });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: other.openaiBaseUrl, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'm', messages: userMessages });
      expect(res.choices[0].message.content).toBe('echo 1');
      expect(res.model).toBe('m');
    } finally {
      await other.close();
    }
  });

  it('records every chat/messages request with its body and headers', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'send_message', parameters: { type: 'object', properties: {} } } },
    ];
    await openai.chat.completions.create({ model: 'fake-model', messages: userMessages, tools, temperature: 0.3 });
    await openai.models.list();
    await anthropic.messages.create({ model: 'small-model', max_tokens: 64, system: 'sys', messages: userMessages });
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(first).toMatchObject({ protocol: 'openai', path: '/v1/chat/completions', stream: false });
    expect(first.body).toMatchObject({ model: 'fake-model', messages: userMessages, tools, temperature: 0.3 });
    expect(first.headers.authorization).toBe('Bearer x');
    expect(second).toMatchObject({ protocol: 'anthropic', path: '/v1/messages', stream: false });
    expect(second.body).toMatchObject({ model: 'small-model', max_tokens: 64, system: 'sys', messages: userMessages });
    // @anthropic-ai/sdk 1.x sends the key as a bearer token; older versions used x-api-key
    expect(second.headers.authorization ?? `Bearer ${second.headers['x-api-key']}`).toBe('Bearer x');
    expect(second.headers['anthropic-version']).toBeDefined();
    expect(second.at).toBeGreaterThanOrEqual(first.at);
    expect(fake.lastRequest()).toBe(second);
    fake.reset();
    expect(fake.requests).toHaveLength(0);
    expect(fake.lastRequest()).toBeUndefined();
  });

  it('records requests before applying errors', async () => {
    fake.script({ error: 'auth' });
    await expect(openai.chat.completions.create({ model: 'fake-model', messages: userMessages })).rejects.toThrow();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].body.messages).toEqual(userMessages);
  });
});

describe('embeddings', () => {
  it('returns deterministic, normalised vectors (base64 default and float)', async () => {
    const a = await openai.embeddings.create({ model: 'fake-embedding', input: ['alpha', 'beta'] });
    const b = await openai.embeddings.create({ model: 'fake-embedding', input: 'alpha', encoding_format: 'float' });
    expect(a.data).toHaveLength(2);
    expect(a.data[0].embedding).toHaveLength(8);
    expect(a.data[0].embedding).toEqual(b.data[0].embedding);
    expect(a.data[0].embedding).not.toEqual(a.data[1].embedding);
    const norm = Math.sqrt(a.data[0].embedding.reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(a.usage.prompt_tokens).toBeGreaterThan(0);
    const wide = await openai.embeddings.create({ model: 'wide-embedding', input: 'alpha' });
    expect(wide.data[0].embedding).toHaveLength(32);
    const again = await openai.embeddings.create({ model: 'fake-embedding', input: ['beta'] });
    expect(again.data[0].embedding).toEqual(a.data[1].embedding);
    expect(fake.requests).toHaveLength(0);
    expect(fake.embeddingRequests).toHaveLength(4);
  });
});

describe('lifecycle', () => {
  it('close() tears down open connections and pending timeouts', async () => {
    const other = await FakeLlmServer.start();
    const client = new OpenAI({ apiKey: 'x', baseURL: other.openaiBaseUrl, maxRetries: 0 });
    other.script({ error: 'timeout', delayMs: 60_000 });
    const pending = client.chat.completions.create({ model: 'm', messages: userMessages }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    expect(other.requests).toHaveLength(1);
    await other.close();
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});
