import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerFetch } from './provider-fetch';

describe('providerFetch', () => {
  let server: Server;
  let base: string;
  let received: { method?: string; headers: Record<string, unknown>; body: string }[];

  beforeAll(async () => {
    received = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/empty') return res.writeHead(204).end();
        if (req.url === '/slow') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: first\n\n');
          return; // never ends: the client aborts
        }
        res.writeHead(429, [['content-type', 'application/json'], ['x-multi', 'a'], ['x-multi', 'b']]);
        res.end(JSON.stringify({ error: 'slow down' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and body, and answers with status, every header value and the body', async () => {
    const res = await providerFetch()(`${base}/chat`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer k' }),
      body: '{"x":1}',
    });
    expect(received.at(-1)).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: '{"x":1}' });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-multi')).toBe('a, b');
    expect(await res.json()).toEqual({ error: 'slow down' });
  });

  it('lets go of a body read to its end, which then counts as used', async () => {
    const res = await providerFetch()(`${base}/chat`, { method: 'POST', body: '{}' });
    expect(res.bodyUsed).toBe(false);
    let text = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += new TextDecoder().decode(chunk);
    expect(JSON.parse(text)).toEqual({ error: 'slow down' });
    await new Promise((resolve) => setImmediate(resolve)); // the stream closes right after its end
    expect(res.body).toBeNull();
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(/already been read/);
  });

  it('answers a bodiless status with a null body', async () => {
    const res = await providerFetch()(`${base}/empty`, { method: 'GET' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it('ends a body being read when the request is aborted', async () => {
    const controller = new AbortController();
    const res = await providerFetch()(`${base}/slow`, { signal: controller.signal });
    // the SDKs read a body through its async iterator
    const chunks = (res.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    expect(new TextDecoder().decode((await chunks.next()).value)).toBe('data: first\n\n');
    controller.abort();
    await expect(chunks.next()).rejects.toThrow();
  });
});
