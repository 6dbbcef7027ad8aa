import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityTarget, IsNull, ObjectLiteral } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';
import { MemoryPromptService } from '../blocks/memory-prompt.service';
import { notFound } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { insertRows, insertTogether } from '../database/insert-rows';
import type { ToolCall } from '../llm/llm.types';
import { loadWindow, windowDigestSql, windowKeysSql } from '../messages/in-context';
import { ROW_KEYS, RowKey, rowKeys } from '../database/row-keys';
import { entitiesFromJson } from '../database/json-rows';
import { queryPrepared } from '../database/prepared';
import { ConversationEntity } from '../conversations/conversation.entity';
import { MessageEntity } from '../messages/message.entity';
import { textOf } from '../messages/letta-message';
import { StepEntity } from '../steps/step.entity';
import { byName, ToolEntity } from '../tools/tool.entity';
import { changesMemory, executeToolCalls } from './tool-executor';
import { RowScope, toolRow } from './turn-messages';
import { RowVersions } from './row-versions';
import { WindowCache } from './window-cache';
import { WindowEntry, windowEntry } from './chat-messages';

/** What one turn works on, read once at its start and kept up to date in memory as steps land. */
export interface TurnContext {
  agent: AgentEntity;
  /** Null for the agent's default context. */
  conversation: ConversationEntity | null;
  tools: ToolEntity[];
  systemText: string;
  /** The agent's memory version `systemText` reflects. */
  memoryVersion: string;
  /** The context window after the system message, oldest first. */
  history: WindowEntry[];
  /** The turn's input rows being written; awaited before anything reads the window back or writes after them. */
  inputSaved: Promise<void>;
}

export interface CommittedStep {
  tool: MessageEntity | null;
  /** What the step added to the context window. */
  added: WindowEntry[];
  /** The row of `alsoRun`, when it ran with the step. */
  alsoRan?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/**
 * What `contextSql` reads: the agent and its conversation as JSON, and which tool rows and window rows the context
 * holds, as `ROW_KEYS` texts (rows this process already holds at that version are not read again).
 */
export interface ContextRow {
  agent: Json;
  conversation: Json | null;
  tools: string;
  /** The window's `ROW_DIGEST`. */
  digest: string;
  /** Null when the window's digest is the one the statement was given: the window this process remembers. */
  window: string | null;
}

const MEMORY_VERSION_SQL = 'SELECT memory_version FROM agents WHERE id = $1';

/** Tool rows kept between turns: every agent shares the built-in ones, and a tool changes rarely. */
const TOOL_ROWS_KEPT = 1000;

/**
 * SQL reading a turn's context in one statement: the agent, its conversation, and which tool rows and window rows it
 * holds; the window's keys only when its digest is not `digest` (the one of the window this process remembers, or
 * null). `agent`, `conversation` and `digest` are the statement's parameters; no row when the agent does not exist.
 */
export function contextSql(conversationId: string | null, agent: string, conversation: string, digest: string): string {
  return `SELECT row_to_json(a) AS agent,
                 (SELECT row_to_json(c) FROM conversations c WHERE c.id = ${conversation} AND c.agent_id = ${agent}) AS conversation,
                 (SELECT ${ROW_KEYS('t')} FROM agent_tools l JOIN tools t ON t.id = l.tool_id WHERE l.agent_id = ${agent}) AS tools,
                 w.digest,
                 CASE WHEN w.digest = ${digest} THEN NULL ELSE (${windowKeysSql(conversationId, agent, conversation)}) END AS window
            FROM agents a CROSS JOIN LATERAL (${windowDigestSql(conversationId, agent, conversation)}) AS w(digest)
           WHERE a.id = ${agent}`;
}

/** Rows that sort last in a window when written: in context, neither a system message nor a summary. */
const sortsLast = (row: MessageEntity) => row.inContext && row.role !== 'system' && row.role !== 'summary';

/**
 * The agent loop's persistence. Every write is one short transaction; no connection is held while the model is called.
 */
@Injectable()
export class TurnStore {
  private readonly windows: WindowCache;
  private readonly tools = new RowVersions<ToolEntity>(TOOL_ROWS_KEPT);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly memoryPrompt: MemoryPromptService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windows = new WindowCache(config.contextCacheBytes);
  }

