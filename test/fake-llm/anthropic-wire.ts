/** Anthropic Messages wire format (bodies, SSE events, error bodies) for the fake LLM server. */
import type { ErrorKind } from './openai-wire';
import type { FinishReason, NormalizedReply } from './wire-util';
import { splitFragments, splitWords } from './wire-util';

const STOP_REASON: Record<FinishReason, string> = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens' };

function usage(reply: NormalizedReply) {
  return {
    input_tokens: reply.promptTokens,
    output_tokens: reply.completionTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

function contentBlocks(reply: NormalizedReply): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (reply.reasoning !== undefined) blocks.push({ type: 'thinking', thinking: reply.reasoning, signature: reply.signature });
  if (reply.redactedReasoning !== undefined) blocks.push({ type: 'redacted_thinking', data: reply.redactedReasoning });
  if (reply.text !== undefined && (reply.text !== '' || reply.toolCalls.length === 0)) {
    blocks.push({ type: 'text', text: reply.text });
  }
  for (const call of reply.toolCalls) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
  return blocks;
}

export function anthropicMessage(reply: NormalizedReply, id: string): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: contentBlocks(reply),
    stop_reason: STOP_REASON[reply.finishReason],
    stop_sequence: null,
    usage: usage(reply),
  };
}

function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function messageStart(model: string, id: string, inputTokens: number): string {
  return event('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

/** The SSE events of a streamed message, from message_start to message_stop. */
export function anthropicStreamFrames(reply: NormalizedReply, id: string): string[] {
  const frames: string[] = [messageStart(reply.model, id, reply.promptTokens), event('ping', {})];
  let toolIndex = 0;
  contentBlocks(reply).forEach((block, index) => {
    switch (block.type) {
      case 'thinking':
        frames.push(event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
        for (const piece of splitWords(String(block.thinking))) {
          frames.push(event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } }));
        }
        frames.push(event('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }));
        break;
      case 'redacted_thinking':
        frames.push(event('content_block_start', { index, content_block: block }));
        break;
      case 'text':
        frames.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
        for (const piece of splitWords(String(block.text))) {
          frames.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
        }
        break;
      case 'tool_use': {
        const call = reply.toolCalls[toolIndex++];
        frames.push(
          event('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }),
        );
        for (const fragment of splitFragments(call.argumentsJson)) {
          frames.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: fragment } }));
        }
        break;
      }
    }
    frames.push(event('content_block_stop', { index }));
  });
  frames.push(
    event('message_delta', {
      delta: { stop_reason: STOP_REASON[reply.finishReason], stop_sequence: null },
      usage: { output_tokens: reply.completionTokens },
    }),
  );
  frames.push(event('message_stop', {}));
  return frames;
}

export function anthropicCutFrames(model: string, id: string, inputTokens: number): string[] {
  return [
    messageStart(model, id, inputTokens),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Partial ' } }),
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'answer ' } }),
  ];
}

export function anthropicMalformedFrames(model: string, id: string, inputTokens: number): string[] {
  return [
    messageStart(model, id, inputTokens),
    `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"te\n\n`,
  ];
}

export function anthropicError(kind: ErrorKind, message?: string): { status: number; body: unknown } {
  const err = (status: number, type: string, msg: string) => ({
    status,
    body: { type: 'error', error: { type, message: message ?? msg }, request_id: 'req_fake' },
  });
  switch (kind) {
    case 'rate_limit':
      return err(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.');
    case 'server':
      return err(500, 'api_error', 'Internal server error');
    case 'overloaded':
      return err(529, 'overloaded_error', 'Overloaded');
    case 'context_overflow':
      return err(400, 'invalid_request_error', 'prompt is too long: 12345 tokens > 8192 maximum');
    case 'auth':
      return err(401, 'authentication_error', 'invalid x-api-key');
    case 'not_found':
      return err(404, 'not_found_error', 'Not found.');
    case 'bad_request':
      return err(400, 'invalid_request_error', 'Bad request.');
  }
}
