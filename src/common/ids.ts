import { randomUUID } from 'node:crypto';

/** Letta's id prefixes: every id on the wire is `<prefix>-<uuid4>`. */
export type IdPrefix = 'agent' | 'block' | 'tool' | 'message' | 'run' | 'step' | 'conv' | 'passage' | 'archive';

export function newId(prefix: IdPrefix): string {
  return `${prefix}-${randomUUID()}`;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function isId(prefix: IdPrefix, value: unknown): value is string {
  return typeof value === 'string' && new RegExp(`^${prefix}-${UUID}$`, 'i').test(value);
}
