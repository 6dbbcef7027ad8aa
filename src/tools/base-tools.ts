/** Mnemo's built-in tools, with Letta's names and argument schemas, so agents and clients written for Letta find them. */

export interface BuiltinTool {
  name: string;
  toolType: string;
  description: string;
  parameters: { type: 'object'; properties: Record<string, unknown>; required: string[] };
}

const str = (description: string) => ({ type: 'string', description });
const int = (description: string) => ({ type: 'integer', description });

export const BUILTIN_TOOLS: BuiltinTool[] = [
  {
    name: 'send_message',
    toolType: 'letta_core',
    description: 'Sends a message to the human user.',
    parameters: { type: 'object', properties: { message: str('Message contents. All unicode (including emojis) are supported.') }, required: ['message'] },
  },
  {
    name: 'conversation_search',
    toolType: 'letta_core',
    description:
      'Search your whole conversation history, including messages that are no longer in your context window. Returns the best matching messages with their timestamps.',
    parameters: {
      type: 'object',
      properties: {
        query: str('Text to look for in past messages.'),
        roles: { type: 'array', items: { type: 'string', enum: ['assistant', 'user', 'tool'] }, description: 'Only search messages of these roles.' },
        limit: int('Maximum number of results (default 5).'),
        start_date: str('Only messages on or after this ISO 8601 date or datetime.'),
        end_date: str('Only messages on or before this ISO 8601 date or datetime.'),
      },
      required: [],
    },
  },
  {
    name: 'memory_replace',
    toolType: 'letta_memory_core',
    description:
      'Replace one exact, unique occurrence of a string in a memory block. Do not include line numbers in old_string or new_string. Use an empty new_string to delete text.',
    parameters: {
      type: 'object',
      properties: {
        label: str('Label of the memory block to edit.'),
        old_string: str('The exact text to replace; it must appear exactly once in the block.'),
        new_string: str('The text to put in its place.'),
      },
      required: ['label', 'old_string', 'new_string'],
    },
  },
  {
    name: 'memory_insert',
    toolType: 'letta_memory_core',
    description: 'Insert text into a memory block at a given line (0 = top, -1 = end).',
    parameters: {
      type: 'object',
      properties: {
        label: str('Label of the memory block to edit.'),
        new_string: str('The text to insert. Do not include line numbers.'),
        insert_line: int('Line number after which to insert: 0 inserts at the top, -1 (default) appends at the end.'),
      },
      required: ['label', 'new_string'],
    },
  },
  {
    name: 'memory_rethink',
    toolType: 'letta_sleeptime_core',
    description: 'Rewrite a memory block entirely with new content, creating the block if it does not exist.',
    parameters: {
      type: 'object',
      properties: { label: str('Label of the memory block.'), new_memory: str('The complete new content of the block.') },
      required: ['label', 'new_memory'],
    },
  },
  {
    name: 'memory_finish_edits',
    toolType: 'letta_sleeptime_core',
    description: 'Call when you are done editing memory.',
    parameters: { type: 'object', properties: {}, required: [] },
  },
  {
    name: 'memory',
    toolType: 'letta_memory_core',
    description:
      'Manage memory blocks as files under /memories/<label>. Commands: create (path, description, file_text), str_replace (path, old_string, new_string), insert (path, insert_line, insert_text), delete (path), rename (old_path and new_path to relabel, or path and description to redescribe).',
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'string', enum: ['create', 'str_replace', 'insert', 'delete', 'rename'], description: 'The operation to perform.' },
        path: str('Path of the block, /memories/<label>.'),
        file_text: str('Initial content, for create.'),
        description: str('Block description, for create and rename.'),
        old_string: str('Exact text to replace, for str_replace.'),
        new_string: str('Replacement text, for str_replace.'),
        insert_line: int('Line after which to insert, for insert.'),
        insert_text: str('Text to insert, for insert.'),
        old_path: str('Current path, for rename.'),
        new_path: str('New path, for rename.'),
      },
      required: ['command'],
    },
  },
  {
    name: 'core_memory_append',
    toolType: 'letta_memory_core',
    description: 'Append text to the end of a memory block, on a new line.',
    parameters: {
      type: 'object',
      properties: { label: str('Label of the memory block.'), content: str('Text to append. All unicode (including emojis) are supported.') },
      required: ['label', 'content'],
    },
  },
  {
    name: 'core_memory_replace',
    toolType: 'letta_memory_core',
    description: 'Replace every occurrence of some text in a memory block. Use an empty new_content to delete it.',
    parameters: {
      type: 'object',
      properties: {
        label: str('Label of the memory block.'),
        old_content: str('The text to replace (must match exactly).'),
        new_content: str('The replacement text.'),
      },
      required: ['label', 'old_content', 'new_content'],
    },
  },
];

/** Letta's default tool set for each agent type when `include_base_tools` is true. */
export function defaultToolNames(agentType: string): string[] {
  switch (agentType) {
    case 'letta_v1_agent':
      return ['conversation_search', 'memory_replace', 'memory_insert'];
    case 'memgpt_v2_agent':
      return ['send_message', 'conversation_search', 'memory_replace', 'memory_insert'];
    case 'sleeptime_agent':
      return ['memory_replace', 'memory_insert', 'memory_rethink', 'memory_finish_edits'];
    case 'react_agent':
    case 'workflow_agent':
      return [];
    default:
      return ['send_message', 'conversation_search', 'core_memory_append', 'core_memory_replace', 'memory'];
  }
}
