import { ConsoleLogger, Logger } from '@nestjs/common';
import Fastify from 'fastify';
import request from 'supertest';
import { JsonLogger, REQUEST_ID_OPTIONS, requestLogging } from './logging';

function capture(level: 'info' | 'warn' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = new JsonLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('JsonLogger', () => {
  it("puts an object's fields on the line, the message after it and the class name under context", () => {
    const { logger, lines } = capture();
    logger.warn({ runId: 'run-1' }, 'could not queue compaction', 'RunExecutor');
    expect(lines).toEqual([expect.objectContaining({ level: 40, runId: 'run-1', msg: 'could not queue compaction', context: 'RunExecutor' })]);
  });

  it('writes plain messages and errors, and nothing below its level', () => {
    const { logger, lines } = capture('warn');
    logger.log('started', 'NestApplication');
    logger.error('boom', 'Error: boom\n    at somewhere (file.js:1:1)', 'ExceptionsHandler');
    logger.error(new Error('bad'), 'Worker');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'boom', context: 'ExceptionsHandler', err: { stack: expect.stringContaining('at somewhere') } });
    expect(lines[1]).toMatchObject({ level: 50, context: 'Worker', err: { message: 'bad', type: 'Error' } });
  });

  it("serves Nest's Logger once installed", () => {
    const { logger, lines } = capture();
    Logger.overrideLogger(logger);
    try {
      new Logger('Compaction').log({ agentId: 'agent-1' }, 'summarized');
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
    expect(lines).toEqual([expect.objectContaining({ agentId: 'agent-1', msg: 'summarized', context: 'Compaction' })]);
  });
});

describe('requestLogging', () => {
  const app = async (logger: JsonLogger) => {
    const fastify = Fastify(REQUEST_ID_OPTIONS)
      .addHook('onRequest', requestLogging(logger.pino))
      .get('/ok', async () => ({ ok: true }))
      .get('/missing', async (_req, reply) => reply.status(404).send({ detail: 'not found' }));
    await fastify.ready();
    return fastify.server;
  };

  it("echoes the caller's request id or gives a new one, and logs each response with it", async () => {
    const { logger, lines } = capture();
    const given = await request(await app(logger)).get('/ok').set('x-request-id', 'req-1').expect(200);
    const fresh = await request(await app(logger)).get('/missing').expect(404);
    expect(given.headers['x-request-id']).toBe('req-1');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'request completed', req: { id: 'req-1', method: 'GET', url: '/ok' }, res: { statusCode: 200 } }),
      expect.objectContaining({ level: 40, req: expect.objectContaining({ id: fresh.headers['x-request-id'] }), res: { statusCode: 404 } }),
    ]);
  });
});
