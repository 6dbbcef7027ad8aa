/** Small fetch helpers for the sequential measurements (one request at a time, timed with performance.now()). */
import { performance } from 'node:perf_hooks';

export async function jsonRequest<T = any>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, ms };
}

export async function expectOk<T = any>(method: string, url: string, body?: unknown): Promise<{ body: T; ms: number }> {
  const res = await jsonRequest<T>(method, url, body);
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  return res;
}

/**
 * POSTs and reads a Server-Sent Events answer to its end. Returns the time from the request until the first
 * `data:` frame `isFirst` accepts, and the whole duration.
 */
export async function timeStream(
  url: string,
  body: unknown,
  isFirst: (data: any) => boolean,
): Promise<{ firstMs: number; totalMs: number; frames: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(body) });
  if (res.status !== 200 || !res.body) throw new Error(`POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let firstMs = NaN;
  let frames = 0;
  let done = false;
  while (!done) {
    const chunk = await reader.read();
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of frame.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        frames++;
        if (data === '[DONE]') {
          done = true;
          break;
        }
        if (Number.isNaN(firstMs)) {
          try {
            if (isFirst(JSON.parse(data))) firstMs = performance.now() - t0;
          } catch {
            /* not JSON */
          }
        }
      }
    }
  }
  if (!done) await reader.cancel().catch(() => undefined);
  const totalMs = performance.now() - t0;
  if (Number.isNaN(firstMs)) throw new Error(`POST ${url}: the stream ended without the expected frame (${frames} frames)`);
  return { firstMs, totalMs, frames };
}
