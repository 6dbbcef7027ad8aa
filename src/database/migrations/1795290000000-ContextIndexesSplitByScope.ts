import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes of an agent's default context cover only its rows, and indexes by conversation only conversation rows. An
 * index on `conversation_id` that also held the default contexts' rows (all under NULL) could serve
 * `conversation_id IS NULL`, and on stale statistics the planner chose it: reading one agent's window then scanned
 * every agent's window, so a turn's cost grew with the whole server's history.
 */
export class ContextIndexesSplitByScope1795290000000 implements MigrationInterface {
  name = 'ContextIndexesSplitByScope1795290000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await this.recreate(queryRunner, {
      messages_in_context_idx: `"messages" ("agent_id", "seq") WHERE in_context AND conversation_id IS NULL`,
      messages_conversation_in_context_idx: `"messages" ("conversation_id", "seq") WHERE in_context AND conversation_id IS NOT NULL`,
      messages_conversation_seq_idx: `"messages" ("conversation_id", "seq") WHERE conversation_id IS NOT NULL`,
      runs_conversation_created_idx: `"runs" ("conversation_id", "created_at") WHERE conversation_id IS NOT NULL`,
    });
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await this.recreate(queryRunner, {
      messages_in_context_idx: `"messages" ("agent_id", "seq") WHERE in_context`,
      messages_conversation_in_context_idx: `"messages" ("conversation_id", "seq") WHERE in_context`,
      messages_conversation_seq_idx: `"messages" ("conversation_id", "seq")`,
      runs_conversation_created_idx: `"runs" ("conversation_id", "created_at")`,
    });
  }

  private async recreate(queryRunner: QueryRunner, indexes: Record<string, string>): Promise<void> {
    for (const [name, definition] of Object.entries(indexes)) {
      await queryRunner.query(`DROP INDEX "${name}"`);
      await queryRunner.query(`CREATE INDEX "${name}" ON ${definition}`);
    }
  }
}
