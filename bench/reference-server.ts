/**
 * The floor a turn could cost: a minimal node:http server doing only what a turn cannot avoid.
 *
 *   POST /turn/:agentId  {"input": "hi"}
 *     1. SELECT the agent row (agents table of the same database Mnemo uses)
 *     2. one streaming chat completion to the fake provider through the official `openai` SDK, with Mnemo's transport
 *        (`providerFetch`), as Mnemo calls it
 *     3. one transaction inserting the user and the assistant message into bench_reference_messages
 *     → JSON { messages, stop_reason, usage }
 *
 * Env: PORT (0 = any), DATABASE_URL, OPENAI_BASE_URL, MODEL. Prints `{"url": ...}` as one line once listening and exits
 * when its stdin closes or on SIGTERM/SIGINT.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { Pool } from 'pg';
import { providerFetch } from '../src/llm/provider-fetch';
import { readBody } from '../test/fake-llm/fake-llm-server';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mnemo_bench';
const baseURL = process.env.OPENAI_BASE_URL ?? 'http://127.0.0.1:1/v1';
const model = process.env.MODEL ?? 'bench-model';

const pool = new Pool({ connectionString: databaseUrl, max: 10 });
const openai = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0, timeout: 120_000, fetch: providerFetch() });

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

async function turn(agentId: string, input: string) {
  const agent = await pool.query<{ id: string; system: string }>('SELECT id, system FROM agents WHERE id = $1', [agentId]);
  if (agent.rowCount === 0) return { status: 404, body: { detail: `Agent ${agentId} not found` } };
  const stream = await openai.chat.completions.create({
    model,
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: agent.rows[0].system },
      { role: 'user', content: input },
    ],
  });
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  const userId = `message-${randomUUID()}`;
  const assistantId = `message-${randomUUID()}`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO bench_reference_messages (id, agent_id, role, content) VALUES ($1, $3, 'user', $4), ($2, $3, 'assistant', $5)`,
      [userId, assistantId, agentId, JSON.stringify([{ type: 'text', text: input }]), JSON.stringify([{ type: 'text', text }])],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return {
    status: 200,
    body: {
      messages: [{ id: assistantId, message_type: 'assistant_message', content: text }],
      stop_reason: { message_type: 'stop_reason', stop_reason: 'end_turn' },
      usage: { message_type: 'usage_statistics', prompt_tokens: usage?.prompt_tokens ?? 0, completion_tokens: usage?.completion_tokens ?? 0 },
    },
  };
}

const server = http.createServer((req, res) => {
  const match = /^\/turn\/([^/?]+)/.exec(req.url ?? '');
  if (req.method !== 'POST' || !match) return send(res, 404, { detail: 'not found' });
  readBody(req)
    .then((raw) => {
      const body = raw ? JSON.parse(raw) : {};
      return turn(decodeURIComponent(match[1]), typeof body.input === 'string' ? body.input : 'hi');
    })
    .then(
      (result) => send(res, result.status, result.body),
      (error: unknown) => send(res, 500, { detail: String((error as Error)?.message ?? error) }),
    );
});
server.keepAliveTimeout = 65_000;

let closing = false;
function stop(): void {
  if (closing) return;
  closing = true;
  server.close();
  server.closeAllConnections();
  pool.end().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}` }) + '\n');
});
