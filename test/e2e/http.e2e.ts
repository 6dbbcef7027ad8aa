import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('HTTP conventions', () => {
  it('serves health through the SDK and at both slash forms', async () => {
    expect(await t.letta.health()).toEqual({ status: 'ok', version: expect.any(String) });
    await request(t.url).get('/v1/health').expect(200);
    await request(t.url).get('/v1/agents').expect(200);
    await request(t.url).get('/v1/agents/').expect(200);
  });

  it('documents every endpoint in the OpenAPI document and serves Swagger UI', async () => {
    const doc = (await request(t.url).get('/openapi.json').expect(200)).body;
    const paths = Object.keys(doc.paths);
    for (const path of [
      '/v1/health',
      '/v1/agents',
      '/v1/agents/count',
      '/v1/agents/{agent_id}',
      '/v1/agents/{agent_id}/core-memory/blocks',
      '/v1/agents/{agent_id}/core-memory/blocks/{block_label}',
      '/v1/agents/{agent_id}/core-memory/blocks/attach/{block_id}',
      '/v1/blocks',
      '/v1/blocks/{block_id}',
      '/v1/blocks/{block_id}/agents',
      '/v1/tags',
      '/v1/tools',
    ]) {
      expect(paths).toContain(path);
    }
    expect(doc.components.schemas.AgentStateDto.properties).toHaveProperty('llm_config');
    expect(doc.components.schemas.CreateAgentDto.properties).toHaveProperty('memory_blocks');
    const ui = await request(t.url).get('/docs').expect(200);
    expect(ui.text).toMatch(/swagger/i);
  });

  it('answers unknown routes and records (long path parameters too) with the detail envelope and tags each response with a request id', async () => {
    const res = await request(t.url).get('/v1/nothing-here').expect(404);
    expect(res.body).toEqual({ detail: expect.any(String) });
    expect(res.headers['x-request-id']).toBeTruthy();
    const longLabel = await request(t.url).get(`/v1/agents/agent-${randomUUID()}/core-memory/blocks/${'x'.repeat(300)}`).expect(404);
    expect(longLabel.body).toEqual({ detail: expect.any(String) });
    const echoed = await request(t.url).get('/v1/health/').set('x-request-id', 'req-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-123');
  });

  it('reads query arrays from repeated keys and empty values as null', async () => {
    await request(t.url).get('/v1/agents/?tags=a&tags=b&match_all_tags=true&name=').expect(200);
    await request(t.url).get('/v1/agents/?limit=0').expect(422);
    await request(t.url).get('/v1/agents/?order=sideways').expect(422);
    await request(t.url).get('/v1/agents/?match_all_tags=maybe').expect(422);
  });

  it('reads an empty JSON body as none, answers other media types in the envelope, and allows cross-origin calls of every method, streams included', async () => {
    const agent = await t.letta.agents.create({ model: 'openai/gpt-4o-mini' });
    const recompiled = await request(t.url).post(`/v1/agents/${agent.id}/recompile`).set('content-type', 'application/json').expect(200);
    expect(recompiled.headers['content-type']).toMatch(/application\/json/);
    expect(recompiled.body).toEqual(expect.stringContaining('<memory_metadata>'));
    const text = await request(t.url).post('/v1/agents').set('content-type', 'application/xml').send('<agent/>').expect(415);
    expect(text.body).toEqual({ detail: expect.any(String) });
    const stream = await request(t.url)
      .post(`/v1/agents/${agent.id}/messages/stream`)
      .set('origin', 'https://app.example')
      .set('x-request-id', 'req-sse')
      .send({ input: 'hi' })
      .expect(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['access-control-allow-origin']).toBe('*');
    expect(stream.headers['x-request-id']).toBe('req-sse');
    expect(stream.text).toContain('data: [DONE]');
    const preflight = await request(t.url)
      .options(`/v1/agents/${agent.id}`)
      .set('origin', 'https://app.example')
      .set('access-control-request-method', 'PATCH')
      .expect(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
  });
});
