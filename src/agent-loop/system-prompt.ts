/** Compiles an agent's system message: its `system` template with the core memory substituted for `{CORE_MEMORY}`. */

export const CORE_MEMORY_VARIABLE = '{CORE_MEMORY}';

export const DEFAULT_SYSTEM_PROMPT = `You are a stateful agent running on Mnemo. You remember across conversations through your memory blocks, which are shown below and always stay in your context. Keep them current: when you learn something durable about the user, the task or yourself, edit the relevant block with your memory tools. Older messages that no longer fit in your context can be found with conversation_search.

Answer the user directly and concisely.`;

export interface PromptBlock {
  label: string;
  value: string;
  limit: number;
  description: string | null;
  readOnly: boolean;
}

export interface MemoryMetadata {
  agentId: string;
  conversationId: string | null;
  compiledAt: Date;
  timezone: string;
  /** Messages stored for the agent that are not in the current context window. */
  previousMessageCount: number;
  archivalMemoryCount?: number;
  archivalTags?: string[];
}

export function compileSystemPrompt(template: string, blocks: PromptBlock[], metadata: MemoryMetadata): string {
  const memory = `${renderBlocks(blocks)}\n\n${renderMetadata(metadata)}`;
  const withVariable = template.includes(CORE_MEMORY_VARIABLE) ? template : `${template}\n\n${CORE_MEMORY_VARIABLE}`;
  return withVariable.split(CORE_MEMORY_VARIABLE).join(memory);
}

export function renderBlocks(blocks: PromptBlock[]): string {
  if (blocks.length === 0) return '';
  const rendered = blocks.map((block) => {
    const meta = [block.readOnly ? '- read_only=true' : null, `- chars_current=${block.value.length}`, `- chars_limit=${block.limit}`]
      .filter(Boolean)
      .join('\n');
    return [
      `<${block.label}>`,
      `<description>\n${block.description ?? ''}\n</description>`,
      `<metadata>\n${meta}\n</metadata>`,
      `<value>\n${block.value}\n</value>`,
      `</${block.label}>`,
    ].join('\n');
  });
  return `<memory_blocks>\nThe following memory blocks are currently engaged in your core memory unit:\n\n${rendered.join('\n\n')}\n\n</memory_blocks>`;
}

export function renderMetadata(m: MemoryMetadata): string {
  const lines = [
    '<memory_metadata>',
    `- AGENT_ID: ${m.agentId}`,
    `- CONVERSATION_ID: ${m.conversationId ?? 'default'}`,
    `- System prompt last recompiled: ${formatPromptTime(m.compiledAt, m.timezone)}`,
    `- ${m.previousMessageCount} previous messages between you and the user are stored in recall memory (use tools to access them)`,
  ];
  if (m.archivalMemoryCount) lines.push(`- ${m.archivalMemoryCount} total memories you created are stored in archival memory (use tools to access them)`);
  if (m.archivalTags?.length) lines.push(`- Available archival memory tags: ${m.archivalTags.join(', ')}`);
  lines.push('</memory_metadata>');
  return lines.join('\n');
}

/** One formatter per time zone (null for an unknown zone): building an `Intl.DateTimeFormat` costs more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timezone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: true,
        timeZoneName: 'longOffset',
      });
    } catch {
      formatter = null;
    }
    if (formatter || formatters.size < 1000) formatters.set(timezone, formatter);
  }
  return formatter;
}

/** `2025-01-31 09:15:02 AM UTC+0000`, in the agent's time zone. */
export function formatPromptTime(date: Date, timezone: string): string {
  const formatter = formatterFor(timezone) ?? formatterFor('UTC')!;
  const parts = Object.fromEntries(formatter.formatToParts(date).map((p) => [p.type, p.value]));
  const offset = (parts.timeZoneName as string).replace('GMT', '') || '+00:00';
  const hour = parts.hour === '24' ? '12' : parts.hour;
  return `${parts.year}-${parts.month}-${parts.day} ${hour}:${parts.minute}:${parts.second} ${parts.dayPeriod} UTC${offset.replace(':', '')}`;
}

export function isValidTimezone(timezone: string): boolean {
  return formatterFor(timezone) !== null;
}
