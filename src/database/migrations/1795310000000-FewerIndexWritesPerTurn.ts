import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two index entries fewer per turn. The recovery sweep's `status = 'running'` is served by `runs_active_idx` (it covers
 * the runs `created` or `running`, a handful at any time), so `runs_running_worker_idx`, which every run started in
 * place wrote to, goes. A step's messages are looked up by step id, never by a missing one, so `messages_step_idx`
 * leaves out the rows without a step (every input message).
 */
export class FewerIndexWritesPerTurn1795310000000 implements MigrationInterface {
  name = 'FewerIndexWritesPerTurn1795310000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "runs_running_worker_idx"`);
    await queryRunner.query(`DROP INDEX "messages_step_idx"`);
    await queryRunner.query(`CREATE INDEX "messages_step_idx" ON "messages" ("step_id") WHERE step_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "messages_step_idx"`);
    await queryRunner.query(`CREATE INDEX "messages_step_idx" ON "messages" ("step_id")`);
    await queryRunner.query(`CREATE INDEX "runs_running_worker_idx" ON "runs" ("worker_id") WHERE status = 'running'`);
  }
}
