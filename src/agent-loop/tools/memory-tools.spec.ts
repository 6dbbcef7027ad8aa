import {
  executeMemoryTool,
  MEMORY_LINE_NUMBER_WARNING,
  MEMORY_TOOL_NAMES,
  MemoryBlockState,
  MemoryToolOutcome,
  memoryPathToLabel,
  READ_ONLY_BLOCK_EDIT_ERROR,
} from './memory-tools';

const human: MemoryBlockState = { label: 'human', value: 'Name: Ada\nLikes: tea\nCity: Paris', limit: 200, readOnly: false, description: 'About the user' };
const persona: MemoryBlockState = { label: 'persona', value: 'I am Sam.', limit: 200, readOnly: false, description: null };
const policy: MemoryBlockState = { label: 'policy', value: 'Be kind.', limit: 200, readOnly: true, description: 'Rules' };
const blocks: readonly MemoryBlockState[] = [human, persona, policy];

const UNKNOWN_LABEL = "'Block field nope does not exist (available sections = human, persona, policy)'";
const PREFIX_TAIL = 'contains a line number prefix, which is not allowed. Do not include line numbers when calling memory tools (line numbers are for display purposes only).';
const WARNING_TAIL =
  'contains a line number warning, which is not allowed. Do not include line number information when calling memory tools (line numbers are for display purposes only).';

function run(name: string, args: Record<string, unknown>, state: readonly MemoryBlockState[] = blocks): MemoryToolOutcome {
  const outcome = executeMemoryTool(name, args, state);
  if (outcome === null) throw new Error(`${name} is not a memory tool`);
  return outcome;
}

function edited(label: string, value: string): string {
  return (
    `The core memory block with label \`${label}\` has been edited. Review the changes and make sure they are as expected ` +
    '(correct indentation, no duplicate lines, etc). Edit the memory block again if necessary.' +
    `\n\nCurrent value of memory block \`${label}\`:\n${value}`
  );
}

function expectError(outcome: MemoryToolOutcome, output: string): void {
  expect(outcome).toEqual({ status: 'error', output, changes: [] });
}

function expectUpdate(outcome: MemoryToolOutcome, label: string, value: string): void {
  expect(outcome).toEqual({ status: 'success', output: edited(label, value), changes: [{ kind: 'update', label, value }] });
}

describe('executeMemoryTool dispatch', () => {
  it('lists the memory tools', () => {
    expect([...MEMORY_TOOL_NAMES].sort()).toEqual(
      ['core_memory_append', 'core_memory_replace', 'memory', 'memory_finish_edits', 'memory_insert', 'memory_replace', 'memory_rethink'].sort(),
    );
  });

  it('returns null for other tools', () => {
    expect(executeMemoryTool('send_message', { message: 'hi' }, blocks)).toBeNull();
    expect(executeMemoryTool('conversation_search', { query: 'x' }, blocks)).toBeNull();
    expect(executeMemoryTool('archival_memory_insert', { content: 'x' }, blocks)).toBeNull();
  });

  it('never throws on a non-object args value', () => {
    for (const name of MEMORY_TOOL_NAMES) {
      expect(() => executeMemoryTool(name, null as unknown as Record<string, unknown>, blocks)).not.toThrow();
      expect(() => executeMemoryTool(name, [] as unknown as Record<string, unknown>, blocks)).not.toThrow();
      expect(() => executeMemoryTool(name, 'x' as unknown as Record<string, unknown>, blocks)).not.toThrow();
    }
    expectError(run('memory_replace', null as unknown as Record<string, unknown>), "Missing required argument 'label'");
  });

  it('does not mutate the input blocks on success or error', () => {
    const state = blocks.map((b) => ({ ...b }));
    const frozen = Object.freeze(state.map((b) => Object.freeze({ ...b })));
    const snapshot = JSON.parse(JSON.stringify(frozen));
    const calls: Array<[string, Record<string, unknown>]> = [
      ['memory_replace', { label: 'human', old_string: 'tea', new_string: 'coffee' }],
      ['memory_insert', { label: 'human', new_string: 'x', insert_line: 0 }],
      ['memory_rethink', { label: 'human', new_memory: 'new' }],
      ['memory_rethink', { label: 'fresh', new_memory: 'new' }],
      ['core_memory_append', { label: 'persona', content: 'more' }],
      ['core_memory_replace', { label: 'persona', old_content: 'Sam', new_content: 'Max' }],
      ['memory', { command: 'create', path: '/memories/notes', description: 'd' }],
      ['memory', { command: 'str_replace', path: '/memories/human', old_string: 'Ada', new_string: 'Bo' }],
      ['memory', { command: 'insert', path: '/memories/human', insert_text: 'x' }],
      ['memory', { command: 'delete', path: '/memories/persona' }],
      ['memory', { command: 'rename', old_path: '/memories/persona', new_path: '/memories/me' }],
      ['memory', { command: 'rename', path: '/memories/persona', description: 'new desc' }],
      ['memory_replace', { label: 'nope', old_string: 'a', new_string: 'b' }],
      ['memory_replace', { label: 'policy', old_string: 'kind', new_string: 'mean' }],
    ];
    for (const [name, args] of calls) {
      const argsCopy = JSON.parse(JSON.stringify(args));
      expect(() => run(name, args, frozen)).not.toThrow();
      expect(args).toEqual(argsCopy);
    }
    expect(JSON.parse(JSON.stringify(frozen))).toEqual(snapshot);
    expect(state).toEqual(snapshot);
  });
});

