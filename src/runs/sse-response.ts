import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { RunFrame } from './frame-log';
import { pingFrame } from './sse-frames';

/**
 * Starts an SSE response, written from here on to the raw response (Fastify lets go of it): unbuffered, uncompressed,
 * headers flushed at once (which also stops the SDK's timeout), with those already set on it (CORS, request id).
 */
export function openSse(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  return res;
}

/**
 * Writes a run's frames (each with its `id:` line, so standard SSE clients can resume with Last-Event-ID; the Letta SDK
 * ignores it), a first ping naming the run and keepalive pings while the run is silent. Ends the response after the
 * last frame. Returns early, leaving the run running, when the client goes away.
 */
export async function writeRunFrames(
  res: ServerResponse,
  runId: string,
  frames: AsyncIterable<RunFrame | null>,
  options: { includePings: boolean; lastSeq: number },
): Promise<void> {
  let lastSeq = options.lastSeq;
  if (options.includePings) res.write(pingFrame(runId, lastSeq || null));
  for await (const frame of frames) {
    if (res.destroyed) return;
    if (frame === null) {
      if (options.includePings) res.write(pingFrame(runId, lastSeq || null));
      continue;
    }
    res.write(`id: ${frame.seq}\n${frame.text}`);
    lastSeq = frame.seq;
    if (frame.done) break;
  }
  res.end();
}
