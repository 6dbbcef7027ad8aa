/**
 * Letta's built-in memory tools as pure functions: given the agent's current blocks and the model's arguments, compute
 * the tool result text and the storage changes to apply. No I/O happens here; the caller persists `changes` and
 * recompiles the system prompt.
 *
 * Behaviour and error strings follow Letta (`letta/services/tool_executor/core_tool_executor.py`):
 * - Errors are returned as `status: 'error'` with Letta's exception text as `output` (no extra prefix).
 * - Successful value edits (memory_replace, memory_insert, memory_rethink, core_memory_append, core_memory_replace and the
 *   `memory` tool's str_replace/insert) answer with Letta's "has been edited" sentence followed by the new value:
 *
 *       The core memory block with label `human` has been edited. Review the changes and make sure they are as expected
 *       (correct indentation, no duplicate lines, etc). Edit the memory block again if necessary.
 *
 *       Current value of memory block `human`:
 *       <new value>
 *
 * - `memory` create / delete / rename answer "Successfully created memory block 'x'", "Successfully deleted memory block
 *   'x'", "Successfully renamed memory block 'a' to 'b'", "Successfully updated description of memory block 'x'".
 * - memory_finish_edits answers "None" (Letta's function returns None).
 *
 * Deliberate differences from Letta: edits longer than the block's limit are rejected (older Letta servers did this);
 * read-only blocks cannot be deleted or renamed through the `memory` tool either; tabs are not expanded; `memory insert`
 * without insert_line appends (Letta crashes on None); a value edit that leaves the value unchanged emits no change.
 */

export interface MemoryBlockState {
  label: string;
  value: string;
  /** Maximum characters of value. */
  limit: number;
  readOnly: boolean;
  description: string | null;
}

/** A change to apply to storage after a successful tool call. */
export type MemoryChange =
  | { kind: 'update'; label: string; value?: string; description?: string | null; newLabel?: string }
  | { kind: 'create'; label: string; value: string; description: string | null }
  | { kind: 'detach'; label: string };

export type MemoryToolOutcome =
  | { status: 'success'; output: string; changes: MemoryChange[] }
  | { status: 'error'; output: string; changes: [] };

export const MEMORY_TOOL_NAMES: readonly string[] = Object.freeze([
  'memory_insert',
  'memory_replace',
  'memory_rethink',
  'memory',
  'core_memory_append',
  'core_memory_replace',
  'memory_finish_edits',
]);

/** The notice shown above line-numbered block values; the model must not echo it back into edits. */
export const MEMORY_LINE_NUMBER_WARNING =
  "# NOTE: Line numbers shown below (with arrows like '1→') are to help during editing. Do NOT include line number prefixes in your memory edit tool calls.";

export const READ_ONLY_BLOCK_EDIT_ERROR = 'Error This block is read-only and cannot be edited.';

/** "1→ text" (the current display format) or "Line 1: text" (the older one) at the start of any line. */
const LINE_NUMBER_PREFIX = /^[ \t]*\d+→|^Line \d+: /m;

const MEMORY_COMMANDS = ['create', 'str_replace', 'insert', 'delete', 'rename'] as const;

/** Thrown inside this module only; converted to an error outcome by executeMemoryTool. */
class ToolError extends Error {}

/**
 * Runs one memory tool against `blocks` (the agent's current blocks; the input array and objects are not mutated).
 * Returns null when `name` is not a memory tool. `args` is the parsed JSON arguments object from the model; missing or
 * wrongly typed fields give an error outcome, never an exception.
 */
export function executeMemoryTool(name: string, args: Record<string, unknown>, blocks: readonly MemoryBlockState[]): MemoryToolOutcome | null {
  if (!MEMORY_TOOL_NAMES.includes(name)) return null;
  const safeArgs: Record<string, unknown> = args !== null && typeof args === 'object' && !Array.isArray(args) ? args : {};
  try {
    switch (name) {
      case 'memory_replace':
        return memoryReplace(safeArgs, blocks);
      case 'memory_insert':
        return memoryInsert(safeArgs, blocks);
      case 'memory_rethink':
        return memoryRethink(safeArgs, blocks);
      case 'memory_finish_edits':
        return success('None', []);
      case 'core_memory_append':
        return coreMemoryAppend(safeArgs, blocks);
      case 'core_memory_replace':
        return coreMemoryReplace(safeArgs, blocks);
      case 'memory':
        return memoryCommand(safeArgs, blocks);
      default:
        return null;
    }
  } catch (err) {
    if (err instanceof ToolError) return { status: 'error', output: err.message, changes: [] };
    // Defensive: nothing above should throw anything else, but a tool call must never crash the loop.
    return { status: 'error', output: err instanceof Error ? err.message : String(err), changes: [] };
  }
}

