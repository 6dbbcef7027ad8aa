/**
 * A scripted fake LLM provider for agent-loop tests: one node:http server that speaks both the
 * OpenAI-compatible Chat Completions protocol (`/v1/chat/completions`, `/v1/embeddings`, `/v1/models`)
 * and the Anthropic Messages protocol (`/v1/messages`, `/v1/models`), closely enough for the official
 * `openai` and `@anthropic-ai/sdk` clients.
 *
 * Tests queue replies (or failures) with `script(...)`; each chat/messages request consumes the first
 * queued step whose `when` matches, falling back to `defaultReply`. Every chat/messages request is
 * recorded in `requests` before any delay or error is applied.
 *
 *   const fake = await FakeLlmServer.start();
 *   fake.script({ toolCalls: [{ name: 'send_message', arguments: { message: 'hi' } }] }, { text: 'done' });
 *   // point the server's provider at fake.openaiBaseUrl / fake.anthropicBaseUrl
 *   await fake.close();
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  anthropicCutFrames,
  anthropicError,
  anthropicMalformedFrames,
  anthropicMessage,
  anthropicStreamFrames,
} from './anthropic-wire';
import type { ErrorKind } from './openai-wire';
import { openaiCompletion, openaiCutFrames, openaiError, openaiMalformedFrames, openaiStreamFrames } from './openai-wire';
import type { NormalizedReply } from './wire-util';
import { defaultSignature, embed, estimateTokens, float32Base64 } from './wire-util';

export interface ScriptedToolCall {
  name: string;
  /** An object is sent as its JSON text; a string is sent verbatim (so tests can script malformed arguments). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

export interface ScriptedReply {
  /** Assistant text. */
  text?: string;
  /** OpenAI: `reasoning_content` on the message/delta. Anthropic: a `thinking` block with a `signature`. */
  reasoning?: string;
  /** Anthropic thinking signature (default: derived deterministically from the reasoning text). */
  signature?: string;
  /** Anthropic `redacted_thinking` block data. */
  redactedReasoning?: string;
  toolCalls?: ScriptedToolCall[];
  /** Default: `tool_calls` when there are tool calls, else `stop` (Anthropic: end_turn / tool_use / max_tokens). */
  finishReason?: 'stop' | 'tool_calls' | 'length';
  /** Default: estimated as ceil(chars / 4) of the request messages (+ system) and of the output. */
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  /** Wait this long before sending the response headers. */
  delayMs?: number;
  /** Wait this long between streamed chunks. */
  chunkDelayMs?: number;
  /** This reply is only consumed by a request it matches. */
  when?: (req: RecordedRequest) => boolean;
}

export type ScriptedError =
  | { error: 'rate_limit' }
  | { error: 'server' }
  | { error: 'overloaded' }
  | { error: 'context_overflow' }
  | { error: 'auth' }
  | { error: 'malformed' }
  | { error: 'timeout'; delayMs: number }
  | { error: 'stream_cut' };

export type ScriptStep = (ScriptedReply | ScriptedError) & { status?: number; when?: (req: RecordedRequest) => boolean };

export interface RecordedRequest {
  protocol: 'openai' | 'anthropic';
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  stream: boolean;
  at: number;
}

export interface FakeLlmOptions {
  /** Served by GET /v1/models (both protocols). Default: [{ id: 'fake-model', contextWindow: 128000 }]. */
  models?: { id: string; contextWindow?: number }[];
  /** Default: [{ id: 'fake-embedding', dim: 8 }]. */
  embeddingModels?: { id: string; dim: number }[];
  /** Used when no script step matches. Default: { text: 'ok' }. */
  defaultReply?: ScriptedReply | ((req: RecordedRequest) => ScriptedReply);
}

type Protocol = RecordedRequest['protocol'];

const MODEL_CREATED = 1_700_000_000;
const HTTP_ERROR_KINDS: ReadonlySet<string> = new Set(['rate_limit', 'server', 'overloaded', 'context_overflow', 'auth']);

function isError(step: ScriptStep): step is ScriptedError & { status?: number } {
  return typeof (step as { error?: unknown }).error === 'string';
}

