import { Client } from 'pg';
import { contextSql } from '../../src/agent-loop/turn-store.service';
import { writtenDigestSql } from '../../src/database/insert-rows';
import { addDigests } from '../../src/database/row-keys';
import { ownDatabase } from '../support/database';

/**
 * A turn reads its window's keys only when the window's digest is not the one the process expects: the digest of the
 * window it last read plus the digests of the rows it wrote since. Any other change to the window must show.
 */
const AGENT = 'agent-digest';

let db: Client;
beforeAll(async () => {
  db = await ownDatabase('digest');
  await db.query(`INSERT INTO agents (id, name, agent_type, system, llm_config) VALUES ($1, 'a', 'letta_v1_agent', '', '{}')`, [AGENT]);
  await db.query(
    `INSERT INTO messages (id, agent_id, role, in_context) SELECT 'message-' || i, $1, CASE i WHEN 1 THEN 'system' ELSE 'user' END, i <= 4
       FROM generate_series(1, 5) i`,
    [AGENT],
  );
});
afterAll(() => db?.end());

/** The window part of a turn's context read, given the digest the process expects. */
async function read(digest: string | null): Promise<{ digest: string; window: string | null }> {
  const { rows } = await db.query(contextSql(null, '$1', '$2', '$3'), [AGENT, null, digest]);
  return rows[0];
}

/** Writes rows in context as a turn does, returning the digest the statement reports for them. */
async function write(...ids: string[]): Promise<string> {
  const values = ids.map((_, i) => `($${i + 2}, $1, 'assistant', true)`).join(', ');
  const { rows } = await db.query(
    `WITH i AS (INSERT INTO messages (id, agent_id, role, in_context) VALUES ${values}) SELECT ${writtenDigestSql(`$${ids.length + 2}`)} AS digest`,
    [AGENT, ...ids, ids],
  );
  return rows[0].digest;
}

describe('the window digest', () => {
  it('answers without the keys while the window holds what the process knows of, and with them after any other change', async () => {
    const first = await read(null);
    expect(first.window!.split(',')).toHaveLength(4);
    expect(first.digest).toMatch(/^4:-?\d+$/);
    expect((await read(first.digest)).window).toBeNull();

    // the process's own writes, added to the digest it knows
    const known = addDigests(first.digest, await write('message-6', 'message-7'));
    const grown = await read(known);
    expect(grown.window).toBeNull();
    expect(grown.digest).toBe(known);

    // a row edited elsewhere: a new version
    await db.query(`UPDATE messages SET content = '[{"type": "text", "text": "edited"}]' WHERE id = 'message-3'`);
    const edited = await read(known);
    expect(edited.window).toContain('message-3');
    expect(edited.digest).not.toBe(known);

    // one row out of the window and another in, in one statement: as many rows as before
    await db.query(`UPDATE messages SET in_context = NOT in_context WHERE id IN ('message-2', 'message-5')`);
    const swapped = await read(edited.digest);
    expect(swapped.window).toContain('message-5');
    expect(swapped.window).not.toContain('message-2');

    // a row deleted
    await db.query(`DELETE FROM messages WHERE id = 'message-6'`);
    expect((await read(swapped.digest)).window).not.toContain('message-6');
  });
});
