import type { MessageEntity } from '../messages/message.entity';
import { planCompaction, resolveSettings } from './compaction-plan';

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