/** The whole body of a request, as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class FakeLlmServer {
  readonly url: string;
  /** Every chat/messages request, in arrival order (not model listings or embeddings). */
  readonly requests: RecordedRequest[] = [];
  /** Every embeddings request, in arrival order (an addition to the chat/messages log). */
  readonly embeddingRequests: RecordedRequest[] = [];

  private readonly queue: ScriptStep[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private counters = { call: 0, toolu: 0, chatcmpl: 0, msg: 0, req: 0 };
  private closed = false;
  private readonly models: { id: string; contextWindow?: number }[];
  private readonly embeddingModels: { id: string; dim: number }[];
  private readonly defaultReply: ScriptedReply | ((req: RecordedRequest) => ScriptedReply);

  private constructor(
    private readonly server: http.Server,
    options: FakeLlmOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.models = options.models ?? [{ id: 'fake-model', contextWindow: 128000 }];
    this.embeddingModels = options.embeddingModels ?? [{ id: 'fake-embedding', dim: 8 }];
    this.defaultReply = options.defaultReply ?? { text: 'ok' };
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.on('error', () => undefined);
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          this.sendJson(res, 500, { error: { message: `fake-llm internal error: ${String(err)}`, type: 'server_error', param: null, code: null } });
        } else {
          res.destroy();
        }
      });
    });
  }

  /** Listen on 127.0.0.1 on a free port. */
  static start(options: FakeLlmOptions = {}): Promise<FakeLlmServer> {
    const server = http.createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(new FakeLlmServer(server, options));
      });
    });
  }

  /** What the openai SDK's `baseURL` should be. */
  get openaiBaseUrl(): string {
    return `${this.url}/v1`;
  }

  /** What the anthropic SDK's `baseURL` should be (it appends /v1/messages itself). */
  get anthropicBaseUrl(): string {
    return this.url;
  }

  /** Append steps to the queue. */
  script(...steps: ScriptStep[]): void {
    this.queue.push(...steps);
  }

  /** Steps not yet consumed. */
  pending(): number {
    return this.queue.length;
  }

  /** Clear the queue, the request logs and the id counters. */
  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.embeddingRequests.length = 0;
    this.counters = { call: 0, toolu: 0, chatcmpl: 0, msg: 0, req: 0 };
  }

  lastRequest(): RecordedRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  /** Stop listening, cancel pending delays and destroy open sockets. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- routing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const { pathname } = new URL(req.url ?? '/', 'http://fake');
    const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
    const method = req.method ?? 'GET';
    const anthropicClient = req.headers['anthropic-version'] !== undefined;

    if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return this.sendJson(res, 200, anthropicClient ? this.anthropicModels() : this.openaiModels());
    }
    const modelMatch = /^(?:\/v1)?\/models\/(.+)$/.exec(path);
    if (method === 'GET' && modelMatch) {
      const id = decodeURIComponent(modelMatch[1]);
      const list = anthropicClient ? this.anthropicModels() : this.openaiModels();
      const model = list.data.find((m) => m.id === id);
      if (model) return this.sendJson(res, 200, model);
      return this.sendError(res, anthropicClient ? 'anthropic' : 'openai', 'not_found', undefined, `model '${id}' not found`);
    }
    if (method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
      return this.chat('openai', path, req, res, raw);
    }
    if (method === 'POST' && path === '/v1/messages') {
      return this.chat('anthropic', path, req, res, raw);
    }
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      const body = this.parse(raw);
      return this.sendJson(res, 200, { input_tokens: this.promptTokens('anthropic', body) });
    }
    if (method === 'POST' && (path === '/v1/embeddings' || path === '/embeddings')) {
      return this.embeddings(path, req, res, raw);
    }
    return this.sendError(res, anthropicClient ? 'anthropic' : 'openai', 'not_found', undefined, `no route for ${method} ${path}`);
  }

  private parse(raw: string): any {
    try {
      return raw ? JSON.parse(raw) : {};
    } catch {
      return raw;
    }
  }

  private openaiModels() {
    const created = MODEL_CREATED;
    return {
      object: 'list',
      data: [
        ...this.models.map((m) => ({
          id: m.id,
          object: 'model',
          created,
          owned_by: 'fake',
          ...(m.contextWindow !== undefined
            ? { context_window: m.contextWindow, max_context_length: m.contextWindow, max_model_len: m.contextWindow }
            : {}),
        })),
        ...this.embeddingModels.map((m) => ({ id: m.id, object: 'model', created, owned_by: 'fake', embedding_dim: m.dim })),
      ] as { id: string }[],
    };
  }

  private anthropicModels() {
    const createdAt = new Date(MODEL_CREATED * 1000).toISOString();
    const data = this.models.map((m) => ({
      type: 'model',
      id: m.id,
      display_name: m.id,
      created_at: createdAt,
      ...(m.contextWindow !== undefined ? { context_window: m.contextWindow, max_input_tokens: m.contextWindow } : {}),
    }));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
  }

  // ---------------------------------------------------------------- chat / messages

  private async chat(protocol: Protocol, path: string, req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const body = this.parse(raw);
    const recorded: RecordedRequest = {
      protocol,
      path,
      headers: { ...req.headers },
      body,
      stream: typeof body === 'object' && body !== null && body.stream === true,
      at: Date.now(),
    };
    this.requests.push(recorded);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return this.sendError(res, protocol, 'bad_request', undefined, 'request body is not a JSON object');
    }

    const step = this.take(recorded);
    if (step && isError(step)) return this.fail(protocol, step, recorded, req, res);
    const reply = step ?? (typeof this.defaultReply === 'function' ? this.defaultReply(recorded) : this.defaultReply);
    const normalized = this.normalize(protocol, reply, body);
    const env = { id: this.nextId(protocol), created: Math.floor(Date.now() / 1000) };

    if (reply.delayMs) await this.sleep(reply.delayMs);
    if (!this.writable(res)) return;
    if (!recorded.stream) {
      return this.sendJson(
        res,
        200,
        protocol === 'openai' ? openaiCompletion(normalized, env) : anthropicMessage(normalized, env.id),
        this.requestIdHeader(protocol),
      );
    }
    const includeUsage = body.stream_options?.include_usage === true;
    const frames =
      protocol === 'openai' ? openaiStreamFrames(normalized, env, includeUsage) : anthropicStreamFrames(normalized, env.id);
    await this.sendSse(res, protocol, frames, reply.chunkDelayMs ?? 0);
    if (this.writable(res)) res.end();
  }

  private take(req: RecordedRequest): ScriptStep | undefined {
    const index = this.queue.findIndex((step) => {
      if (!step.when) return true;
      try {
        return step.when(req);
      } catch {
        return false;
      }
    });
    return index < 0 ? undefined : this.queue.splice(index, 1)[0];
  }

  private nextId(protocol: Protocol): string {
    return protocol === 'openai' ? `chatcmpl-fake${++this.counters.chatcmpl}` : `msg_fake${++this.counters.msg}`;
  }

  private promptTokens(protocol: Protocol, body: any): number {
    const messages = body?.messages ?? [];
    if (protocol === 'anthropic' && body?.system !== undefined) return estimateTokens([body.system, messages]);
    return estimateTokens(messages);
  }

  private normalize(protocol: Protocol, reply: ScriptedReply, body: any): NormalizedReply {
    const toolCalls = (reply.toolCalls ?? []).map((call) => {
      const argumentsJson = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
      let input: unknown = call.arguments ?? {};
      if (typeof call.arguments === 'string') {
        try {
          input = JSON.parse(call.arguments);
        } catch {
          input = call.arguments;
        }
      }
      const id = call.id ?? (protocol === 'openai' ? `call_${++this.counters.call}` : `toolu_${++this.counters.toolu}`);
      return { id, name: call.name, argumentsJson, input };
    });
    const outputChars =
      (reply.text ?? '') +
      (reply.reasoning ?? '') +
      (reply.redactedReasoning ?? '') +
      toolCalls.map((c) => c.name + c.argumentsJson).join('');
    return {
      model: typeof body.model === 'string' ? body.model : (this.models[0]?.id ?? 'fake-model'),
      text: reply.text,
      reasoning: reply.reasoning,
      signature: reply.signature ?? defaultSignature(reply.reasoning ?? ''),
      redactedReasoning: reply.redactedReasoning,
      toolCalls,
      finishReason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      promptTokens: reply.usage?.prompt_tokens ?? this.promptTokens(protocol, body),
      completionTokens: reply.usage?.completion_tokens ?? Math.max(1, estimateTokens(outputChars)),
      reasoningTokens: estimateTokens(reply.reasoning ?? ''),
    };
  }

  private async fail(
    protocol: Protocol,
    step: ScriptedError & { status?: number },
    recorded: RecordedRequest,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    if (HTTP_ERROR_KINDS.has(step.error)) return this.sendError(res, protocol, step.error as ErrorKind, step.status);
    const model = typeof recorded.body.model === 'string' ? recorded.body.model : (this.models[0]?.id ?? 'fake-model');
    const env = { id: this.nextId(protocol), created: Math.floor(Date.now() / 1000) };
    const inputTokens = this.promptTokens(protocol, recorded.body);
    switch (step.error) {
      case 'timeout': {
        await this.sleep(step.delayMs);
        req.socket.destroy();
        return;
      }
      case 'malformed': {
        if (!recorded.stream) {
          const payload = '{"id": "broken", this is not JSON';
          res.writeHead(step.status ?? 200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...this.requestIdHeader(protocol),
          });
          res.end(payload);
          return;
        }
        const frames =
          protocol === 'openai' ? openaiMalformedFrames(model, env) : anthropicMalformedFrames(model, env.id, inputTokens);
        await this.sendSse(res, protocol, frames, 0, step.status);
        if (this.writable(res)) res.end();
        return;
      }
      case 'stream_cut': {
        if (!recorded.stream) {
          const payload = JSON.stringify(
            protocol === 'openai'
              ? openaiCompletion(this.normalize(protocol, { text: 'Partial answer' }, recorded.body), env)
              : anthropicMessage(this.normalize(protocol, { text: 'Partial answer' }, recorded.body), env.id),
          );
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
          res.write(payload.slice(0, Math.floor(payload.length / 2)));
        } else {
          const frames =
            protocol === 'openai' ? openaiCutFrames(model, env) : anthropicCutFrames(model, env.id, inputTokens);
          await this.sendSse(res, protocol, frames, 0);
        }
        // Let the partial data reach the client before the connection drops.
        await this.sleep(20);
        res.destroy();
        req.socket.destroy();
        return;
      }
    }
  }

  // ---------------------------------------------------------------- embeddings

  private embeddings(path: string, req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const body = this.parse(raw);
    this.embeddingRequests.push({ protocol: 'openai', path, headers: { ...req.headers }, body, stream: false, at: Date.now() });
    if (typeof body !== 'object' || body === null || body.input === undefined) {
      return this.sendError(res, 'openai', 'bad_request', undefined, "'input' is required");
    }
    const input: unknown = body.input;
    const items: unknown[] = Array.isArray(input) ? (typeof input[0] === 'number' ? [input] : input) : [input];
    const texts = items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
    const modelId = typeof body.model === 'string' ? body.model : this.embeddingModels[0]?.id;
    const model = this.embeddingModels.find((m) => m.id === modelId) ?? this.embeddingModels[0] ?? { id: 'fake-embedding', dim: 8 };
    const dim = typeof body.dimensions === 'number' && body.dimensions > 0 ? body.dimensions : model.dim;
    const base64 = body.encoding_format === 'base64';
    const promptTokens = texts.reduce((sum, t) => sum + estimateTokens(t), 0);
    this.sendJson(
      res,
      200,
      {
        object: 'list',
        data: texts.map((text, index) => {
          const vector = embed(text, dim);
          return { object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector };
        }),
        model: modelId ?? model.id,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      this.requestIdHeader('openai'),
    );
  }

  // ---------------------------------------------------------------- transport

  private writable(res: http.ServerResponse): boolean {
    return !this.closed && !res.destroyed && !res.writableEnded;
  }

  private requestIdHeader(protocol: Protocol): Record<string, string> {
    const id = `req_fake${++this.counters.req}`;
    return protocol === 'openai' ? { 'x-request-id': id } : { 'request-id': id };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (!this.writable(res) || res.headersSent) return;
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...headers,
    });
    res.end(payload);
  }

  private sendError(res: http.ServerResponse, protocol: Protocol, kind: ErrorKind, status?: number, message?: string): void {
    const err = protocol === 'openai' ? openaiError(kind, message) : anthropicError(kind, message);
    this.sendJson(res, status ?? err.status, err.body, { 'x-should-retry': 'false', ...this.requestIdHeader(protocol) });
  }

  private async sendSse(res: http.ServerResponse, protocol: Protocol, frames: string[], chunkDelayMs: number, status = 200) {
    if (!this.writable(res)) return;
    res.writeHead(status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...this.requestIdHeader(protocol),
    });
    for (let i = 0; i < frames.length; i++) {
      if (i > 0 && chunkDelayMs > 0) await this.sleep(chunkDelayMs);
      if (!this.writable(res)) return;
      res.write(frames[i]);
    }
  }
}
