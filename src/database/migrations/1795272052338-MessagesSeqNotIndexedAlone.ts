import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `seq` needs no index of its own: every listing filters first (agent, conversation, run) and has an index on
 * (filter, seq). Alone, the unique index tempted the planner into scanning the whole table backwards for one agent.
 */
export class MessagesSeqNotIndexedAlone1795272052338 implements MigrationInterface {
  name = 'MessagesSeqNotIndexedAlone1795272052338';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "UQ_c4378a3eb6c431f6eca96e4c0dd"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "UQ_c4378a3eb6c431f6eca96e4c0dd" UNIQUE ("seq")`);
  }
}