describe('memory_replace', () => {
  it('replaces the single occurrence and returns the new value', () => {
    expectUpdate(run('memory_replace', { label: 'human', old_string: 'tea', new_string: 'coffee' }), 'human', 'Name: Ada\nLikes: coffee\nCity: Paris');
  });

  it('can delete text with an empty new_string and replace across lines', () => {
    expectUpdate(run('memory_replace', { label: 'human', old_string: '\nLikes: tea', new_string: '' }), 'human', 'Name: Ada\nCity: Paris');
    expectUpdate(run('memory_replace', { label: 'human', old_string: 'tea\nCity', new_string: 'tea\nTown' }), 'human', 'Name: Ada\nLikes: tea\nTown: Paris');
  });

  it('accepts the old_str / new_str aliases', () => {
    expectUpdate(run('memory_replace', { label: 'persona', old_str: 'Sam', new_str: 'Max' }), 'persona', 'I am Max.');
  });

  it('emits no change when the replacement leaves the value unchanged', () => {
    const outcome = run('memory_replace', { label: 'persona', old_string: 'Sam', new_string: 'Sam' });
    expect(outcome).toEqual({ status: 'success', output: edited('persona', 'I am Sam.'), changes: [] });
  });

  it('reports when old_string is absent', () => {
    expectError(
      run('memory_replace', { label: 'human', old_string: 'coffee', new_string: 'tea' }),
      'No replacement was performed, old_string `coffee` did not appear verbatim in memory block with label `human`.',
    );
  });

  it('lists the lines where multiple occurrences start', () => {
    const state = [{ ...human, value: 'a cat\nno\nthe cat and a cat\ncat' }];
    expectError(
      run('memory_replace', { label: 'human', old_string: 'cat', new_string: 'dog' }, state),
      'No replacement was performed. Multiple occurrences of old_string `cat` in lines [1, 3, 4]. Please ensure it is unique.',
    );
  });

  it('reports the starting line of multi-line occurrences', () => {
    const state = [{ ...human, value: 'x\ny\nz\nx\ny' }];
    expectError(
      run('memory_replace', { label: 'human', old_string: 'x\ny', new_string: 'q' }, state),
      'No replacement was performed. Multiple occurrences of old_string `x\ny` in lines [1, 4]. Please ensure it is unique.',
    );
  });

  it('counts non-overlapping occurrences like Python', () => {
    expectUpdate(run('memory_replace', { label: 'human', old_string: 'aa', new_string: 'b' }, [{ ...human, value: 'aaa' }]), 'human', 'ba');
  });

  it('rejects line-number prefixes in old_string and new_string', () => {
    expectError(run('memory_replace', { label: 'human', old_string: '2→ Likes: tea', new_string: 'x' }), `old_string ${PREFIX_TAIL}`);
    expectError(run('memory_replace', { label: 'human', old_string: 'Name: Ada\n2→ Likes', new_string: 'x' }), `old_string ${PREFIX_TAIL}`);
    expectError(run('memory_replace', { label: 'human', old_string: '  12→Likes', new_string: 'x' }), `old_string ${PREFIX_TAIL}`);
    expectError(run('memory_replace', { label: 'human', old_string: 'Line 2: Likes: tea', new_string: 'x' }), `old_string ${PREFIX_TAIL}`);
    expectError(run('memory_replace', { label: 'human', old_string: 'tea', new_string: '2→ Likes: coffee' }), `new_string ${PREFIX_TAIL}`);
    expectError(run('memory_replace', { label: 'human', old_string: 'tea', new_string: 'x\nLine 3: y' }), `new_string ${PREFIX_TAIL}`);
  });

  it('allows arrows and numbers that are not line prefixes', () => {
    const state = [{ ...human, value: 'a → b\nstep 1→2' }];
    expectUpdate(run('memory_replace', { label: 'human', old_string: 'step 1→2', new_string: 'step 2→3' }, state), 'human', 'a → b\nstep 2→3');
  });

  it('rejects the line-number warning text', () => {
    expectError(run('memory_replace', { label: 'human', old_string: `${MEMORY_LINE_NUMBER_WARNING}\nName`, new_string: 'x' }), `old_string ${WARNING_TAIL}`);
    expectError(run('memory_replace', { label: 'human', old_string: 'tea', new_string: MEMORY_LINE_NUMBER_WARNING }), `new_string ${WARNING_TAIL}`);
  });

  it('refuses read-only blocks and unknown labels', () => {
    expectError(run('memory_replace', { label: 'policy', old_string: 'kind', new_string: 'mean' }), READ_ONLY_BLOCK_EDIT_ERROR);
    expect(READ_ONLY_BLOCK_EDIT_ERROR).toBe('Error This block is read-only and cannot be edited.');
    expectError(run('memory_replace', { label: 'nope', old_string: 'a', new_string: 'b' }), UNKNOWN_LABEL);
  });

  it('enforces the character limit', () => {
    const state = [{ ...persona, limit: 12 }];
    expectError(
      run('memory_replace', { label: 'persona', old_string: 'Sam', new_string: 'Samantha' }, state),
      'Edit failed: Exceeds 12 character limit (requested 14)',
    );
    expectUpdate(run('memory_replace', { label: 'persona', old_string: 'Sam', new_string: 'Sammy!' }, state), 'persona', 'I am Sammy!.');
  });

  it('counts the limit in code points', () => {
    const state = [{ ...persona, value: 'x', limit: 2 }];
    expectUpdate(run('memory_replace', { label: 'persona', old_string: 'x', new_string: '😀😀' }, state), 'persona', '😀😀');
  });

  it('validates its arguments', () => {
    expectError(run('memory_replace', { old_string: 'a', new_string: 'b' }), "Missing required argument 'label'");
    expectError(run('memory_replace', { label: null, old_string: 'a', new_string: 'b' }), "Missing required argument 'label'");
    expectError(run('memory_replace', { label: 3, old_string: 'a', new_string: 'b' }), "Invalid argument 'label': expected a string, got number");
    expectError(run('memory_replace', { label: 'human', new_string: 'b' }), "Missing required argument 'old_string'");
    expectError(run('memory_replace', { label: 'human', old_string: 'a' }), "Missing required argument 'new_string'");
    expectError(run('memory_replace', { label: 'human', old_string: ['a'], new_string: 'b' }), "Invalid argument 'old_string': expected a string, got array");
  });
});

