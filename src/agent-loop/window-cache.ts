import type { MessageEntity } from '../messages/message.entity';
import type { RowKey } from '../database/row-keys';

interface CachedRow {
  xmin: string;
  row: MessageEntity;
  bytes: number;
}

/**
 * The rows of recently used context windows, each kept with the version (`xmin`) it was read or written at. A turn
 * reads only its window's `[id, xmin]` pairs and takes the rows from here: a row that changed since (a new version)
 * or was never seen is read again, so nothing stale is ever used. Least recently used contexts go first past a budget.
 */
export class WindowCache {
  private readonly contexts = new Map<string, Map<string, CachedRow>>();
  private bytes = 0;

  /** `budgetBytes`: the memory the rows kept may take, all contexts together (roughly: see `approximateBytes`). */
  constructor(private readonly budgetBytes: number) {}

  /**
   * The rows of `keys` in order, `undefined` where this cache does not hold that version. The context's other rows
   * (left the window, or an older version) are forgotten.
   */
  take(context: string, keys: RowKey[]): (MessageEntity | undefined)[] {
    if (!this.contexts.has(context)) return keys.map(() => undefined);
    const rows = this.touch(context);
    const found = keys.map(([id, xmin]) => {
      const cached = rows.get(id);
      return cached?.xmin === xmin ? cached.row : undefined;
    });
    const hits = found.filter(Boolean).length;
    if (rows.size > hits) {
      const wanted = new Set(keys.filter((_, i) => found[i]).map(([id]) => id));
      for (const [id, cached] of rows) {
        if (wanted.has(id)) continue;
        rows.delete(id);
        this.bytes -= cached.bytes;
      }
    }
    return found;
  }

  /** Adds rows of a context's window, read or written at the given versions. */
  add(context: string, rows: [xmin: string, row: MessageEntity][]): void {
    const cached = this.touch(context);
    for (const [xmin, row] of rows) {
      const bytes = approximateBytes(row);
      this.bytes += bytes - (cached.get(row.id)?.bytes ?? 0);
      cached.set(row.id, { xmin, row, bytes });
    }
    for (const [oldest, evicted] of this.contexts) {
      if (this.bytes <= this.budgetBytes || oldest === context) break;
      for (const row of evicted.values()) this.bytes -= row.bytes;
      this.contexts.delete(oldest);
    }
  }

  /** The context's rows, made the most recently used. */
  private touch(context: string): Map<string, CachedRow> {
    const rows = this.contexts.get(context) ?? new Map<string, CachedRow>();
    this.contexts.delete(context);
    this.contexts.set(context, rows);
    return rows;
  }
}

/**
 * The memory a row takes, roughly: ~800 bytes of object overhead, and its content and tool data as text (a short message
 * built by a turn measures ~620 bytes with its id flat, see `newId`).
 */
function approximateBytes(row: MessageEntity): number {
  return 800 + JSON.stringify(row.content).length + (row.toolCalls ? JSON.stringify(row.toolCalls).length : 0) + (row.toolReturns ? JSON.stringify(row.toolReturns).length : 0);
}
