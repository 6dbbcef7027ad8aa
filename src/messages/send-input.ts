import { invalidArgument, validationError } from '../common/errors';
import type { InputMessage } from '../agent-loop/turn-messages';
import type { ContentPart } from './message.entity';
import type { SendMessageDto } from './dto/send-message.dto';

/** Turns `messages` or `input` into the turn's input rows; refuses what Letta refuses, with the same status. */
export function normalizeInput(dto: SendMessageDto): InputMessage[] {
  const hasMessages = dto.messages !== undefined && dto.messages !== null;
  const hasInput = dto.input !== undefined && dto.input !== null;
  if (hasMessages === hasInput) throw validationError('Exactly one of messages or input must be set');
  if (hasInput) {
    if (typeof dto.input === 'string' && dto.input.trim() === '') throw validationError('input must not be empty');
    return [{ role: 'user', content: toParts(dto.input!) }];
  }
  if (dto.messages!.length === 0) throw validationError('Messages must not be empty');
  return dto.messages!.map((m, i) => {
    const type = m.type ?? (m.approve !== undefined || m.approval_request_id ? 'approval' : m.tool_returns ? 'tool_return' : 'message');
    if (type !== 'message') throw invalidArgument(`messages.${i}: ${type} inputs (tool approvals and client tool results) are not supported by this server yet`);
    if (!m.role) throw validationError(`messages.${i}.role: role must be one of user, system, assistant`);
    if (m.content === undefined || m.content === null) throw validationError(`messages.${i}.content: content is required`);
    return { role: m.role, content: toParts(m.content), otid: m.otid ?? null, name: m.name ?? null, senderId: m.sender_id ?? null };
  });
}

/** Message content as stored: a string becomes one text part. */
export function toParts(content: string | { type: string; [k: string]: unknown }[]): ContentPart[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** Letta's rules for the non-streaming form of the request. */
export function assertSyncOptions(dto: SendMessageDto): void {
  if (dto.stream_tokens) throw validationError('stream_tokens requires streaming=true');
  if (dto.include_pings === false) throw validationError('include_pings=false requires streaming=true');
  if (dto.background) throw validationError('background requires streaming=true');
  if (dto.client_tools?.length) throw invalidArgument('client_tools are not supported by this server yet');
}
