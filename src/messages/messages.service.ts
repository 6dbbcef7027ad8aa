import { BY_SEQ } from './in-context';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { MemoryPromptService } from '../blocks/memory-prompt.service';
import { invalidArgument, notFound } from '../common/errors';
import { keysetPage } from '../common/pagination';
import { ListMessagesQueryDto, UpdateMessageDto } from './dto/list-messages.dto';
import { filterTypes, LettaMessage, toLettaMessages } from './letta-message';
import { MessageEntity } from './message.entity';
import { plainText } from '../agent-loop/turn-messages';

@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly memoryPrompt: MemoryPromptService,
  ) {}

  async list(agentId: string, query: ListMessagesQueryDto): Promise<LettaMessage[]> {
    await this.agents.get(agentId);
    const qb = this.dataSource.getRepository(MessageEntity).createQueryBuilder('m').where('m.agent_id = :agentId', { agentId });
    if (query.conversation_id && query.conversation_id !== 'default') qb.andWhere('m.conversation_id = :cid', { cid: query.conversation_id });
    else qb.andWhere('m.conversation_id IS NULL');
    if (query.include_err === false) qb.andWhere('m.is_err IS NOT TRUE');
    if (query.group_id) qb.andWhere('m.group_id = :groupId', { groupId: query.group_id });
    const order = query.order ?? 'desc';
    const rows = await keysetPage(qb, { ...BY_SEQ, order, limit: query.limit ?? 100, after: query.after, before: query.before });
    // Newest first means the items expanded from one stored message are reversed too.
    const items = rows.flatMap((row) => (order === 'desc' ? toLettaMessages(row).reverse() : toLettaMessages(row)));
    return filterTypes(items, query.include_return_message_types);
  }

  async retrieve(messageId: string): Promise<LettaMessage[]> {
    return toLettaMessages(await this.get(messageId));
  }

  /** Edits the text of a stored message in place; the system message edit is what the model sees next. */
  async update(agentId: string, messageId: string, dto: UpdateMessageDto): Promise<LettaMessage> {
    const message = await this.get(messageId);
    if (message.agentId !== agentId) throw notFound('Message', messageId);
    const wanted = dto.message_type ?? defaultType(message);
    if (wanted === 'reasoning_message') {
      if (message.role !== 'assistant' || dto.reasoning === undefined) throw invalidArgument('Only an assistant message’s reasoning can be edited, with `reasoning`');
      const part = message.content.find((p) => p.type === 'reasoning');
      if (part) part.reasoning = dto.reasoning;
      else message.content.unshift({ type: 'reasoning', reasoning: dto.reasoning, is_native: false, signature: null });
    } else {
      const role = { system_message: 'system', user_message: 'user', assistant_message: 'assistant' }[wanted];
      if (message.role !== role) throw invalidArgument(`Message ${messageId} is not a ${wanted}`);
      if (dto.content === undefined) throw invalidArgument('`content` is required');
      const parts = typeof dto.content === 'string' ? [{ type: 'text', text: dto.content }] : dto.content;
      const reasoning = message.role === 'assistant' ? message.content.filter((p) => p.type !== 'text') : [];
      message.content = [...reasoning, ...parts];
      message.searchText = plainText(message.content);
    }
    await this.dataSource.getRepository(MessageEntity).update({ id: message.id }, { content: message.content, searchText: message.searchText });
    const items = toLettaMessages(message);
    return items.find((i) => i.message_type === wanted) ?? items[0];
  }

  /** Empties the context window (the messages stay stored and searchable) and recompiles the system prompt. */
  async reset(agentId: string): Promise<void> {
    await this.agents.get(agentId);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE messages SET in_context = false WHERE agent_id = $1 AND conversation_id IS NULL AND in_context AND role <> 'system'`, [agentId]);
      await this.memoryPrompt.recompile([agentId], manager);
    });
  }

  private async get(id: string): Promise<MessageEntity> {
    const message = await this.dataSource.getRepository(MessageEntity).findOneBy({ id });
    if (!message) throw notFound('Message', id);
    return message;
  }
}

function defaultType(message: MessageEntity): 'system_message' | 'user_message' | 'assistant_message' {
  return message.role === 'system' ? 'system_message' : message.role === 'assistant' ? 'assistant_message' : 'user_message';
}