  /** Reads the agent, its conversation, tools and context window in one statement. */
  async load(agentId: string, conversationId: string | null = null): Promise<TurnContext> {
    const digest = this.windowDigest(agentId, conversationId);
    const [row] = await queryPrepared<ContextRow | undefined>(this.dataSource, contextSql(conversationId, '$1', '$2', '$3'), [agentId, conversationId, digest]);
    if (!row) throw notFound('Agent', agentId);
    return this.contextFrom(row, conversationId);
  }

  /** The digest of the context's window as this process remembers it, for `contextSql`; null when it remembers none. */
  windowDigest(agentId: string, conversationId: string | null): string | null {
    return this.windows.digest(contextKey(agentId, conversationId));
  }

  /**
   * The context read by `contextSql`, with `written` (rows written since the read, at row version `writtenXmin` when
   * known, whose digest is `writtenDigest`) after its window. Brings a conversation's system message up to date when
   * memory changed.
   */
  async contextFrom(row: ContextRow, conversationId: string | null, written: MessageEntity[] = [], writtenXmin?: string, writtenDigest?: string): Promise<TurnContext> {
    const [agent] = entitiesFromJson(this.dataSource, AgentEntity, [row.agent]);
    const [conversation = null] = entitiesFromJson(this.dataSource, ConversationEntity, row.conversation ? [row.conversation] : []);
    if (conversationId && !conversation) throw notFound('Conversation', conversationId);
    const tools = (await this.toolRows(rowKeys(row.tools))).sort(byName);
    const context = contextKey(agent.id, conversationId);
    let window: WindowEntry[];
    if (conversation && BigInt(conversation.memoryVersion) < BigInt(agent.memoryVersion)) {
      await this.dataSource.transaction((manager) => this.memoryPrompt.recompileConversation(conversation.id, manager));
      window = (await loadWindow(this.dataSource.manager, agent.id, conversationId)).map(windowEntry);
    } else {
      const entries = written.map(windowEntry);
      window = [...(await this.windowOf(context, row, agent.id, conversationId)), ...entries];
      if (writtenXmin) this.wrote(context, written, entries, writtenXmin, writtenDigest ?? null);
    }
    return { agent, conversation, tools, memoryVersion: agent.memoryVersion, ...splitWindow(window), inputSaved: Promise.resolve() };
  }

  /**
   * The window `contextSql` found: the one remembered when its digest was unchanged (read again when this process let go
   * of it since the statement was sent), otherwise assembled from its keys.
   */
  private async windowOf(context: string, row: ContextRow, agentId: string, conversationId: string | null): Promise<WindowEntry[]> {
    if (row.window !== null) return this.windowRows(context, row.window, row.digest);
    const unchanged = this.windows.unchanged(context, row.digest);
    if (unchanged) return unchanged;
    const [read] = await queryPrepared<{ keys: string; digest: string }>(
      this.dataSource,
      `SELECT (${windowKeysSql(conversationId, '$1', '$2')}) AS keys, (${windowDigestSql(conversationId, '$1', '$2')}) AS digest`,
      [agentId, conversationId],
    );
    return this.windowRows(context, read.keys, read.digest);
  }

  /** Keeps the rows this process wrote to a context's window, at version `xmin`; `digest` is theirs when known. */
  private wrote(context: string, rows: MessageEntity[], entries: WindowEntry[], xmin: string, digest: string | null): void {
    this.windows.append(context, xmin, entries, rows.every(sortsLast) ? digest : null);
  }

