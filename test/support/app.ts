import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Letta from '@letta-ai/letta-client';
import { ApiModule } from '../../src/app.module';
import { configureApp, NEST_APP_OPTIONS } from '../../src/app.setup';
import { loadConfig } from '../../src/config/config';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './test-env';

export interface TestApp {
  app: INestApplication;
  /** Base URL of the listening server, without `/v1`. */
  url: string;
  /** The official Letta SDK, pointed at the server, with retries off so each call is one request. */
  letta: Letta;
  close(): Promise<void>;
}

/** Boots the whole API, as `npm start` configures it, on the test database and an ephemeral port. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: 'mnemo-test',
    PORT: '0',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication(NEST_APP_OPTIONS);
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return { app, url, letta: new Letta({ baseURL: url, apiKey: 'test', maxRetries: 0 }), close: () => app.close() };
}
