/** Every BullMQ queue of Mnemo, with the payload of its jobs: ids only, the worker reloads the state. */
export const RUNS_QUEUE = 'runs';
export const CALLBACKS_QUEUE = 'callbacks';

export interface RunJob {
  runId: string;
}

export interface CallbackJob {
  runId: string;
}