describe('memory_insert', () => {
  const state = [{ ...human, value: 'one\ntwo\nthree' }];

  it('inserts at the top with 0', () => {
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'zero', insert_line: 0 }, state), 'human', 'zero\none\ntwo\nthree');
  });

  it('appends with -1 and by default', () => {
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'four', insert_line: -1 }, state), 'human', 'one\ntwo\nthree\nfour');
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'four' }, state), 'human', 'one\ntwo\nthree\nfour');
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'four', insert_line: null }, state), 'human', 'one\ntwo\nthree\nfour');
  });

  it('inserts after line N, including after the last line', () => {
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'one and a half', insert_line: 1 }, state), 'human', 'one\none and a half\ntwo\nthree');
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'a\nb', insert_line: 2 }, state), 'human', 'one\ntwo\na\nb\nthree');
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'end', insert_line: 3 }, state), 'human', 'one\ntwo\nthree\nend');
  });

  it('treats an empty block as one empty line', () => {
    const empty = [{ ...human, value: '' }];
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'first' }, empty), 'human', '\nfirst');
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'first', insert_line: 0 }, empty), 'human', 'first\n');
  });

  it('accepts an integer given as a string', () => {
    expectUpdate(run('memory_insert', { label: 'human', new_string: 'x', insert_line: '1' }, state), 'human', 'one\nx\ntwo\nthree');
  });

  it('rejects out-of-range lines', () => {
    const message = (n: number) =>
      `Invalid \`insert_line\` parameter: ${n}. It should be within the range of lines of the memory block: [0, 3], or -1 to append to the end of the memory block.`;
    expectError(run('memory_insert', { label: 'human', new_string: 'x', insert_line: 4 }, state), message(4));
    expectError(run('memory_insert', { label: 'human', new_string: 'x', insert_line: -2 }, state), message(-2));
  });

  it('rejects non-integer insert_line values', () => {
    expectError(run('memory_insert', { label: 'human', new_string: 'x', insert_line: 1.5 }, state), "Invalid argument 'insert_line': expected an integer, got non-integer number");
    expectError(run('memory_insert', { label: 'human', new_string: 'x', insert_line: 'end' }, state), "Invalid argument 'insert_line': expected an integer, got string");
  });

  it('rejects line numbers and the warning in new_string', () => {
    expectError(run('memory_insert', { label: 'human', new_string: '4→ four' }, state), `new_string ${PREFIX_TAIL}`);
    expectError(run('memory_insert', { label: 'human', new_string: `x ${MEMORY_LINE_NUMBER_WARNING}` }, state), `new_string ${WARNING_TAIL}`);
  });

  it('refuses read-only blocks, unknown labels and limit overflow', () => {
    expectError(run('memory_insert', { label: 'policy', new_string: 'x' }), READ_ONLY_BLOCK_EDIT_ERROR);
    expectError(run('memory_insert', { label: 'nope', new_string: 'x' }), UNKNOWN_LABEL);
    expectError(run('memory_insert', { label: 'human', new_string: 'four' }, [{ ...state[0], limit: 15 }]), 'Edit failed: Exceeds 15 character limit (requested 18)');
  });

  it('validates its arguments', () => {
    expectError(run('memory_insert', { label: 'human' }), "Missing required argument 'new_string'");
    expectError(run('memory_insert', { new_string: 'x' }), "Missing required argument 'label'");
  });
});