  /**
   * The entries of a window (`ROW_KEYS` text, `ROW_DIGEST` `digest`): those this process holds at the same version, the
   * others read in one statement. A window assembled wholly from held entries is remembered for the next turn to start
   * from (and shared: the caller copies it before adding entries).
   */
  private async windowRows(context: string, keys: string, digest: string): Promise<WindowEntry[]> {
    const { held, rest, found } = this.windows.take(context, keys);
    const missing = rest.filter((_, i) => !found[i]).map(([id]) => id);
    if (missing.length === 0) {
      const window = held.concat(found as WindowEntry[]);
      this.windows.remember(context, keys, window, digest);
      return window;
    }
    const read = (await this.readVersions(MessageEntity, missing)).map(([xmin, row]): [string, WindowEntry] => [xmin, windowEntry(row)]);
    this.windows.add(context, read);
    const byId = new Map(read.map(([, entry]) => [entry.id, entry]));
    // A row deleted since the window was read is left out; one changed since is taken as it is now.
    return held.concat(rest.flatMap(([id], i) => found[i] ?? byId.get(id) ?? []));
  }

  /** The agent's tools: those this process holds at the same version, the others read in one statement. */
  private async toolRows(keys: RowKey[]): Promise<ToolEntity[]> {
    const held = keys.map(([id, xmin]) => this.tools.get(id, xmin));
    const missing = keys.filter((_, i) => !held[i]).map(([id]) => id);
    const read = missing.length ? await this.readVersions(ToolEntity, missing) : [];
    for (const [xmin, tool] of read) this.tools.set(tool.id, xmin, tool);
    return [...held.filter((tool) => tool !== undefined), ...read.map(([, tool]) => tool)];
  }

  /** Rows of a table by id, each with its version. Rows kept in memory are shared by turns: never change them. */
  private async readVersions<T extends ObjectLiteral>(target: EntityTarget<T>, ids: string[]): Promise<[xmin: string, row: T][]> {
    const { tableName } = this.dataSource.getMetadata(target);
    const read = await queryPrepared<{ xmin: string; row: Json }>(
      this.dataSource,
      `SELECT r.xmin::text AS xmin, row_to_json(r) AS row FROM ${tableName} r WHERE r.id = ANY($1)`,
      [ids],
    );
    const entities = entitiesFromJson(this.dataSource, target, read.map((r) => r.row));
    return entities.map((entity, i) => [read[i].xmin, entity]);
  }

  /** Re-reads the window after a compaction moved part of it out. */
  async reloadWindow(ctx: TurnContext): Promise<void> {
    await ctx.inputSaved;
    const window = (await loadWindow(this.dataSource.manager, ctx.agent.id, ctx.conversation?.id ?? null)).map(windowEntry);
    const { systemText, history } = splitWindow(window);
    if (window[0]?.role === 'system') ctx.systemText = systemText;
    ctx.history = history;
  }

  /** Picks up memory edits made elsewhere (another conversation, the API) since the turn began: one small read per step. */
  async refreshSystem(ctx: TurnContext): Promise<void> {
    const [{ memory_version: version }] = await queryPrepared<{ memory_version: string }>(this.dataSource, MEMORY_VERSION_SQL, [ctx.agent.id]);
    if (version === ctx.memoryVersion) return;
    if (ctx.conversation) {
      ctx.systemText = await this.dataSource.transaction((manager) => this.memoryPrompt.recompileConversation(ctx.conversation!.id, manager));
    } else {
      const system = await this.dataSource
        .getRepository(MessageEntity)
        .findOneBy({ agentId: ctx.agent.id, conversationId: IsNull(), role: 'system', inContext: true });
      if (system) ctx.systemText = textOf(system);
    }
    ctx.memoryVersion = version;
  }

