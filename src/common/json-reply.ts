import type { FastifyReply } from 'fastify';

/** Answers `value` as JSON, strings and numbers included (Fastify would send a bare string as text). */
export function sendJson(reply: FastifyReply, value: unknown): void {
  reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
}
