import type { ChatMessage } from '../llm/llm.types';
import type { WindowEntry } from './chat-messages';
import { addDigests, RowKey, rowKeys } from '../database/row-keys';

interface CachedRow {
  xmin: string;
  entry: WindowEntry;
  bytes: number;
}

interface CachedContext {
  rows: Map<string, CachedRow>;
  /** The last window assembled whole from this cache, by its `ROW_KEYS` text and, when known, its `ROW_DIGEST`. */
  window?: { keys: string; rows: WindowEntry[]; digest: string | null };
}

/** What the cache holds of a window: the entries of its first keys (`held`), then the other keys and the entry kept for each. */
export interface TakenWindow {
  held: WindowEntry[];
  rest: RowKey[];
  found: (WindowEntry | undefined)[];
}

/**
 * The rows of recently used context windows, as window entries, each kept with the version (`xmin`) of the row it was
 * built from. A turn reads only its window's `[id, xmin]` pairs and takes the entries from here: a row that changed
 * since (a new version) or was never seen is read again, so nothing stale is ever used. Least recently used contexts go
 * first past a budget.
 *
 * A window usually only grows between turns, so its keys start with the last window's keys: those rows are taken as
 * they were assembled, and only the keys after them are looked up. Usually it grows only by the rows this process wrote
 * itself: the remembered window is extended with them, with its digest, so that a turn can ask for the keys only when
 * the window's digest is another (see `contextSql`).
 */
export class WindowCache {
  private readonly contexts = new Map<string, CachedContext>();
  private bytes = 0;

  /** `budgetBytes`: the memory the rows kept may take, all contexts together (roughly: see `approximateBytes`). */
  constructor(private readonly budgetBytes: number) {}

  /**
   * The rows of the window `keys` (a `ROW_KEYS` text), `undefined` where this cache does not hold that version. Unless
   * the window only grew, the context's other rows (left the window, or an older version) are forgotten.
   */
  take(context: string, keys: string): TakenWindow {
    const cached = this.contexts.get(context);
    if (!cached) {
      const rest = rowKeys(keys);
      return { held: [], rest, found: rest.map(() => undefined) };
    }
    this.touch(context);
    const last = cached.window;
    if (last && grew(last.keys, keys)) {
      const rest = rowKeys(last.keys ? keys.slice(last.keys.length + 1) : keys);
      return { held: last.rows, rest, found: rest.map(([id, xmin]) => at(cached.rows, id, xmin)) };
    }
    cached.window = undefined;
    const rest = rowKeys(keys);
    const found = rest.map(([id, xmin]) => at(cached.rows, id, xmin));
    const hits = found.filter(Boolean).length;
    if (cached.rows.size > hits) {
      const wanted = new Set(rest.filter((_, i) => found[i]).map(([id]) => id));
      for (const [id, row] of cached.rows) {
        if (wanted.has(id)) continue;
        cached.rows.delete(id);
        this.bytes -= row.bytes;
      }
    }
    return { held: [], rest, found };
  }

  /**
   * Remembers `rows` as the whole window `keys` of a context this cache holds, with its digest when known, for the next
   * `take` to start from. The array is kept as given and handed out again: neither side may change it.
   */
  remember(context: string, keys: string, rows: WindowEntry[], digest: string | null = null): void {
    const cached = this.contexts.get(context);
    if (cached) cached.window = { keys, rows, digest };
  }

  /** The digest of the context's remembered window, if it is known. */
  digest(context: string): string | null {
    return this.contexts.get(context)?.window?.digest ?? null;
  }

  /** The remembered window of the context if its digest is `digest` (the window is unchanged since). */
  unchanged(context: string, digest: string): WindowEntry[] | undefined {
    const window = this.contexts.get(context)?.window;
    if (window?.digest !== digest) return undefined;
    this.touch(context);
    return window.rows;
  }

  /**
   * Adds rows this process wrote, all at version `xmin`, to a context's rows. When their digest is given (the caller
   * gives it only for rows that sort last in the window: in context, neither a system message nor a summary) and the
   * remembered window's is known, the remembered window is extended with them.
   */
  append(context: string, xmin: string, entries: WindowEntry[], digest: string | null): void {
    const window = this.contexts.get(context)?.window;
    this.add(context, entries.map((entry) => [xmin, entry]));
    if (!window?.digest || digest === null) return;
    const keys = entries.map((entry) => `${xmin} ${entry.id}`);
    this.remember(context, [window.keys, ...keys].filter(Boolean).join(','), window.rows.concat(entries), addDigests(window.digest, digest));
  }

  /** Adds rows of a context's window, read or written at the given versions. */
  add(context: string, entries: [xmin: string, entry: WindowEntry][]): void {
    const cached = this.touch(context).rows;
    for (const [xmin, entry] of entries) {
      const bytes = approximateBytes(entry);
      this.bytes += bytes - (cached.get(entry.id)?.bytes ?? 0);
      cached.set(entry.id, { xmin, entry, bytes });
    }
    for (const [oldest, evicted] of this.contexts) {
      if (this.bytes <= this.budgetBytes || oldest === context) break;
      for (const row of evicted.rows.values()) this.bytes -= row.bytes;
      this.contexts.delete(oldest);
    }
  }

  /** The context's entry, made the most recently used. */
  private touch(context: string): CachedContext {
    const cached = this.contexts.get(context) ?? { rows: new Map<string, CachedRow>() };
    this.contexts.delete(context);
    this.contexts.set(context, cached);
    return cached;
  }
}

function at(rows: Map<string, CachedRow>, id: string, xmin: string): WindowEntry | undefined {
  const cached = rows.get(id);
  return cached?.xmin === xmin ? cached.entry : undefined;
}

/** Whether the keys `now` are the keys `before` with more after them (or the same). */
function grew(before: string, now: string): boolean {
  return now.startsWith(before) && (before === '' || now.length === before.length || now[before.length] === ',');
}

/**
 * The memory an entry takes, roughly: ~450 bytes for a short one (its objects, id, version and map slot, measured with
 * `--expose-gc`), and its texts.
 */
function approximateBytes(entry: WindowEntry): number {
  let bytes = 450 + (entry.text?.length ?? 0);
  for (const m of entry.chat) bytes += textLength(m);
  return bytes;
}

function textLength(m: ChatMessage): number {
  switch (m.role) {
    case 'user':
      return m.content.reduce((n, p) => n + (p.type === 'text' ? p.text.length : (p.data?.length ?? 0) + (p.url?.length ?? 0)), 0);
    case 'assistant':
      return (m.text?.length ?? 0) + m.reasoning.reduce((n, r) => n + (r.type === 'reasoning' ? r.text.length : r.data.length), 0) + m.toolCalls.reduce((n, c) => n + c.arguments.length + 40, 0);
    case 'tool':
      return m.content.length + m.toolCallId.length;
  }
}
