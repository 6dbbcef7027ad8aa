import { EntityManager } from 'typeorm';
import { escapeLike } from '../common/sql';

export interface ConversationSearchArgs {
  query?: string;
  roles?: string[];
  limit?: number;
  start_date?: string;
  end_date?: string;
}

interface Row {
  id: string;
  role: string;
  search_text: string;
  created_at: Date;
}

/**
 * Searches the agent's whole stored history (in context or not); tool results only when asked for by role.
 * Full-text match first, then a substring match when the words give nothing.
 */
export async function conversationSearch(manager: EntityManager, agentId: string, args: ConversationSearchArgs, now: Date): Promise<string> {
  const limit = Math.min(Math.max(Number(args.limit ?? 5) || 5, 1), 50);
  const allowed = ['assistant', 'user', 'tool'];
  const roles = (args.roles?.length ? args.roles : ['assistant', 'user']).filter((r) => allowed.includes(r));
  const start = parseDate(args.start_date, 'start_date', false);
  const end = parseDate(args.end_date, 'end_date', true);
  // Tool calls and the search tool's own results are stored with an empty search_text, so they never match.
  const where = [`agent_id = $1`, `role = ANY($2)`, `search_text <> ''`];
  const params: unknown[] = [agentId, roles.length ? roles : ['assistant', 'user']];
  if (start) where.push(`created_at >= $${params.push(start)}`);
  if (end) where.push(`created_at <= $${params.push(end)}`);
  const query = (args.query ?? '').trim();
  let rows: Row[] = [];
  if (query) {
    rows = await manager.query(
      `SELECT id, role, search_text, created_at FROM messages WHERE ${where.join(' AND ')}
         AND to_tsvector('simple', search_text) @@ plainto_tsquery('simple', $${params.length + 1})
       ORDER BY ts_rank(to_tsvector('simple', search_text), plainto_tsquery('simple', $${params.length + 1})) DESC, seq DESC LIMIT ${limit}`,
      [...params, query],
    );
    if (rows.length === 0) {
      rows = await manager.query(
        `SELECT id, role, search_text, created_at FROM messages WHERE ${where.join(' AND ')} AND search_text ILIKE $${params.length + 1} ORDER BY seq DESC LIMIT ${limit}`,
        [...params, `%${escapeLike(query)}%`],
      );
    }
  } else {
    rows = await manager.query(`SELECT id, role, search_text, created_at FROM messages WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ${limit}`, params);
  }
  if (rows.length === 0) return JSON.stringify({ message: 'No results found.', results: [] });
  return JSON.stringify({
    message: `Showing ${rows.length} results:`,
    results: rows.map((r) => ({ timestamp: new Date(r.created_at).toISOString(), time_ago: timeAgo(new Date(r.created_at), now), role: r.role, content: r.search_text })),
  });
}

function parseDate(value: string | undefined, name: string, endOfDay: boolean): Date | null {
  if (!value) return null;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}Z` : value);
  if (Number.isNaN(date.getTime())) throw new Error(`Invalid ${name} format: ${value}. Use ISO 8601 format (YYYY-MM-DD or YYYY-MM-DDTHH:MM)`);
  return date;
}

function timeAgo(date: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}
