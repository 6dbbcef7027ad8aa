/** OpenAI-compatible Chat Completions wire format (bodies, SSE frames, error bodies) for the fake LLM server. */
import type { NormalizedReply } from './wire-util';
import { splitFragments, splitWords } from './wire-util';

export interface OpenAiEnvelope {
  id: string;
  created: number;
}

function usage(reply: NormalizedReply) {
  return {
    prompt_tokens: reply.promptTokens,
    completion_tokens: reply.completionTokens,
    total_tokens: reply.promptTokens + reply.completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reply.reasoningTokens },
  };
}

export function openaiCompletion(reply: NormalizedReply, env: OpenAiEnvelope): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: reply.text ?? null,
    refusal: null,
  };
  if (reply.reasoning !== undefined) message.reasoning_content = reply.reasoning;
  if (reply.toolCalls.length > 0) {
    message.tool_calls = reply.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.argumentsJson },
    }));
  }
  return {
    id: env.id,
    object: 'chat.completion',
    created: env.created,
    model: reply.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
    usage: usage(reply),
  };
}

function frame(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

function chunkFactory(reply: NormalizedReply, env: OpenAiEnvelope, includeUsage: boolean) {
  return (delta: Record<string, unknown>, finishReason: string | null = null) => {
    const chunk: Record<string, unknown> = {
      id: env.id,
      object: 'chat.completion.chunk',
      created: env.created,
      model: reply.model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (includeUsage) chunk.usage = null;
    return frame(chunk);
  };
}

/** The SSE frames of a streamed completion, `data: [DONE]` included. */
export function openaiStreamFrames(reply: NormalizedReply, env: OpenAiEnvelope, includeUsage: boolean): string[] {
  const chunk = chunkFactory(reply, env, includeUsage);
  const frames: string[] = [chunk({ role: 'assistant' })];
  if (reply.reasoning !== undefined) {
    for (const piece of splitWords(reply.reasoning)) frames.push(chunk({ reasoning_content: piece }));
  }
  if (reply.text !== undefined) {
    for (const piece of splitWords(reply.text)) frames.push(chunk({ content: piece }));
  }
  reply.toolCalls.forEach((call, index) => {
    frames.push(
      chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    );
    for (const fragment of splitFragments(call.argumentsJson)) {
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  frames.push(chunk({}, reply.finishReason));
  if (includeUsage) {
    frames.push(
      frame({
        id: env.id,
        object: 'chat.completion.chunk',
        created: env.created,
        model: reply.model,
        system_fingerprint: 'fp_fake',
        choices: [],
        usage: usage(reply),
      }),
    );
  }
  frames.push(frame('[DONE]'));
  return frames;
}

/** A few valid frames of a stream that is about to be cut. */
export function openaiCutFrames(model: string, env: OpenAiEnvelope): string[] {
  const reply = { model } as NormalizedReply;
  const chunk = chunkFactory(reply, env, false);
  return [chunk({ role: 'assistant' }), chunk({ content: 'Partial ' }), chunk({ content: 'answer ' })];
}

export function openaiMalformedFrames(model: string, env: OpenAiEnvelope): string[] {
  const reply = { model } as NormalizedReply;
  const chunk = chunkFactory(reply, env, false);
  return [chunk({ role: 'assistant' }), `data: {"id":"${env.id}","choices":[{"delta":{"content":"bro\n\n`];
}

export type ErrorKind = 'rate_limit' | 'server' | 'overloaded' | 'context_overflow' | 'auth' | 'not_found' | 'bad_request';

export function openaiError(kind: ErrorKind, message?: string): { status: number; body: unknown } {
  const err = (status: number, type: string, code: string | null, msg: string) => ({
    status,
    body: { error: { message: message ?? msg, type, param: null, code } },
  });
  switch (kind) {
    case 'rate_limit':
      return err(429, 'rate_limit_exceeded', 'rate_limit_exceeded', 'Rate limit reached for fake-model. Please try again later.');
    case 'server':
      return err(500, 'server_error', null, 'The server had an error while processing your request.');
    case 'overloaded':
      return err(503, 'server_error', null, 'The engine is currently overloaded, please try again later.');
    case 'context_overflow':
      return err(
        400,
        'invalid_request_error',
        'context_length_exceeded',
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 12345 tokens. Please reduce the length of the messages.",
      );
    case 'auth':
      return err(401, 'invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.');
    case 'not_found':
      return err(404, 'invalid_request_error', 'not_found', 'Not found.');
    case 'bad_request':
      return err(400, 'invalid_request_error', null, 'Bad request.');
  }
}
