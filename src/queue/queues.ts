/** Every BullMQ queue of Mnemo, with the payload of its jobs: ids only, the worker reloads the state. */
export const RUNS_QUEUE = 'runs';
export const CALLBACKS_QUEUE = 'callbacks';
export const COMPACTION_QUEUE = 'compaction';

export interface RunJob {
  runId: string;
}

export interface CallbackJob {
  runId: string;
}

export interface CompactionJob {
  agentId: string;
  conversationId: string | null;
}