  /**
   * Starts writing the turn's input and puts it in the in-memory window at once: the write runs while the model is
   * called, and only has to land before the step that answers it (callers await `ctx.inputSaved`).
   */
  saveInput(ctx: TurnContext, rows: MessageEntity[]): void {
    ctx.history.push(...rows.map(windowEntry));
    ctx.inputSaved = insertRows(this.dataSource.manager, MessageEntity, rows);
    ctx.inputSaved.catch(() => undefined); // observed here, thrown where it is awaited
  }

  /**
   * Persists one successful step atomically: its Step record, the assistant message, the tool calls' effects on memory
   * and their results, and the recompiled system prompts of the agents whose memory changed. A step without tool calls
   * is one statement, which also runs `alsoRun` (SQL given the parameters so far), e.g. ending the run; so is a step
   * whose tools change no memory (they run first, then the step is written with their results).
   */
  async commitStep(
    ctx: TurnContext,
    scope: RowScope,
    step: StepEntity,
    assistant: MessageEntity | null,
    calls: ToolCall[],
    alsoRun?: (params: unknown[]) => string,
  ): Promise<CommittedStep> {
    await ctx.inputSaved;
    const now = new Date();
    if (!calls.some(changesMemory)) {
      const tool = calls.length ? toolRow(scope, (await executeToolCalls(this.dataSource.manager, ctx.agent.id, calls, ctx.tools, now)).results, now, ctx.agent.timezone) : null;
      const written = [assistant, tool].filter((row) => row !== null);
      const ids = written.map((row) => row.id);
      const { row: alsoRan, xmin, digest } = await insertTogether(this.dataSource, [[StepEntity, [step]], [MessageEntity, written]], tool ? undefined : alsoRun, ids);
      const entries = written.map(windowEntry);
      ctx.history.push(...entries);
      this.wrote(contextKey(ctx.agent.id, ctx.conversation?.id ?? null), written, entries, xmin, digest);
      return { tool, alsoRan, added: entries };
    }
    const committed = await this.dataSource.transaction(async (manager) => {
      await insertRows(manager, StepEntity, [step]);
      if (assistant) await insertRows(manager, MessageEntity, [assistant]);
      const outcome = await executeToolCalls(manager, ctx.agent.id, calls, ctx.tools, now);
      const tool = toolRow(scope, outcome.results, now, ctx.agent.timezone);
      await insertRows(manager, MessageEntity, [tool]);
      const texts = await this.memoryPrompt.recompile(outcome.changedAgentIds, manager);
      const own = !outcome.changedAgentIds.includes(ctx.agent.id)
        ? null
        : ctx.conversation
          ? await this.memoryPrompt.recompileConversation(ctx.conversation.id, manager)
          : texts.get(ctx.agent.id)!;
      if (own === null) return { tool, systemText: null, version: null };
      const [{ memory_version: version }] = await manager.query(MEMORY_VERSION_SQL, [ctx.agent.id]);
      return { tool, systemText: own, version: version as string };
    });
    const added = [assistant, committed.tool].filter((row) => row !== null).map(windowEntry);
    ctx.history.push(...added);
    if (committed.systemText) {
      ctx.systemText = committed.systemText;
      ctx.memoryVersion = committed.version!;
    }
    return { tool: committed.tool, added };
  }

  /** A failed model call leaves only its Step record, so the history stays as it was before the call. */
  async recordFailedStep(ctx: TurnContext, step: StepEntity): Promise<void> {
    await ctx.inputSaved;
    await insertRows(this.dataSource.manager, StepEntity, [step]);
  }
}

/** A window's system prompt and the rest; a window without a system row (edited by hand) has an empty prompt. */
function splitWindow(window: WindowEntry[]): { systemText: string; history: WindowEntry[] } {
  const [system, ...history] = window;
  return system?.role === 'system' ? { systemText: system.text ?? '', history } : { systemText: '', history: window };
}

function contextKey(agentId: string, conversationId: string | null): string {
  return conversationId ?? agentId;
}
