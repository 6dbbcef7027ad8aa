import { randomUUID } from 'node:crypto';
import type Letta from '@letta-ai/letta-client';

/** A tag unique to one test, so each test file owns the agents it lists. */
export const uniqueTag = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;

export function createAgent(letta: Letta, overrides: Record<string, unknown> = {}) {
  return letta.agents.create({
    model: 'openai/gpt-4o-mini',
    memory_blocks: [
      { label: 'human', value: 'Name: Ada', description: 'Facts about the user' },
      { label: 'persona', value: 'I am a helpful agent.' },
    ],
    ...overrides,
  } as Parameters<Letta['agents']['create']>[0]);
}
