/** Reads an SSE response body the way the Letta SDK does, keeping named events (errors) and ids visible. */
export interface SseEvent {
  event: string | null;
  id: string | null;
  data: string;
}

export async function readSse(response: Response, stopAfter?: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { event: null, id: null, data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('id: ')) event.id = line.slice(4);
        else if (line.startsWith('data: ')) event.data += line.slice(6);
      }
      events.push(event);
      if (stopAfter && events.length >= stopAfter) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}
