import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';
import { AgentsService } from '../agents/agents.service';
import { MemoryPromptService } from '../blocks/memory-prompt.service';
import { notFound } from '../common/errors';
import { insertRows, insertTogether } from '../database/insert-rows';
import type { ToolCall } from '../llm/llm.types';
import { loadWindow } from '../messages/in-context';
import { ConversationEntity } from '../conversations/conversation.entity';
import { MessageEntity } from '../messages/message.entity';
import { textOf } from '../messages/letta-message';
import { StepEntity } from '../steps/step.entity';
import type { ToolEntity } from '../tools/tool.entity';
import { executeToolCalls } from './tool-executor';
import { RowScope, toolRow } from './turn-messages';

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
  history: MessageEntity[];
  /** The turn's input rows being written; awaited before anything reads the window back or writes after them. */
  inputSaved: Promise<void>;
}

export interface CommittedStep {
  tool: MessageEntity | null;
}

/**
 * The agent loop's persistence. Every write is one short transaction; no connection is held while the model is called.
 */
@Injectable()
export class TurnStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly memoryPrompt: MemoryPromptService,
  ) {}

  async load(agentId: string, conversationId: string | null = null): Promise<TurnContext> {
    const agent = await this.dataSource.getRepository(AgentEntity).findOneBy({ id: agentId });
    if (!agent) throw notFound('Agent', agentId);
    let conversation: ConversationEntity | null = null;
    if (conversationId) {
      conversation = await this.dataSource.getRepository(ConversationEntity).findOneBy({ id: conversationId, agentId });
      if (!conversation) throw notFound('Conversation', conversationId);
      if (BigInt(conversation.memoryVersion) < BigInt(agent.memoryVersion)) {
        await this.dataSource.transaction((manager) => this.memoryPrompt.recompileConversation(conversationId, manager));
      }
    }
    const [tools, window] = await Promise.all([
      this.agents.toolsByAgent([agentId]).then((m) => m.get(agentId)!),
      loadWindow(this.dataSource.manager, agentId, conversationId),
    ]);
    const [system, ...history] = window;
    return {
      agent,
      conversation,
      tools,
      memoryVersion: agent.memoryVersion,
      systemText: system?.role === 'system' ? textOf(system) : '',
      history: system?.role === 'system' ? history : window,
      inputSaved: Promise.resolve(),
    };
  }

  /** Re-reads the window after a compaction moved part of it out. */
  async reloadWindow(ctx: TurnContext): Promise<void> {
    await ctx.inputSaved;
    const [system, ...history] = await loadWindow(this.dataSource.manager, ctx.agent.id, ctx.conversation?.id ?? null);
    ctx.systemText = system?.role === 'system' ? textOf(system) : ctx.systemText;
    ctx.history = system?.role === 'system' ? history : [system, ...history].filter(Boolean);
  }

  /** Picks up memory edits made elsewhere (another conversation, the API) since the turn began: one small read per step. */
  async refreshSystem(ctx: TurnContext): Promise<void> {
    const [{ memory_version: version }] = await this.dataSource.query('SELECT memory_version FROM agents WHERE id = $1', [ctx.agent.id]);
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
    ctx.history.push(...rows);
    ctx.inputSaved = insertRows(this.dataSource.manager, MessageEntity, rows);
    ctx.inputSaved.catch(() => undefined); // observed here, thrown where it is awaited
  }

  /**
   * Persists one successful step atomically: its Step record, the assistant message, the tool calls' effects on memory
   * and their results, and the recompiled system prompts of the agents whose memory changed.
   */
  async commitStep(ctx: TurnContext, scope: RowScope, step: StepEntity, assistant: MessageEntity | null, calls: ToolCall[]): Promise<CommittedStep> {
    await ctx.inputSaved;
    const now = new Date();
    if (calls.length === 0) {
      await insertTogether(this.dataSource.manager, [
        [StepEntity, [step]],
        [MessageEntity, assistant ? [assistant] : []],
      ]);
      if (assistant) ctx.history.push(assistant);
      return { tool: null };
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
      const [{ memory_version: version }] = await manager.query('SELECT memory_version FROM agents WHERE id = $1', [ctx.agent.id]);
      return { tool, systemText: own, version: version as string };
    });
    if (assistant) ctx.history.push(assistant);
    if (committed.tool) ctx.history.push(committed.tool);
    if (committed.systemText) ctx.systemText = committed.systemText;
    if (committed.version && committed.systemText) ctx.memoryVersion = committed.version;
    return { tool: committed.tool };
  }

  /** A failed model call leaves only its Step record, so the history stays as it was before the call. */
  async recordFailedStep(ctx: TurnContext, step: StepEntity): Promise<void> {
    await ctx.inputSaved;
    await insertRows(this.dataSource.manager, StepEntity, [step]);
  }
}
