import { EntityManager } from 'typeorm';
import { AgentBlockEntity } from '../blocks/agent-block.entity';
import { BlockEntity } from '../blocks/block.entity';
import { DEFAULT_BLOCK_LIMIT } from '../blocks/blocks.service';
import { newId } from '../common/ids';
import type { ToolCall } from '../llm/llm.types';
import type { ToolEntity } from '../tools/tool.entity';
import { conversationSearch } from './conversation-search';
import { truncateToolReturn } from './tool-returns';
import { executeMemoryTool, MEMORY_TOOL_NAMES, MemoryBlockState, MemoryChange } from './tools/memory-tools';

export interface ToolResult {
  toolCallId: string;
  name: string;
  status: 'success' | 'error';
  output: string;
  /** False for results that must not be found by conversation_search (its own output). */
  searchable: boolean;
}

export interface ToolRunOutcome {
  results: ToolResult[];
  /** Agents whose memory changed and whose system prompts must be recompiled. */
  changedAgentIds: string[];
}

/** Whether a tool call may change memory: such calls run inside the transaction persisting their step. */
export function changesMemory(call: ToolCall): boolean {
  return MEMORY_TOOL_NAMES.includes(call.name);
}

/**
 * Executes one step's tool calls. Memory edits write through `manager`: give it the transaction that persists the
 * step, so they land with it or not at all.
 */
export async function executeToolCalls(
  manager: EntityManager,
  agentId: string,
  calls: ToolCall[],
  tools: ToolEntity[],
  now: Date,
): Promise<ToolRunOutcome> {
  const results: ToolResult[] = [];
  const changed = new Set<string>();
  let blocks: BlockEntity[] | null = null;
  for (const call of calls) {
    const tool = tools.find((t) => t.name === call.name);
    const result = (status: 'success' | 'error', output: string, searchable = true) =>
      results.push({ toolCallId: call.id, name: call.name, status, output: status === 'success' && tool ? truncate(output, tool) : output, searchable });
    if (!tool) {
      result('error', `[ToolConstraintError] Cannot call ${call.name}, valid tools include: [${tools.map((t) => `'${t.name}'`).join(', ')}].`);
      continue;
    }
    const args = parseArguments(call.arguments);
    if (!args) {
      result('error', `Invalid arguments for ${call.name}: expected a JSON object, got ${JSON.stringify(call.arguments.slice(0, 200))}`);
      continue;
    }
    if (changesMemory(call)) {
      blocks ??= await lockAgentBlocks(manager, agentId);
      const outcome = executeMemoryTool(call.name, args, blocks.map(toState))!;
      if (outcome.status === 'success') {
        for (const change of outcome.changes) blocks = await applyChange(manager, agentId, blocks, change, changed);
        if (outcome.changes.length) changed.add(agentId);
      }
      result(outcome.status, outcome.output);
    } else if (call.name === 'conversation_search') {
      try {
        result('success', await conversationSearch(manager, agentId, args, now), false);
      } catch (error) {
        result('error', (error as Error).message, false);
      }
    } else if (call.name === 'send_message') {
      result('success', 'Sent message successfully.');
    } else {
      result('error', `Tool '${call.name}' cannot be executed by this server yet: only built-in tools run here.`);
    }
  }
  return { results, changedAgentIds: [...changed] };
}

function truncate(output: string, tool: ToolEntity): string {
  return tool.name === 'conversation_search' ? output : truncateToolReturn(output, tool.returnCharLimit);
}

function parseArguments(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

async function lockAgentBlocks(manager: EntityManager, agentId: string): Promise<BlockEntity[]> {
  return manager
    .getRepository(BlockEntity)
    .createQueryBuilder('b')
    .innerJoin('agent_blocks', 'ab', 'ab.block_id = b.id AND ab.agent_id = :agentId', { agentId })
    .orderBy('b.created_at', 'ASC')
    .addOrderBy('b.id', 'ASC')
    .setLock('pessimistic_write')
    .getMany();
}

function toState(block: BlockEntity): MemoryBlockState {
  return { label: block.label, value: block.value, limit: block.limit, readOnly: block.readOnly, description: block.description };
}

/** Writes one change and returns the agent's blocks as they now are; agents sharing an edited block are noted. */
async function applyChange(manager: EntityManager, agentId: string, blocks: BlockEntity[], change: MemoryChange, changed: Set<string>): Promise<BlockEntity[]> {
  const repo = manager.getRepository(BlockEntity);
  const block = blocks.find((b) => b.label === change.label);
  if (change.kind === 'create') {
    const created = await repo.save(
      repo.create({ id: newId('block'), label: change.label, value: change.value, description: change.description, limit: Math.max(DEFAULT_BLOCK_LIMIT, change.value.length), ownerAgentId: agentId }),
    );
    await manager.getRepository(AgentBlockEntity).insert({ agentId, blockId: created.id, blockLabel: created.label });
    return [...blocks, created];
  }
  if (!block) return blocks;
  if (change.kind === 'detach') {
    await manager.getRepository(AgentBlockEntity).delete({ agentId, blockId: block.id });
    return blocks.filter((b) => b !== block);
  }
  if (change.value !== undefined) block.value = change.value;
  if (change.description !== undefined) block.description = change.description;
  if (change.newLabel !== undefined) block.label = change.newLabel;
  await repo.save(block);
  const holders: { agent_id: string }[] = await manager.query('SELECT agent_id FROM agent_blocks WHERE block_id = $1', [block.id]);
  holders.forEach((h) => changed.add(h.agent_id));
  return blocks;
}
