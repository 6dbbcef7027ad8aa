import { APIError } from '@letta-ai/letta-client';

/** Runs an SDK call expected to fail and returns its status and parsed body. */
export async function failure(promise: Promise<unknown>): Promise<{ status: number | undefined; error: { detail?: unknown } }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof APIError) return { status: e.status, error: e.error as { detail?: unknown } };
    throw e;
  }
  throw new Error('expected the call to fail');
}
