/** Polls `read` until `ok` holds or the time is up, and returns the last value read (assert on it afterwards). */
export async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export type Chunk = { message_type: string; id?: string; seq_id?: number | null; run_id?: string; content?: unknown; [k: string]: unknown };

/** Reads an SDK stream to its end, or to `stopAfter` chunks (leaving the rest of the stream unread). */
export async function collect(stream: AsyncIterable<unknown>, stopAfter?: number): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Chunk);
    if (stopAfter && chunks.length >= stopAfter) break;
  }
  return chunks;
}
