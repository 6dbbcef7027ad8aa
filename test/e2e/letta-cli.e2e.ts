import Letta from '@letta-ai/letta-client';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FakeLlmServer } from '../fake-llm/fake-llm-server';
import { systemOf } from '../support/prompts';
import { freePort, ServerProcess, startServerProcess, waitForHealth } from '../support/process';
import { TEST_DATABASE_URL, TEST_QUEUE_PREFIX, TEST_REDIS_URL } from '../support/test-env';

jest.setTimeout(120_000);

/** The `letta` CLI (@letta-ai/letta-code, a devDependency) in headless mode, against `npm start`'s entrypoint. */
const LETTA = join(__dirname, '..', '..', 'node_modules', '.bin', 'letta');
let port: number;
let baseUrl: string;
let fake: FakeLlmServer;
let server: ServerProcess;
let letta: Letta;

async function runCli(args: string[]): Promise<{ type: string; subtype: string; result: string; agent_id: string; conversation_id: string }> {
  const { stdout } = await promisify(execFile)(LETTA, ['-p', ...args, '--tools', '', '--no-skills', '--output-format', 'json'], {
    cwd: mkdtempSync(join(tmpdir(), 'letta-cwd-')),
    env: {
      PATH: process.env.PATH,
      HOME: mkdtempSync(join(tmpdir(), 'letta-home-')),
      LETTA_BASE_URL: baseUrl,
      LETTA_CODE_TELEM: '0',
      DISABLE_AUTOUPDATER: '1',
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

beforeAll(async () => {
  port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  fake = await FakeLlmServer.start({ models: [{ id: 'gpt-4o-mini', contextWindow: 128000 }] });
  server = startServerProcess({
    PORT: String(port),
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `${TEST_QUEUE_PREFIX}-${randomUUID().slice(0, 8)}`,
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: fake.openaiBaseUrl,
  });
  letta = new Letta({ baseURL: baseUrl, maxRetries: 0 });
  await waitForHealth(port, server);
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await fake?.close();
});

beforeEach(() => fake.reset());

describe('the letta CLI in headless mode', () => {
  it('answers a prompt sent to an agent’s default conversation', async () => {
    const agent = await letta.agents.create({ model: 'openai/gpt-4o-mini', memory_blocks: [{ label: 'human', value: 'Name: Ada' }] });
    fake.script({ text: 'Two plus two is four.' });
    const result = await runCli(['--agent', agent.id, '--conversation', 'default', 'What is 2+2?']);
    expect(result).toMatchObject({ type: 'result', subtype: 'success', result: 'Two plus two is four.', agent_id: agent.id, conversation_id: 'default' });
    expect(systemOf(fake.lastRequest()!)).toContain('Name: Ada');
    const history = (await letta.agents.messages.list(agent.id, { order: 'asc' })).items as unknown as { message_type: string; content: unknown }[];
    expect(history.at(-1)).toMatchObject({ message_type: 'assistant_message', content: 'Two plus two is four.' });
  });

  it('opens a new conversation for each run with --agent', async () => {
    const agent = await letta.agents.create({ model: 'openai/gpt-4o-mini' });
    fake.script({ text: 'First thread.' });
    const first = await runCli(['--agent', agent.id, 'Hello']);
    fake.script({ text: 'Second thread.' });
    const second = await runCli(['--agent', agent.id, 'Hello again']);
    expect(first.conversation_id).toMatch(/^conv-/);
    expect(second.conversation_id).toMatch(/^conv-/);
    expect(second.conversation_id).not.toBe(first.conversation_id);
    expect([first.result, second.result]).toEqual(['First thread.', 'Second thread.']);
    const conversations = await letta.conversations.list({ agent_id: agent.id });
    expect(conversations.map((c) => c.id).sort()).toEqual([first.conversation_id, second.conversation_id].sort());
  });

  it('creates an agent with --new-agent (its letta/auto model maps to the first configured model)', async () => {
    fake.script({ text: 'Hi, I am new.' });
    const result = await runCli(['--new-agent', 'Hi']);
    expect(result.result).toBe('Hi, I am new.');
    expect((await letta.agents.retrieve(result.agent_id)).model).toBe('openai/gpt-4o-mini');
  });
});
