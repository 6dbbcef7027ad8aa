import type { Response } from 'express';
import type { RunFrame } from './frame-log';
import { pingFrame } from './sse-frames';

/** Starts an SSE response: unbuffered, uncompressed, headers flushed at once (which also stops the SDK's timeout). */
export function openSse(res: Response): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
}

/**
 * Writes a run's frames (each with its `id:` line, so standard SSE clients can resume with Last-Event-ID; the Letta SDK
 * ignores it), a first ping naming the run and keepalive pings while the run is silent. Ends the response after the
 * last frame. Returns early, leaving the run running, when the client goes away.
 */
export async function writeRunFrames(
  res: Response,
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
