import { RowVersions } from './row-versions';

describe('RowVersions', () => {
  it('gives a row back only at the version it was kept at', () => {
    const rows = new RowVersions<string>(10);
    rows.set('tool-1', '100', 'v100');
    expect(rows.get('tool-1', '100')).toBe('v100');
    expect(rows.get('tool-1', '101')).toBeUndefined();
    rows.set('tool-1', '101', 'v101');
    expect(rows.get('tool-1', '101')).toBe('v101');
    expect(rows.get('tool-1', '100')).toBeUndefined();
  });

  it('keeps at most its bound, dropping the row set longest ago', () => {
    const rows = new RowVersions<string>(2);
    rows.set('a', '1', 'a');
    rows.set('b', '1', 'b');
    rows.set('a', '1', 'a'); // set again: now the newest
    rows.set('c', '1', 'c');
    expect([rows.get('a', '1'), rows.get('b', '1'), rows.get('c', '1')]).toEqual(['a', undefined, 'c']);
  });
});
