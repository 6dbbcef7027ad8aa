import { randomUUID } from 'node:crypto';

/** Letta's id prefixes: every id on the wire is `<prefix>-<uuid4>`. */
export type IdPrefix = 'agent' | 'block' | 'tool' | 'message' | 'run' | 'step' | 'conv' | 'passage' | 'archive';

export function newId(prefix: IdPrefix): string {
  const id = `${prefix}-${randomUUID()}`;
  // V8 keeps a string built by concatenation as a tree of its pieces: a UUID from `randomUUID` is about twenty of them
  // (~450 bytes) until something flattens it in place into one ~80-byte string (reading a character does; so does the
  // first comparison with an equal string). Ids live long (cached rows, runs, frames): flattened once, here.
  id.charCodeAt(0);
  return id;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ID_PATTERNS = new Map<string, RegExp>();

export function isId(prefix: IdPrefix, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  let pattern = ID_PATTERNS.get(prefix);
  if (!pattern) ID_PATTERNS.set(prefix, (pattern = new RegExp(`^${prefix}-${UUID}$`, 'i')));
  return pattern.test(value);
}
