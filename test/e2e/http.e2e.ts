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

  it('answers unknown routes with the detail envelope and tags each response with a request id', async () => {
    const res = await request(t.url).get('/v1/nothing-here').expect(404);
    expect(res.body).toEqual({ detail: expect.any(String) });
    expect(res.headers['x-request-id']).toBeTruthy();
    const echoed = await request(t.url).get('/v1/health/').set('x-request-id', 'req-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-123');
  });

  it('reads query arrays from repeated keys and empty values as null', async () => {
    await request(t.url).get('/v1/agents/?tags=a&tags=b&match_all_tags=true&name=').expect(200);
    await request(t.url).get('/v1/agents/?limit=0').expect(422);
    await request(t.url).get('/v1/agents/?order=sideways').expect(422);
    await request(t.url).get('/v1/agents/?match_all_tags=maybe').expect(422);
  });
});
