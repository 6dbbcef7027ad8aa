import { randomInt } from 'node:crypto';

const ADJECTIVES = ['amber', 'brisk', 'calm', 'deft', 'eager', 'fleet', 'gentle', 'hardy', 'keen', 'lucid', 'mellow', 'nimble', 'quiet', 'steady', 'vivid', 'witty'];
const NOUNS = ['acorn', 'brook', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'harbor', 'island', 'lantern', 'meadow', 'orchard', 'pebble', 'ridge', 'summit', 'willow'];

/** A readable default agent name, such as `keen-harbor-4821`. */
export function randomAgentName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000, 10000)}`;
}
