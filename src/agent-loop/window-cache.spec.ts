import type { WindowEntry } from './chat-messages';
import type { RowKey } from '../database/row-keys';
import { TakenWindow, WindowCache } from './window-cache';

const row = (id: string, text = id): WindowEntry => ({ id, role: 'user', chat: [{ role: 'user', content: [{ type: 'text', text }] }] });
/** The `ROW_KEYS` text of `keys`. */
const text = (...keys: RowKey[]) => keys.map(([id, xmin]) => `${xmin} ${id}`).join(',');
const ids = ({ held, found }: TakenWindow) => [...held, ...found].map((r) => r?.id);

describe('WindowCache', () => {
  it('serves a row only at the version it holds', () => {
    const cache = new WindowCache(1_000_000);
    cache.add('agent-1', [
      ['10', row('a')],
      ['10', row('b')],
    ]);
    expect(ids(cache.take('agent-1', text(['a', '10'], ['b', '10'])))).toEqual(['a', 'b']);
    // b was edited (a new row version) and c is new: both must be read again
    expect(ids(cache.take('agent-1', text(['a', '10'], ['b', '11'], ['c', '11'])))).toEqual(['a', undefined, undefined]);
    expect(ids(cache.take('agent-2', text(['a', '10'])))).toEqual([undefined]);
  });

  it('forgets rows that left the window and versions that were replaced', () => {
    const cache = new WindowCache(1_000_000);
    cache.add('agent-1', [
      ['10', row('a')],
      ['10', row('b')],
    ]);
    cache.take('agent-1', text(['b', '12'])); // a was compacted away, b rewritten
    expect(ids(cache.take('agent-1', text(['a', '10'], ['b', '10'])))).toEqual([undefined, undefined]);
  });

  it('starts a window that grew from the last one remembered, and only while it only grew', () => {
    const cache = new WindowCache(1_000_000);
    const [a, b, c] = [row('a'), row('b'), row('c')];
    cache.add('agent-1', [
      ['10', a],
      ['10', b],
    ]);
    const first = text(['a', '10'], ['b', '10']);
    cache.remember('agent-1', first, [a, b]);
    cache.add('agent-1', [['11', c]]);
    const grown = cache.take('agent-1', text(['a', '10'], ['b', '10'], ['c', '11']));
    expect(grown.held).toEqual([a, b]);
    expect(grown.rest).toEqual([['c', '11']]);
    expect(grown.found).toEqual([c]);
    expect(cache.take('agent-1', first).rest).toEqual([]);
    // b rewritten: the remembered window no longer applies, and the old version is not served
    const edited = cache.take('agent-1', text(['a', '10'], ['b', '12'], ['c', '11']));
    expect(edited.held).toEqual([]);
    expect(ids(edited)).toEqual(['a', undefined, 'c']);
    // a key that merely extends the last one's text is not a longer window
    cache.remember('agent-1', text(['a', '10']), [a]);
    expect(cache.take('agent-1', text(['ab', '10'])).held).toEqual([]);
  });

  it('extends the remembered window with the rows this process writes, and serves it while its digest is unchanged', () => {
    const cache = new WindowCache(1_000_000);
    const [a, b, c, d] = [row('a'), row('b'), row('c'), row('d')];
    cache.add('agent-1', [
      ['10', a],
      ['10', b],
    ]);
    cache.remember('agent-1', text(['a', '10'], ['b', '10']), [a, b], '2:100');
    expect(cache.digest('agent-1')).toBe('2:100');
    cache.append('agent-1', '11', [c], '1:-5');
    expect(cache.digest('agent-1')).toBe('3:95');
    expect(cache.unchanged('agent-1', '3:95')).toEqual([a, b, c]);
    expect(cache.unchanged('agent-1', '2:100')).toBeUndefined();
    expect(cache.take('agent-1', text(['a', '10'], ['b', '10'], ['c', '11'])).held).toEqual([a, b, c]);
    // rows written without their digest are kept, but the window remembered stays the one whose digest is known
    cache.remember('agent-1', text(['a', '10'], ['b', '10'], ['c', '11']), [a, b, c], '3:95');
    cache.append('agent-1', '12', [d], null);
    expect(cache.digest('agent-1')).toBe('3:95');
    expect(ids(cache.take('agent-1', text(['a', '10'], ['b', '10'], ['c', '11'], ['d', '12'])))).toEqual(['a', 'b', 'c', 'd']);
    // nothing is remembered of a context whose window's digest is unknown
    cache.append('agent-2', '12', [d], '1:7');
    expect(cache.digest('agent-2')).toBeNull();
  });

  it('drops the least recently used contexts past its budget, never the one in use', () => {
    const big = (id: string) => row(id, 'x'.repeat(1000));
    const cache = new WindowCache(3500); // two of these rows fit, three do not
    cache.add('agent-1', [['1', big('a')]]);
    cache.add('agent-2', [['1', big('b')]]);
    cache.take('agent-1', text(['a', '1'])); // agent-1 used last
    cache.add('agent-3', [['1', big('c')]]);
    expect(ids(cache.take('agent-2', text(['b', '1'])))).toEqual([undefined]);
    expect(ids(cache.take('agent-1', text(['a', '1'])))).toEqual(['a']);
    const alone = new WindowCache(10);
    alone.add('agent-1', [['1', big('a')]]);
    expect(ids(alone.take('agent-1', text(['a', '1'])))).toEqual(['a']);
  });
});
