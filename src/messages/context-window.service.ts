import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { toChatMessages, windowEntry } from '../agent-loop/chat-messages';
import { TurnStore } from '../agent-loop/turn-store.service';
import { countMessageTokens, countTokens, countToolTokens } from '../llm/tokenizer';
import { textOf, toLettaMessages, LettaMessage } from './letta-message';
import { toolSchema } from '../tools/tool.entity';
import { loadWindow } from './in-context';

export interface ContextWindowOverview {
  context_window_size_max: number;
  context_window_size_current: number;
  num_messages: number;
  num_archival_memory: number;
  num_recall_memory: number;
  num_tokens_external_memory_summary: number;
  external_memory_summary: string;
  num_tokens_system: number;
  system_prompt: string;
  num_tokens_core_memory: number;
  core_memory: string;
  num_tokens_summary_memory: number;
  summary_memory: string | null;
  num_tokens_functions_definitions: number;
  functions_definitions: Record<string, unknown>[];
  num_tokens_messages: number;
  messages: LettaMessage[];
}

const section = (text: string, open: string, close: string): string => {
  const start = text.indexOf(open);
  const end = text.indexOf(close, start);
  return start >= 0 && end >= 0 ? text.slice(start, end + close.length) : '';
};

/** Token accounting of what the next model call would send, section by section. */
@Injectable()
export class ContextWindowService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: TurnStore,
  ) {}

  async overview(agentId: string): Promise<ContextWindowOverview> {
    const ctx = await this.store.load(agentId);
    const model = ctx.agent.llmConfig.model;
    const coreMemory = section(ctx.systemText, '<memory_blocks>', '</memory_blocks>');
    const metadata = section(ctx.systemText, '<memory_metadata>', '</memory_metadata>');
    const systemOnly = ctx.systemText.replace(coreMemory, '').replace(metadata, '').trim();
    // The turn's context keeps chat messages only; the window's messages are shown as stored.
    const window = await loadWindow(this.dataSource.manager, agentId, null);
    const rows = window[0]?.role === 'system' ? window.slice(1) : window;
    const summary = rows.find((m) => m.role === 'summary') ?? null;
    const rest = rows.filter((m) => m !== summary);
    const functions = ctx.tools.map((t) => ({ type: 'function', function: t.jsonSchema ?? { name: t.name } }));
    const tokens = {
      system: countTokens(systemOnly, model),
      core: countTokens(coreMemory, model),
      external: countTokens(metadata, model),
      summary: summary ? countTokens(textOf(summary), model) : 0,
      functions: countToolTokens(ctx.tools.map(toolSchema), model),
      messages: countMessageTokens(toChatMessages(rest.map(windowEntry)), model),
    };
    const [{ count }] = await this.dataSource.query('SELECT count(*)::int AS count FROM messages WHERE agent_id = $1', [agentId]);
    return {
      context_window_size_max: ctx.agent.llmConfig.context_window,
      context_window_size_current: Object.values(tokens).reduce((a, b) => a + b, 0),
      num_messages: rows.length + 1,
      num_archival_memory: 0,
      num_recall_memory: count,
      num_tokens_external_memory_summary: tokens.external,
      external_memory_summary: metadata,
      num_tokens_system: tokens.system,
      system_prompt: systemOnly,
      num_tokens_core_memory: tokens.core,
      core_memory: coreMemory,
      num_tokens_summary_memory: tokens.summary,
      summary_memory: summary ? textOf(summary) : null,
      num_tokens_functions_definitions: tokens.functions,
      functions_definitions: functions,
      num_tokens_messages: tokens.messages,
      messages: rest.flatMap((m) => toLettaMessages(m)),
    };
  }
}
