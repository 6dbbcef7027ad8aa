/**
 * The benchmark's model provider, in a process of its own so its CPU is not in the load generator's event loop.
 * Prints `{"url": "http://127.0.0.1:<port>"}` as one line on stdout once listening; exits when its stdin closes
 * (the bench holds the other end), or on SIGTERM/SIGINT.
 *
 * Replies are instant. A request whose last user message contains `[loop3]` gets a `conversation_search` tool call
 * until two tool results follow that user message, then text: a three-step tool loop.
 */
import { FakeLlmServer, RecordedRequest, ScriptedReply } from '../test/fake-llm/fake-llm-server';

export const LOOP_MARKER = '[loop3]';

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return content == null ? '' : JSON.stringify(content);
}

export function benchReply(req: RecordedRequest): ScriptedReply {
  const messages: { role?: string; content?: unknown }[] = Array.isArray(req.body?.messages) ? req.body.messages : [];
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  if (lastUser >= 0 && contentText(messages[lastUser].content).includes(LOOP_MARKER)) {
    const toolResults = messages.slice(lastUser + 1).filter((m) => m?.role === 'tool').length;
    if (toolResults < 2) return { toolCalls: [{ name: 'conversation_search', arguments: { query: 'x' } }] };
  }
  return { text: 'ok' };
}

async function main(): Promise<void> {
  const fake = await FakeLlmServer.start({ models: [{ id: 'bench-model', contextWindow: 128000 }], defaultReply: benchReply });
  // The fake records every request; a long benchmark would hold hundreds of thousands of them. Keep none.
  const requests = fake.requests as RecordedRequest[];
  const trim = setInterval(() => {
    requests.length = 0;
    fake.embeddingRequests.length = 0;
  }, 1000);
  trim.unref();
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    fake.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.stdout.write(JSON.stringify({ url: fake.url }) + '\n');
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`fake-process failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
