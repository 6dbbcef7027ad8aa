import { addDigests, rowKeys } from './row-keys';

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

describe('addDigests', () => {
  it('adds the counts and the sums of two digests, exactly past 64 bits', () => {
    expect(addDigests('2:100', '1:-5')).toBe('3:95');
    expect(addDigests('0:0', '1:9223372036854775807')).toBe('1:9223372036854775807');
    expect(addDigests('1:9223372036854775807', '1:9223372036854775807')).toBe('2:18446744073709551614');
  });
});
