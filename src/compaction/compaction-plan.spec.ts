import type { MessageEntity } from '../messages/message.entity';
import { cutToTokens, nextPart, planCompaction, resolveSettings } from './compaction-plan';

const msg = (role: MessageEntity['role'], n: number) => ({ id: `m${n}`, role, content: [{ type: 'text', text: `t${n}` }] }) as unknown as MessageEntity;

describe('planCompaction', () => {
  const history = [msg('user', 1), msg('assistant', 2), msg('tool', 3), msg('assistant', 4), msg('user', 5), msg('assistant', 6), msg('tool', 7), msg('assistant', 8), msg('user', 9), msg('assistant', 10)];

  it('keeps the newest share and never starts the kept part with a tool result', () => {
    const plan = planCompaction(history, 'sliding_window', 0.4, false);
    expect(plan.keep.map((m) => m.id)).toEqual(['m8', 'm9', 'm10']);
    expect(plan.evict.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  });

  it('evicts everything in mode all, except a trailing user input when asked', () => {
    expect(planCompaction(history, 'all', 0.3, false).keep).toEqual([]);
    const withInput = [...history, msg('user', 11)];
    expect(planCompaction(withInput, 'all', 0.3, true).keep.map((m) => m.id)).toEqual(['m11']);
  });
});

describe('resolveSettings', () => {
  it('reads Letta’s fields and ignores the letta/auto placeholder', () => {
    expect(resolveSettings({ model: 'letta/auto', mode: 'all' })).toMatchObject({ model: null, mode: 'all', keepFraction: 0.3, clipChars: 50000 });
    expect(resolveSettings({ mode: 'all' }, { mode: 'sliding_window', sliding_window_percentage: 0.5, model: 'openai/gpt-4o-mini' })).toMatchObject({
      model: 'openai/gpt-4o-mini',
      mode: 'sliding_window',
      keepFraction: 0.5,
    });
  });
});

describe('nextPart', () => {
  const words = (text: string) => text.split(' ').length;
  const lines = ['a b', 'c d e', 'f', 'g h i j k l m n o p'];

  it('takes lines in order while they fit, counting a token for each line break', () => {
    expect(nextPart(lines, 0, 7, words)).toEqual({ part: ['a b', 'c d e'], next: 2 });
    expect(nextPart(lines, 2, 7, words)).toEqual({ part: ['f'], next: 3 });
  });

  it('cuts a line too long to fit alone, so every part makes progress', () => {
    const { part, next } = nextPart(lines, 3, 10, words);
    expect(next).toBe(4);
    expect(part[0]).toMatch(/^g h .*\[\.\.\. cut to fit the summarizer\]$/);
    expect(words(part[0])).toBeLessThanOrEqual(10);
  });

  it('leaves a text that fits as it is', () => {
    expect(cutToTokens('a b c', 3, words)).toBe('a b c');
  });
});
