import type { EntityManager } from 'typeorm';
import { entitiesFromJson } from '../database/json-rows';
import { MessageEntity } from './message.entity';
import { ROW_DIGEST, ROW_KEYS } from '../database/row-keys';

/**
 * Order of the rows of a context window: the system message, then the compaction summary, then the rest by seq.
 * One place defines it, so every reader of the window agrees.
 */
export const IN_CONTEXT_ORDER = (alias: string) =>
  `CASE ${alias}.role WHEN 'system' THEN 0 WHEN 'summary' THEN 1 ELSE 2 END, ${alias}.seq`;

/** The statement's filter selecting a context's window rows (alias `m`); `agent` and `conversation` are its parameters. */
function windowScope(conversationId: string | null, agent: string, conversation: string): string {
  return `m.in_context AND ${conversationId ? `m.conversation_id = ${conversation}` : `m.agent_id = ${agent} AND m.conversation_id IS NULL`}`;
}

/**
 * SQL of the window as one JSON array of rows, system message first, for readers that load it together with other
 * rows in one statement (see `entitiesFromJson`). `agent` and `conversation` are the statement's parameters.
 */
export function windowJsonSql(conversationId: string | null, agent: string, conversation: string): string {
  return `SELECT COALESCE(json_agg(m ORDER BY ${IN_CONTEXT_ORDER('m')}), '[]') FROM messages m WHERE ${windowScope(conversationId, agent, conversation)}`;
}

/**
 * SQL of the window as `xmin id` pairs in window order, comma-separated: which rows, at which row version (every UPDATE
 * writes a new version with a new `xmin`), for readers that keep the rows they have already read (see `rowKeys`).
 */
export function windowKeysSql(conversationId: string | null, agent: string, conversation: string): string {
  return `SELECT ${ROW_KEYS('m', IN_CONTEXT_ORDER('m'))} FROM messages m WHERE ${windowScope(conversationId, agent, conversation)}`;
}

/** SQL of the window's `ROW_DIGEST`: which rows it holds at which versions, without listing them. */
export function windowDigestSql(conversationId: string | null, agent: string, conversation: string): string {
  return `SELECT ${ROW_DIGEST('m.id', 'm.xmin::text::bigint')} FROM messages m WHERE ${windowScope(conversationId, agent, conversation)}`;
}

/** The context window of the agent's default context or of a conversation, system message first. */
export async function loadWindow(manager: EntityManager, agentId: string, conversationId: string | null): Promise<MessageEntity[]> {
  // The one parameter is the conversation, or the agent for its default context.
  const [{ window }] = await manager.query(`SELECT (${windowJsonSql(conversationId, '$1', '$1')}) AS window`, [conversationId ?? agentId]);
  return entitiesFromJson(manager.connection, MessageEntity, window);
}

/** Keyset paging of messages (alias `m`) by their unique, global `seq`. */
export const BY_SEQ = { alias: 'm', table: 'messages', sortColumn: 'seq', unique: true } as const;
