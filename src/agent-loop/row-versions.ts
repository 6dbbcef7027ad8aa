/**
 * Rows kept with the version (`xmin`) they were read at, for rows many turns share and rarely change (tools): a row is
 * taken only at the version the turn's statement names, so a changed row is read again. At most `maxRows`, the least
 * recently kept first out.
 */
export class RowVersions<T> {
  private readonly rows = new Map<string, { xmin: string; row: T }>();

  constructor(private readonly maxRows: number) {}

  get(id: string, xmin: string): T | undefined {
    const cached = this.rows.get(id);
    return cached?.xmin === xmin ? cached.row : undefined;
  }

  set(id: string, xmin: string, row: T): void {
    this.rows.delete(id);
    this.rows.set(id, { xmin, row });
    if (this.rows.size > this.maxRows) this.rows.delete(this.rows.keys().next().value!);
  }
}
