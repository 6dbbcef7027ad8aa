import { compileSystemPrompt, formatPromptTime, renderBlocks } from './system-prompt';

const meta = { agentId: 'agent-1', conversationId: null, compiledAt: new Date('2025-01-31T09:15:02Z'), timezone: 'UTC', previousMessageCount: 3 };
const human = { label: 'human', value: 'Name: Ada', limit: 100, description: 'About the user', readOnly: false };

describe('compileSystemPrompt', () => {
  it('appends the core memory when the template has no variable', () => {
    const text = compileSystemPrompt('Be nice.', [human], meta);
    expect(text.startsWith('Be nice.\n\n<memory_blocks>')).toBe(true);
    expect(text).toContain('<human>\n<description>\nAbout the user\n</description>');
    expect(text).toContain('- chars_current=9\n- chars_limit=100');
    expect(text).toContain('<value>\nName: Ada\n</value>\n</human>');
    expect(text).toContain('- AGENT_ID: agent-1\n- CONVERSATION_ID: default');
    expect(text).toContain('- 3 previous messages between you and the user are stored in recall memory');
  });

  it('substitutes {CORE_MEMORY} in place', () => {
    const text = compileSystemPrompt('Before\n{CORE_MEMORY}\nAfter', [human], meta);
    expect(text.startsWith('Before\n<memory_blocks>')).toBe(true);
    expect(text.endsWith('</memory_metadata>\nAfter')).toBe(true);
  });

  it('marks read-only blocks and renders none for no blocks', () => {
    expect(renderBlocks([{ ...human, readOnly: true }])).toContain('- read_only=true');
    expect(renderBlocks([])).toBe('');
  });
});

describe('formatPromptTime', () => {
  it('uses 12-hour time with the zone offset', () => {
    expect(formatPromptTime(new Date('2025-01-31T21:15:02Z'), 'UTC')).toBe('2025-01-31 09:15:02 PM UTC+0000');
    expect(formatPromptTime(new Date('2025-01-31T21:15:02Z'), 'Asia/Kolkata')).toBe('2025-02-01 02:45:02 AM UTC+0530');
  });
});
