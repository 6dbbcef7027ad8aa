import { formatPromptTime } from './system-prompt';

/** What the model sees as a tool result: Letta's packaged JSON with status, message and time. */
export function packageToolReturn(message: string, status: 'success' | 'error', now: Date, timezone: string): string {
  return JSON.stringify({ status: status === 'success' ? 'OK' : 'Failed', message, time: formatPromptTime(now, timezone) });
}

export function truncateToolReturn(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}... [NOTE: function output was truncated since it exceeded the character limit (${text.length} > ${limit})]`;
}
