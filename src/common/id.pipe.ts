import { Injectable, PipeTransform } from '@nestjs/common';
import { validationError } from './errors';
import { IdPrefix, isId } from './ids';

/** Rejects a path id of the wrong shape with 422, as Letta does, before any lookup. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  constructor(private readonly prefix: IdPrefix) {}

  transform(value: string): string {
    if (!isId(this.prefix, value)) throw validationError(`Invalid ${this.prefix} id '${value}': it should match the pattern '${this.prefix}-<uuid4>'`);
    return value;
  }
}

export const AgentIdPipe = new IdPipe('agent');
export const BlockIdPipe = new IdPipe('block');
export const ToolIdPipe = new IdPipe('tool');
export const MessageIdPipe = new IdPipe('message');