describe('memory_rethink', () => {
  it('overwrites an existing block', () => {
    expectUpdate(run('memory_rethink', { label: 'human', new_memory: 'Name: Ada Lovelace' }), 'human', 'Name: Ada Lovelace');
  });

  it('creates a missing block', () => {
    expect(run('memory_rethink', { label: 'scratch', new_memory: 'notes' })).toEqual({
      status: 'success',
      output: edited('scratch', 'notes'),
      changes: [{ kind: 'create', label: 'scratch', value: 'notes', description: null }],
    });
  });

  it('refuses read-only blocks, line numbers, the warning and limit overflow', () => {
    expectError(run('memory_rethink', { label: 'policy', new_memory: 'x' }), READ_ONLY_BLOCK_EDIT_ERROR);
    expectError(run('memory_rethink', { label: 'human', new_memory: '1→ Name: Ada' }), `new_memory ${PREFIX_TAIL}`);
    expectError(run('memory_rethink', { label: 'human', new_memory: MEMORY_LINE_NUMBER_WARNING }), `new_memory ${WARNING_TAIL}`);
    expectError(run('memory_rethink', { label: 'persona', new_memory: 'x'.repeat(201) }), 'Edit failed: Exceeds 200 character limit (requested 201)');
  });

  it('validates its arguments', () => {
    expectError(run('memory_rethink', { label: 'human' }), "Missing required argument 'new_memory'");
    expectError(run('memory_rethink', { label: 'human', new_memory: { text: 'x' } }), "Invalid argument 'new_memory': expected a string, got object");
  });
});

describe('memory_finish_edits', () => {
  it('is a no-op', () => {
    expect(run('memory_finish_edits', {})).toEqual({ status: 'success', output: 'None', changes: [] });
    expect(run('memory_finish_edits', { request_heartbeat: true }, [])).toEqual({ status: 'success', output: 'None', changes: [] });
  });
});

