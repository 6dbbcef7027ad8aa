import type { EntityManager } from 'typeorm';
import { MessageEntity } from './message.entity';

/**
 * Order of the rows of a context window: the system message, then the compaction summary, then the rest by seq.
 * One place defines it, so every reader of the window agrees.
 */
export const IN_CONTEXT_ORDER = (alias: string) =>
  `CASE ${alias}.role WHEN 'system' THEN 0 WHEN 'summary' THEN 1 ELSE 2 END, ${alias}.seq`;

/** The context window of the agent's default context or of a conversation, system message first. */
export function loadWindow(manager: EntityManager, agentId: string, conversationId: string | null): Promise<MessageEntity[]> {
  const qb = manager.getRepository(MessageEntity).createQueryBuilder('m').where('m.in_context');
  if (conversationId) qb.andWhere('m.conversation_id = :conversationId', { conversationId });
  else qb.andWhere('m.agent_id = :agentId AND m.conversation_id IS NULL', { agentId });
  return qb.orderBy(IN_CONTEXT_ORDER('m')).getMany();
}

/** Keyset paging of messages (alias `m`) by their unique, global `seq`. */
export const BY_SEQ = { alias: 'm', table: 'messages', sortColumn: 'seq', unique: true } as const;
