import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import Letta from '@letta-ai/letta-client';
import { ApiModule } from '../../src/app.module';
import { appOptions, configureApp, httpAdapter } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/config';
import { FakeLlmOptions, FakeLlmServer } from '../fake-llm/fake-llm-server';
import { TEST_DATABASE_URL, TEST_QUEUE_PREFIX, TEST_REDIS_URL } from './test-env';

export interface TestApp {
  app: NestFastifyApplication;
  /** The scripted model provider behind every configured provider (openai, anthropic, ollama). */
  fake: FakeLlmServer;
  config: AppConfig;
  /** Base URL of the listening server, without `/v1`. */
  url: string;
  /** The official Letta SDK, pointed at the server, with retries off so each call is one request. */
  letta: Letta;
  close(): Promise<void>;
}

/** Boots the whole API, as `npm start` configures it, on the test database and an ephemeral port. */
export const TEST_MODELS = [
  { id: 'gpt-4o-mini', contextWindow: 128000 },
  { id: 'gpt-4o', contextWindow: 128000 },
  { id: 'claude-sonnet-5-5', contextWindow: 200000 },
  { id: 'llama3', contextWindow: 8192 },
];

export async function startTestApp(env: Record<string, string> = {}, fakeOptions: FakeLlmOptions = {}): Promise<TestApp> {
  const fake = await FakeLlmServer.start({ models: TEST_MODELS, ...fakeOptions });
  const config = loadConfig({
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: fake.openaiBaseUrl,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: fake.anthropicBaseUrl,
    OLLAMA_BASE_URL: fake.url,
    LLM_MAX_RETRIES: '0',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Each app its own queues, so two apps in one test file never take each other's runs.
    QUEUE_PREFIX: `${TEST_QUEUE_PREFIX}-${randomUUID().slice(0, 8)}`,
    PORT: '0',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config)] }).compile();
  const options = appOptions(config);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(httpAdapter(), options);
  configureApp(app, options.logger);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    fake,
    url,
    letta: new Letta({ baseURL: url, apiKey: 'test', maxRetries: 0 }),
    close: async () => {
      await app.close();
      await fake.close();
    },
  };
}