describe('core_memory_append', () => {
  it('appends on a new line', () => {
    expectUpdate(run('core_memory_append', { label: 'persona', content: 'I like chess.' }), 'persona', 'I am Sam.\nI like chess.');
  });

  it('refuses read-only blocks, unknown labels and limit overflow', () => {
    expectError(run('core_memory_append', { label: 'policy', content: 'x' }), READ_ONLY_BLOCK_EDIT_ERROR);
    expectError(run('core_memory_append', { label: 'nope', content: 'x' }), UNKNOWN_LABEL);
    expectError(run('core_memory_append', { label: 'persona', content: 'x'.repeat(191) }), 'Edit failed: Exceeds 200 character limit (requested 201)');
  });

  it('validates its arguments', () => {
    expectError(run('core_memory_append', { label: 'persona' }), "Missing required argument 'content'");
    expectError(run('core_memory_append', { label: 'persona', content: 5 }), "Invalid argument 'content': expected a string, got number");
  });
});

describe('core_memory_replace', () => {
  it('replaces every occurrence', () => {
    const state = [{ ...persona, value: 'cat, cat\ncat' }];
    expectUpdate(run('core_memory_replace', { label: 'persona', old_content: 'cat', new_content: 'dog' }, state), 'persona', 'dog, dog\ndog');
  });

  it('can delete content', () => {
    expectUpdate(run('core_memory_replace', { label: 'persona', old_content: ' Sam', new_content: '' }), 'persona', 'I am.');
  });

  it('reports missing content', () => {
    expectError(run('core_memory_replace', { label: 'persona', old_content: 'Max', new_content: 'Sam' }), "Old content 'Max' not found in memory block 'persona'");
  });

  it('refuses read-only blocks, unknown labels and limit overflow', () => {
    expectError(run('core_memory_replace', { label: 'policy', old_content: 'kind', new_content: 'x' }), READ_ONLY_BLOCK_EDIT_ERROR);
    expectError(run('core_memory_replace', { label: 'nope', old_content: 'a', new_content: 'b' }), UNKNOWN_LABEL);
    expectError(
      run('core_memory_replace', { label: 'persona', old_content: 'Sam', new_content: 'x'.repeat(200) }),
      'Edit failed: Exceeds 200 character limit (requested 206)',
    );
  });

  it('validates its arguments', () => {
    expectError(run('core_memory_replace', { label: 'persona', new_content: 'x' }), "Missing required argument 'old_content'");
    expectError(run('core_memory_replace', { label: 'persona', old_content: 'x' }), "Missing required argument 'new_content'");
  });
});

