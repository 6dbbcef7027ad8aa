import { rowKeys } from './row-keys';

describe('rowKeys', () => {
  it('reads the `xmin id` pairs ROW_KEYS aggregates, in order', () => {
    expect(rowKeys('812 message-a,813 message-b')).toEqual([
      ['message-a', '812'],
      ['message-b', '813'],
    ]);
  });

  it('reads no rows from the empty aggregate', () => {
    expect(rowKeys('')).toEqual([]);
  });
});
