import type { MessageEntity } from '../messages/message.entity';
import type { RowKey } from '../database/row-keys';
import { WindowCache } from './window-cache';

const row = (id: string, text = id) => ({ id, content: [{ type: 'text', text }], toolCalls: null, toolReturns: null }) as unknown as MessageEntity;
const ids = (rows: (MessageEntity | undefined)[]) => rows.map((r) => r?.id);

describe('WindowCache', () => {
  it('serves a row only at the version it holds', () => {
    const cache = new WindowCache(1_000_000);
    cache.add('agent-1', [
      ['10', row('a')],
      ['10', row('b')],
    ]);
    expect(ids(cache.take('agent-1', [['a', '10'], ['b', '10']]))).toEqual(['a', 'b']);
    // b was edited (a new row version) and c is new: both must be read again
    expect(ids(cache.take('agent-1', [['a', '10'], ['b', '11'], ['c', '11']]))).toEqual(['a', undefined, undefined]);
    expect(ids(cache.take('agent-2', [['a', '10']]))).toEqual([undefined]);
  });

  it('forgets rows that left the window and versions that were replaced', () => {
    const cache = new WindowCache(1_000_000);
    cache.add('agent-1', [
      ['10', row('a')],
      ['10', row('b')],
    ]);
    cache.take('agent-1', [['b', '12']]); // a was compacted away, b rewritten
    const keys: RowKey[] = [['a', '10'], ['b', '10']];
    expect(ids(cache.take('agent-1', keys))).toEqual([undefined, undefined]);
  });

  it('drops the least recently used contexts past its budget, never the one in use', () => {
    const big = (id: string) => row(id, 'x'.repeat(1000));
    const cache = new WindowCache(4000); // two of these rows fit, three do not
    cache.add('agent-1', [['1', big('a')]]);
    cache.add('agent-2', [['1', big('b')]]);
    cache.take('agent-1', [['a', '1']]); // agent-1 used last
    cache.add('agent-3', [['1', big('c')]]);
    expect(ids(cache.take('agent-2', [['b', '1']]))).toEqual([undefined]);
    expect(ids(cache.take('agent-1', [['a', '1']]))).toEqual(['a']);
    const alone = new WindowCache(10);
    alone.add('agent-1', [['1', big('a')]]);
    expect(ids(alone.take('agent-1', [['a', '1']]))).toEqual(['a']);
  });
});
