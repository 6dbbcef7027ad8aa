import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A leaner run end. `mnemo_dispatch_next` reads the context's active runs once, a dispatched one first, and only when
 * one is waiting checks for a compaction hold and starts it; it used to look for a hold, then pick the next waiting run
 * with two scans of the active runs, on every run's end.
 *
 * Two index entries fewer per turn. The recovery sweep's `status = 'running'` is served by `runs_active_idx` (it covers
 * the runs `created` or `running`, a handful at any time), so `runs_running_worker_idx`, which every run started in
 * place wrote to, goes. A step's messages are looked up by step id, never by a missing one, so `messages_step_idx`
 * leaves out the rows without a step (every input message).
 */
export class FewerIndexWritesPerTurn1795310000000 implements MigrationInterface {
  name = 'FewerIndexWritesPerTurn1795310000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION mnemo_dispatch_next(p_agent_id text, p_conversation_id text) RETURNS text LANGUAGE plpgsql AS $$
      DECLARE v_first record; v_next text;
      BEGIN
        -- The context's active runs, a dispatched one first: usually none (the run that just ended was the last).
        SELECT r.id, r.dispatched INTO v_first FROM runs r
         WHERE r.agent_id = p_agent_id AND r.conversation_id IS NOT DISTINCT FROM p_conversation_id AND r.status IN ('created', 'running')
         ORDER BY r.dispatched DESC, r.created_at LIMIT 1;
        IF NOT FOUND OR v_first.dispatched THEN RETURN NULL; END IF;
        IF EXISTS (SELECT 1 FROM compaction_holds h WHERE h.context_id = COALESCE(p_conversation_id, p_agent_id) AND h.expires_at > now()) THEN
          RETURN NULL;
        END IF;
        UPDATE runs SET dispatched = true WHERE id = v_first.id AND status = 'created' RETURNING id INTO v_next;
        RETURN v_next;
      END $$`);
    await queryRunner.query(`DROP INDEX "runs_running_worker_idx"`);
    await queryRunner.query(`DROP INDEX "messages_step_idx"`);
    await queryRunner.query(`CREATE INDEX "messages_step_idx" ON "messages" ("step_id") WHERE step_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "messages_step_idx"`);
    await queryRunner.query(`CREATE INDEX "messages_step_idx" ON "messages" ("step_id")`);
    await queryRunner.query(`CREATE INDEX "runs_running_worker_idx" ON "runs" ("worker_id") WHERE status = 'running'`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION mnemo_dispatch_next(p_agent_id text, p_conversation_id text) RETURNS text LANGUAGE plpgsql AS $$
      DECLARE v_next text;
      BEGIN
        IF EXISTS (SELECT 1 FROM compaction_holds h WHERE h.context_id = COALESCE(p_conversation_id, p_agent_id) AND h.expires_at > now()) THEN
          RETURN NULL;
        END IF;
        UPDATE runs SET dispatched = true WHERE id = (
          SELECT w.id FROM runs w
           WHERE w.agent_id = p_agent_id AND w.conversation_id IS NOT DISTINCT FROM p_conversation_id AND w.status = 'created' AND NOT w.dispatched
             AND NOT EXISTS (SELECT 1 FROM runs a WHERE a.agent_id = p_agent_id AND a.conversation_id IS NOT DISTINCT FROM p_conversation_id
                                AND a.status IN ('created', 'running') AND a.dispatched)
           ORDER BY w.created_at LIMIT 1)
        RETURNING id INTO v_next;
        RETURN v_next;
      END $$`);
  }
}