describe('memory (omni tool)', () => {
  describe('create', () => {
    it('creates a block from a path', () => {
      expect(run('memory', { command: 'create', path: '/memories/projects', description: 'Ongoing work', file_text: 'Mnemo' })).toEqual({
        status: 'success',
        output: "Successfully created memory block 'projects'",
        changes: [{ kind: 'create', label: 'projects', value: 'Mnemo', description: 'Ongoing work' }],
      });
    });

    it('defaults file_text to empty and accepts a bare label or nested path', () => {
      expect(run('memory', { command: 'create', path: 'todo', description: '' }).changes).toEqual([
        { kind: 'create', label: 'todo', value: '', description: '' },
      ]);
      expect(run('memory', { command: 'create', path: '/memories/notes/today', description: 'd' }).changes).toEqual([
        { kind: 'create', label: 'notes_today', value: '', description: 'd' },
      ]);
    });

    it('refuses an existing label', () => {
      expectError(run('memory', { command: 'create', path: '/memories/human', description: 'dup' }), "Error: Memory block 'human' already exists");
    });

    it('requires path and description', () => {
      expectError(run('memory', { command: 'create', description: 'd' }), 'Error: path is required for create command');
      expectError(run('memory', { command: 'create', path: '/memories/x' }), 'Error: description is required for create command');
      expectError(run('memory', { command: 'create', path: '/memories/', description: 'd' }), "Error: Invalid memory path '/memories/'. Use /memories/<label>");
      expectError(run('memory', { command: 'create', path: 7, description: 'd' }), "Invalid argument 'path': expected a string, got number");
    });
  });

  describe('str_replace', () => {
    it('edits like memory_replace', () => {
      expectUpdate(run('memory', { command: 'str_replace', path: '/memories/human', old_string: 'Paris', new_string: 'Rome' }), 'human', 'Name: Ada\nLikes: tea\nCity: Rome');
      expectUpdate(run('memory', { command: 'str_replace', path: 'persona', old_str: 'Sam', new_str: 'Max' }), 'persona', 'I am Max.');
    });

    it('reports missing, ambiguous and line-numbered text', () => {
      expectError(
        run('memory', { command: 'str_replace', path: '/memories/human', old_string: 'Rome', new_string: 'x' }),
        'No replacement was performed, old_string `Rome` did not appear verbatim in memory block with label `human`.',
      );
      expectError(
        run('memory', { command: 'str_replace', path: '/memories/human', old_string: ': ', new_string: '=' }),
        'No replacement was performed. Multiple occurrences of old_string `: ` in lines [1, 2, 3]. Please ensure it is unique.',
      );
      expectError(run('memory', { command: 'str_replace', path: '/memories/human', old_string: '1→ Name', new_string: 'x' }), `old_string ${PREFIX_TAIL}`);
    });

    it('refuses read-only blocks, unknown labels and limit overflow', () => {
      expectError(run('memory', { command: 'str_replace', path: '/memories/policy', old_string: 'kind', new_string: 'x' }), READ_ONLY_BLOCK_EDIT_ERROR);
      expectError(run('memory', { command: 'str_replace', path: '/memories/nope', old_string: 'a', new_string: 'b' }), UNKNOWN_LABEL);
      expectError(
        run('memory', { command: 'str_replace', path: '/memories/persona', old_string: 'Sam', new_string: 'x'.repeat(200) }),
        'Edit failed: Exceeds 200 character limit (requested 206)',
      );
    });

    it('requires its arguments', () => {
      expectError(run('memory', { command: 'str_replace', old_string: 'a', new_string: 'b' }), 'Error: path is required for str_replace command');
      expectError(run('memory', { command: 'str_replace', path: '/memories/human', new_string: 'b' }), 'Error: old_string is required for str_replace command');
      expectError(run('memory', { command: 'str_replace', path: '/memories/human', old_string: 'a' }), 'Error: new_string is required for str_replace command');
    });
  });

  describe('insert', () => {
    it('inserts like memory_insert', () => {
      expectUpdate(run('memory', { command: 'insert', path: '/memories/human', insert_text: 'Age: 36', insert_line: 1 }), 'human', 'Name: Ada\nAge: 36\nLikes: tea\nCity: Paris');
      expectUpdate(run('memory', { command: 'insert', path: '/memories/human', insert_text: 'Top', insert_line: 0 }), 'human', 'Top\nName: Ada\nLikes: tea\nCity: Paris');
      expectUpdate(run('memory', { command: 'insert', path: '/memories/human', insert_text: 'End' }), 'human', 'Name: Ada\nLikes: tea\nCity: Paris\nEnd');
    });

    it('reports bad lines, line numbers, read-only and unknown blocks', () => {
      expectError(
        run('memory', { command: 'insert', path: '/memories/human', insert_text: 'x', insert_line: 9 }),
        'Invalid `insert_line` parameter: 9. It should be within the range of lines of the memory block: [0, 3], or -1 to append to the end of the memory block.',
      );
      expectError(run('memory', { command: 'insert', path: '/memories/human', insert_text: 'Line 4: x' }), `insert_text ${PREFIX_TAIL}`);
      expectError(run('memory', { command: 'insert', path: '/memories/human', insert_text: MEMORY_LINE_NUMBER_WARNING }), `insert_text ${WARNING_TAIL}`);
      expectError(run('memory', { command: 'insert', path: '/memories/policy', insert_text: 'x' }), READ_ONLY_BLOCK_EDIT_ERROR);
      expectError(run('memory', { command: 'insert', path: '/memories/nope', insert_text: 'x' }), UNKNOWN_LABEL);
    });

    it('requires its arguments', () => {
      expectError(run('memory', { command: 'insert', insert_text: 'x' }), 'Error: path is required for insert command');
      expectError(run('memory', { command: 'insert', path: '/memories/human' }), 'Error: insert_text is required for insert command');
    });
  });

  describe('delete', () => {
    it('detaches the block', () => {
      expect(run('memory', { command: 'delete', path: '/memories/persona' })).toEqual({
        status: 'success',
        output: "Successfully deleted memory block 'persona'",
        changes: [{ kind: 'detach', label: 'persona' }],
      });
    });

    it('refuses unknown and read-only blocks and requires a path', () => {
      expectError(run('memory', { command: 'delete', path: '/memories/nope' }), UNKNOWN_LABEL);
      expectError(run('memory', { command: 'delete', path: '/memories/policy' }), READ_ONLY_BLOCK_EDIT_ERROR);
      expectError(run('memory', { command: 'delete' }), 'Error: path is required for delete command');
    });
  });

  describe('rename', () => {
    it('relabels with old_path and new_path', () => {
      expect(run('memory', { command: 'rename', old_path: '/memories/persona', new_path: '/memories/self' })).toEqual({
        status: 'success',
        output: "Successfully renamed memory block 'persona' to 'self'",
        changes: [{ kind: 'update', label: 'persona', newLabel: 'self' }],
      });
    });

    it('treats a rename to the same label as a no-op', () => {
      expect(run('memory', { command: 'rename', old_path: 'persona', new_path: '/memories/persona' })).toEqual({
        status: 'success',
        output: "Successfully renamed memory block 'persona' to 'persona'",
        changes: [],
      });
    });

    it('updates the description with path and description', () => {
      expect(run('memory', { command: 'rename', path: '/memories/persona', description: 'Who I am' })).toEqual({
        status: 'success',
        output: "Successfully updated description of memory block 'persona'",
        changes: [{ kind: 'update', label: 'persona', description: 'Who I am' }],
      });
    });

    it('prefers the description update when both forms are given', () => {
      const outcome = run('memory', { command: 'rename', path: 'human', description: 'User', old_path: 'persona', new_path: 'self' });
      expect(outcome.changes).toEqual([{ kind: 'update', label: 'human', description: 'User' }]);
    });

    it('refuses an existing target, unknown and read-only blocks', () => {
      expectError(run('memory', { command: 'rename', old_path: '/memories/persona', new_path: '/memories/human' }), "Error: Memory block 'human' already exists");
      expectError(run('memory', { command: 'rename', old_path: '/memories/nope', new_path: '/memories/x' }), UNKNOWN_LABEL);
      expectError(run('memory', { command: 'rename', path: '/memories/nope', description: 'd' }), UNKNOWN_LABEL);
      expectError(run('memory', { command: 'rename', old_path: '/memories/policy', new_path: '/memories/x' }), READ_ONLY_BLOCK_EDIT_ERROR);
    });

    it('requires one complete form', () => {
      const message = 'Error: path and description are required for update_description command, or old_path and new_path are required for rename command';
      expectError(run('memory', { command: 'rename' }), message);
      expectError(run('memory', { command: 'rename', path: '/memories/human' }), message);
      expectError(run('memory', { command: 'rename', path: '/memories/human', description: '' }), message);
      expectError(run('memory', { command: 'rename', old_path: '/memories/human' }), message);
    });
  });

  it('rejects unknown and missing commands', () => {
    expectError(run('memory', { command: 'view', path: '/memories/human' }), "Error: Unknown command 'view'. Supported commands: create, str_replace, insert, delete, rename");
    expectError(run('memory', { path: '/memories/human' }), "Missing required argument 'command'");
    expectError(run('memory', { command: 1 }), "Invalid argument 'command': expected a string, got number");
  });
});

describe('unknown label text', () => {
  it('lists the available sections, even when there are none', () => {
    expectError(run('core_memory_append', { label: 'x', content: 'y' }, []), "'Block field x does not exist (available sections = )'");
  });

  it('quotes like Python repr', () => {
    expectError(run('core_memory_append', { label: "it's", content: 'y' }, [persona]), `"Block field it's does not exist (available sections = persona)"`);
    expectError(run('core_memory_append', { label: 'a\nb', content: 'y' }, [persona]), "'Block field a\\nb does not exist (available sections = persona)'");
  });
});

describe('memoryPathToLabel', () => {
  it('strips the /memories/ prefix and flattens nested paths', () => {
    expect(memoryPathToLabel('/memories/human')).toBe('human');
    expect(memoryPathToLabel('memories/human')).toBe('human');
    expect(memoryPathToLabel('human')).toBe('human');
    expect(memoryPathToLabel('/memories/a/b')).toBe('a_b');
    expect(memoryPathToLabel('/memories/')).toBe('');
  });
});