/** "/memories/notes/todo" → "notes_todo"; a bare label is accepted as is. */
export function memoryPathToLabel(path: string): string {
  let rest = path.trim();
  if (rest.startsWith('/memories/')) rest = rest.slice('/memories/'.length);
  else if (rest.startsWith('memories/')) rest = rest.slice('memories/'.length);
  rest = rest.replace(/^\/+/, '').replace(/\/+$/, '');
  return rest.replace(/\//g, '_');
}

// ---------------------------------------------------------------------------------------------------------------------
// v2 / sleeptime tools

function memoryReplace(args: Record<string, unknown>, blocks: readonly MemoryBlockState[]): MemoryToolOutcome {
  const label = requireString(args, 'label');
  const oldString = requireString(args, 'old_string', ['old_str']);
  const newString = requireString(args, 'new_string', ['new_str']);
  const block = editableBlock(blocks, label);
  return success(...replaceUnique(block, oldString, newString));
}

function memoryInsert(args: Record<string, unknown>, blocks: readonly MemoryBlockState[]): MemoryToolOutcome {
  const label = requireString(args, 'label');
  const newString = requireString(args, 'new_string', ['new_str']);
  const insertLine = optionalInteger(args, 'insert_line', -1);
  const block = editableBlock(blocks, label);
  return success(...insertLines(block, 'new_string', newString, insertLine));
}

function memoryRethink(args: Record<string, unknown>, blocks: readonly MemoryBlockState[]): MemoryToolOutcome {
  const label = requireString(args, 'label');
  const newMemory = requireString(args, 'new_memory');
  const existing = findBlock(blocks, label);
  if (existing?.readOnly) throw new ToolError(READ_ONLY_BLOCK_EDIT_ERROR);
  rejectLineNumbers('new_memory', newMemory);
  if (!existing) {
    return success(editedOutput(label, newMemory), [{ kind: 'create', label, value: newMemory, description: null }]);
  }
  return success(...setValue(existing, newMemory));
}

// ---------------------------------------------------------------------------------------------------------------------
// Legacy (memgpt) tools

function coreMemoryAppend(args: Record<string, unknown>, blocks: readonly MemoryBlockState[]): MemoryToolOutcome {
  const label = requireString(args, 'label');
  const content = requireString(args, 'content');
  const block = editableBlock(blocks, label);
  return success(...setValue(block, `${block.value}\n${content}`));
}

function coreMemoryReplace(args: Record<string, unknown>, blocks: readonly MemoryBlockState[]): MemoryToolOutcome {
  const label = requireString(args, 'label');
  const oldContent = requireString(args, 'old_content');
  const newContent = requireString(args, 'new_content');
  const block = editableBlock(blocks, label);
  if (!block.value.includes(oldContent)) {
    throw new ToolError(`Old content '${oldContent}' not found in memory block '${label}'`);
  }
  return success(...setValue(block, pythonReplaceAll(block.value, oldContent, newContent)));
}

// ---------------------------------------------------------------------------------------------------------------------
// The omni `memory` tool

function memoryCommand(args: Record<string, unknown>, blocks: readonly MemoryBlockState[]): MemoryToolOutcome {
  const command = requireString(args, 'command');
  switch (command) {
    case 'create': {
      const path = commandString(args, 'path', command);
      const description = commandString(args, 'description', command);
      const fileText = optionalString(args, 'file_text') ?? '';
      const label = pathLabel(path);
      if (findBlock(blocks, label)) throw new ToolError(`Error: Memory block '${label}' already exists`);
      return success(`Successfully created memory block '${label}'`, [{ kind: 'create', label, value: fileText, description }]);
    }
    case 'str_replace': {
      const path = commandString(args, 'path', command);
      const oldString = commandString(args, 'old_string', command, ['old_str']);
      const newString = commandString(args, 'new_string', command, ['new_str']);
      const block = editableBlock(blocks, pathLabel(path));
      return success(...replaceUnique(block, oldString, newString));
    }
    case 'insert': {
      const path = commandString(args, 'path', command);
      const insertText = commandString(args, 'insert_text', command);
      const insertLine = optionalInteger(args, 'insert_line', -1);
      const block = editableBlock(blocks, pathLabel(path));
      return success(...insertLines(block, 'insert_text', insertText, insertLine));
    }
    case 'delete': {
      const path = commandString(args, 'path', command);
      const block = editableBlock(blocks, pathLabel(path));
      return success(`Successfully deleted memory block '${block.label}'`, [{ kind: 'detach', label: block.label }]);
    }
    case 'rename': {
      const path = optionalString(args, 'path');
      const description = optionalString(args, 'description');
      const oldPath = optionalString(args, 'old_path');
      const newPath = optionalString(args, 'new_path');
      // Same precedence and truthiness as Letta: a description update wins when both forms are given.
      if (path && description) {
        const block = editableBlock(blocks, pathLabel(path));
        const changes: MemoryChange[] = block.description === description ? [] : [{ kind: 'update', label: block.label, description }];
        return success(`Successfully updated description of memory block '${block.label}'`, changes);
      }
      if (oldPath && newPath) {
        const block = editableBlock(blocks, pathLabel(oldPath));
        const newLabel = pathLabel(newPath);
        if (newLabel === block.label) return success(`Successfully renamed memory block '${block.label}' to '${newLabel}'`, []);
        if (findBlock(blocks, newLabel)) throw new ToolError(`Error: Memory block '${newLabel}' already exists`);
        return success(`Successfully renamed memory block '${block.label}' to '${newLabel}'`, [{ kind: 'update', label: block.label, newLabel }]);
      }
      throw new ToolError(
        'Error: path and description are required for update_description command, or old_path and new_path are required for rename command',
      );
    }
    default:
      throw new ToolError(`Error: Unknown command '${command}'. Supported commands: ${MEMORY_COMMANDS.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Shared edit logic

type EditResult = [output: string, changes: MemoryChange[]];

function success(output: string, changes: MemoryChange[]): MemoryToolOutcome {
  return { status: 'success', output, changes };
}

function replaceUnique(block: MemoryBlockState, oldString: string, newString: string): EditResult {
  rejectLineNumbers('old_string', oldString);
  rejectLineNumbers('new_string', newString);
  const starts = occurrenceStarts(block.value, oldString);
  if (starts.length === 0) {
    throw new ToolError(
      `No replacement was performed, old_string \`${oldString}\` did not appear verbatim in memory block with label \`${block.label}\`.`,
    );
  }
  if (starts.length > 1) {
    const lines = [...new Set(starts.map((index) => lineNumberAt(block.value, index)))];
    throw new ToolError(
      `No replacement was performed. Multiple occurrences of old_string \`${oldString}\` in lines [${lines.join(', ')}]. Please ensure it is unique.`,
    );
  }
  const at = starts[0];
  return setValue(block, block.value.slice(0, at) + newString + block.value.slice(at + oldString.length));
}

function insertLines(block: MemoryBlockState, argName: string, text: string, insertLine: number): EditResult {
  rejectLineNumbers(argName, text);
  const lines = block.value.split('\n');
  const n = lines.length;
  let at = insertLine;
  if (at === -1) at = n;
  else if (at < 0 || at > n) {
    throw new ToolError(
      `Invalid \`insert_line\` parameter: ${insertLine}. It should be within the range of lines of the memory block: [0, ${n}], or -1 to append to the end of the memory block.`,
    );
  }
  const value = [...lines.slice(0, at), ...text.split('\n'), ...lines.slice(at)].join('\n');
  return setValue(block, value);
}

/** Checks the limit and builds the result of setting `block`'s value. */
function setValue(block: MemoryBlockState, value: string): EditResult {
  const length = charLength(value);
  if (length > block.limit) throw new ToolError(`Edit failed: Exceeds ${block.limit} character limit (requested ${length})`);
  const changes: MemoryChange[] = value === block.value ? [] : [{ kind: 'update', label: block.label, value }];
  return [editedOutput(block.label, value), changes];
}

function editedOutput(label: string, value: string): string {
  return (
    `The core memory block with label \`${label}\` has been edited. ` +
    'Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). ' +
    'Edit the memory block again if necessary.' +
    `\n\nCurrent value of memory block \`${label}\`:\n${value}`
  );
}

function rejectLineNumbers(argName: string, text: string): void {
  if (LINE_NUMBER_PREFIX.test(text)) {
    throw new ToolError(
      `${argName} contains a line number prefix, which is not allowed. Do not include line numbers when calling memory tools (line numbers are for display purposes only).`,
    );
  }
  if (text.includes(MEMORY_LINE_NUMBER_WARNING)) {
    throw new ToolError(
      `${argName} contains a line number warning, which is not allowed. Do not include line number information when calling memory tools (line numbers are for display purposes only).`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Blocks

function findBlock(blocks: readonly MemoryBlockState[], label: string): MemoryBlockState | undefined {
  return blocks.find((block) => block.label === label);
}

/** The block with `label`, or Letta's KeyError text (Python quotes the message of a KeyError). */
function getBlock(blocks: readonly MemoryBlockState[], label: string): MemoryBlockState {
  const block = findBlock(blocks, label);
  if (!block) {
    const available = blocks.map((b) => b.label).join(', ');
    throw new ToolError(pythonRepr(`Block field ${label} does not exist (available sections = ${available})`));
  }
  return block;
}

function editableBlock(blocks: readonly MemoryBlockState[], label: string): MemoryBlockState {
  const block = getBlock(blocks, label);
  if (block.readOnly) throw new ToolError(READ_ONLY_BLOCK_EDIT_ERROR);
  return block;
}

function pathLabel(path: string): string {
  const label = memoryPathToLabel(path);
  if (!label) throw new ToolError(`Error: Invalid memory path '${path}'. Use /memories/<label>`);
  return label;
}

// ---------------------------------------------------------------------------------------------------------------------
// Arguments

function pick(args: Record<string, unknown>, name: string, aliases: readonly string[]): { key: string; value: unknown } {
  for (const key of [name, ...aliases]) {
    const value = args[key];
    if (value !== undefined && value !== null) return { key, value };
  }
  return { key: name, value: undefined };
}

function requireString(args: Record<string, unknown>, name: string, aliases: readonly string[] = []): string {
  const { key, value } = pick(args, name, aliases);
  if (value === undefined) throw new ToolError(`Missing required argument '${name}'`);
  if (typeof value !== 'string') throw new ToolError(`Invalid argument '${key}': expected a string, got ${typeName(value)}`);
  return value;
}

/** A required argument of a `memory` sub-command, with Letta's "Error: X is required for Y command" message. */
function commandString(args: Record<string, unknown>, name: string, command: string, aliases: readonly string[] = []): string {
  const { key, value } = pick(args, name, aliases);
  if (value === undefined) throw new ToolError(`Error: ${name} is required for ${command} command`);
  if (typeof value !== 'string') throw new ToolError(`Invalid argument '${key}': expected a string, got ${typeName(value)}`);
  return value;
}

function optionalString(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ToolError(`Invalid argument '${name}': expected a string, got ${typeName(value)}`);
  return value;
}

/** Integers, or strings holding one (models sometimes quote numbers; Letta coerces by annotation). */
function optionalInteger(args: Record<string, unknown>, name: string, fallback: number): number {
  const value = args[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value.trim());
  throw new ToolError(`Invalid argument '${name}': expected an integer, got ${typeName(value)}`);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'non-integer number';
  return typeof value;
}

// ---------------------------------------------------------------------------------------------------------------------
// String helpers (Python semantics where Letta's behaviour depends on them)

/** Start indexes of the non-overlapping occurrences of `needle`, like Python's str.count. */
function occurrenceStarts(haystack: string, needle: string): number[] {
  const starts: number[] = [];
  let from = 0;
  while (from <= haystack.length) {
    const index = haystack.indexOf(needle, from);
    if (index === -1) break;
    starts.push(index);
    from = index + Math.max(needle.length, 1);
  }
  return starts;
}

/** 1-based line number of the character at `index`. */
function lineNumberAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Python's str.replace(old, new) (all occurrences, and an empty `old` matches between every character). */
function pythonReplaceAll(text: string, search: string, replacement: string): string {
  if (search === '') return replacement + [...text].join(replacement) + (text.length > 0 ? replacement : '');
  return text.split(search).join(replacement);
}

/** Characters as Python counts them (code points), which is how Letta measured block limits. */
function charLength(text: string): number {
  return Array.from(text).length;
}

/** Python's repr() of a str, which is how a KeyError's message is shown. */
function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}
