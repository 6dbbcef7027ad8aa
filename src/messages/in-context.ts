/**
 * Order of the rows of a context window: the system message, then the compaction summary, then the rest by seq.
 * One place defines it, so every reader of the window agrees.
 */
export const IN_CONTEXT_ORDER = (alias: string) =>
  `CASE ${alias}.role WHEN 'system' THEN 0 WHEN 'summary' THEN 1 ELSE 2 END, ${alias}.seq`;
