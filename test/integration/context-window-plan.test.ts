import { Client } from 'pg';
import { windowJsonSql, windowKeysSql } from '../../src/messages/in-context';
import { ownDatabase } from '../support/database';

/**
 * Reading one context's window must cost the same however much history the other contexts on the server hold, even on
 * a database the planner has no statistics for yet (a new deployment, or a table that just grew).
 */
const AGENTS = 500;
const WINDOW = 40;

let db: Client;
beforeAll(async () => {
  db = await ownDatabase('plans');
  // Never analyzed: every agent has a default-context window and a conversation with one of its own.
  await db.query(
    `INSERT INTO agents (id, name, agent_type, system, llm_config) SELECT 'agent-' || i, 'a' || i, 'letta_v1_agent', '', '{}' FROM generate_series(1, $1) i`,
    [AGENTS],
  );
  await db.query(`INSERT INTO conversations (id, agent_id) SELECT 'conv-' || i, 'agent-' || i FROM generate_series(1, $1) i`, [AGENTS]);
  await db.query(
    `INSERT INTO messages (id, agent_id, conversation_id, role, in_context)
     SELECT 'message-' || a || '-' || c || '-' || m, 'agent-' || a, CASE c WHEN 1 THEN 'conv-' || a END, CASE m WHEN 1 THEN 'system' ELSE 'user' END, true
       FROM generate_series(1, $1) a, generate_series(1, 2) c, generate_series(1, $2) m`,
    [AGENTS, WINDOW],
  );
});
afterAll(() => db?.end());

/** The plan of a window read, and how many index and table pages it touched. */
async function explain(read: typeof windowJsonSql, conversationId: string | null, agentId: string) {
  // The one parameter is the conversation, or the agent for its default context (as `loadWindow` reads it).
  const sql = `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${read(conversationId, '$1', '$1')}`;
  const [{ 'QUERY PLAN': [plan] }] = (await db.query(sql, [conversationId ?? agentId])).rows;
  const indexes: string[] = [];
  const visit = (node: { 'Index Name'?: string; Plans?: unknown[] }) => {
    if (node['Index Name']) indexes.push(node['Index Name']);
    for (const child of node.Plans ?? []) visit(child as typeof node);
  };
  visit(plan.Plan);
  const scan = plan.Plan.Plans[0];
  return { indexes, pages: scan['Shared Hit Blocks'] + scan['Shared Read Blocks'], rows: scan['Actual Rows'] };
}

describe.each([
  ['rows', windowJsonSql],
  ['row versions', windowKeysSql],
])('reading a context window (%s)', (_, read) => {
  it("of an agent's default context touches only that context's rows", async () => {
    const { indexes, pages, rows } = await explain(read, null, 'agent-7');
    expect(rows).toBe(WINDOW);
    expect(indexes.every((name) => !name.startsWith('messages_conversation'))).toBe(true);
    // A few index and table pages; scanning every agent's rows touches dozens.
    expect(pages).toBeLessThan(15);
  });

  it("of a conversation touches only that conversation's rows", async () => {
    const { indexes, pages, rows } = await explain(read, 'conv-7', 'agent-7');
    expect(rows).toBe(WINDOW);
    expect(indexes).not.toContain('messages_in_context_idx');
    expect(pages).toBeLessThan(15);
  });
});
