/**
 * Jest runs test files in their own VM realm, but `fetch` (undici) lives in the host realm. When a request is
 * aborted, undici throws a host-realm DOMException, which fails openai@6's `err instanceof Error` check; the SDK
 * then loses the error's name and reports a client timeout as a plain `APIConnectionError` instead of
 * `APIConnectionTimeoutError` (only under jest; plain node is fine, and @anthropic-ai/sdk is unaffected).
 * Pass this as the OpenAI client's `fetch` option to get the real behaviour back in tests.
 */
export const realmSafeFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (err) {
    if (typeof err === 'object' && err !== null && !(err instanceof Error)) {
      const local = new Error(String((err as { message?: unknown }).message ?? err));
      local.name = String((err as { name?: unknown }).name ?? 'Error');
      throw local;
    }
    throw err;
  }
};
