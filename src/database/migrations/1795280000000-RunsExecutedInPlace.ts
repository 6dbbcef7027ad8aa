import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A foreground run can be executed by the process that admitted it: admission then starts it in the same statement
 * and records which worker holds it, so a worker that dies is found by its missing heartbeat.
 */
export class RunsExecutedInPlace1795280000000 implements MigrationInterface {
  name = 'RunsExecutedInPlace1795280000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "runs" ADD "worker_id" text`);
    await queryRunner.query(`CREATE INDEX "runs_running_worker_idx" ON "runs" ("worker_id") WHERE status = 'running'`);
    await queryRunner.query('DROP FUNCTION mnemo_admit_run(text, text, text, boolean, jsonb, jsonb, jsonb, text, text)');
    await queryRunner.query(`
      CREATE FUNCTION mnemo_admit_run(
        p_id text, p_agent_id text, p_conversation_id text, p_background boolean, p_metadata jsonb,
        p_request_config jsonb, p_request jsonb, p_callback_url text, p_if_busy text, p_worker_id text)
      RETURNS TABLE (outcome text, run_id text) LANGUAGE plpgsql AS $$
      DECLARE v_active text; v_start boolean;
      BEGIN
        PERFORM 1 FROM agents WHERE id = p_agent_id FOR UPDATE;
        IF NOT FOUND THEN RETURN QUERY SELECT 'no_agent'::text, NULL::text; RETURN; END IF;
        SELECT r.id INTO v_active FROM runs r
         WHERE r.agent_id = p_agent_id AND r.conversation_id IS NOT DISTINCT FROM p_conversation_id AND r.status IN ('created', 'running')
         ORDER BY r.created_at LIMIT 1;
        IF v_active IS NOT NULL AND p_if_busy = 'reject' THEN RETURN QUERY SELECT 'busy'::text, v_active; RETURN; END IF;
        v_start := v_active IS NULL AND p_worker_id IS NOT NULL;
        INSERT INTO runs (id, agent_id, conversation_id, status, background, dispatched, metadata, request_config, request, callback_url,
                          worker_id, started_at)
        VALUES (p_id, p_agent_id, p_conversation_id, CASE WHEN v_start THEN 'running' ELSE 'created' END, p_background, v_active IS NULL,
                p_metadata, p_request_config, p_request, p_callback_url,
                CASE WHEN v_start THEN p_worker_id END, CASE WHEN v_start THEN now() END);
        RETURN QUERY SELECT CASE WHEN v_start THEN 'started' WHEN v_active IS NULL THEN 'dispatched' ELSE 'waiting' END, p_id;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION mnemo_admit_run(text, text, text, boolean, jsonb, jsonb, jsonb, text, text, text)');
    await queryRunner.query(`
      CREATE FUNCTION mnemo_admit_run(
        p_id text, p_agent_id text, p_conversation_id text, p_background boolean, p_metadata jsonb,
        p_request_config jsonb, p_request jsonb, p_callback_url text, p_if_busy text)
      RETURNS TABLE (outcome text, run_id text) LANGUAGE plpgsql AS $$
      DECLARE v_active text;
      BEGIN
        PERFORM 1 FROM agents WHERE id = p_agent_id FOR UPDATE;
        IF NOT FOUND THEN RETURN QUERY SELECT 'no_agent'::text, NULL::text; RETURN; END IF;
        SELECT r.id INTO v_active FROM runs r
         WHERE r.agent_id = p_agent_id AND r.conversation_id IS NOT DISTINCT FROM p_conversation_id AND r.status IN ('created', 'running')
         ORDER BY r.created_at LIMIT 1;
        IF v_active IS NOT NULL AND p_if_busy = 'reject' THEN RETURN QUERY SELECT 'busy'::text, v_active; RETURN; END IF;
        INSERT INTO runs (id, agent_id, conversation_id, status, background, dispatched, metadata, request_config, request, callback_url)
        VALUES (p_id, p_agent_id, p_conversation_id, 'created', p_background, v_active IS NULL, p_metadata, p_request_config, p_request, p_callback_url);
        RETURN QUERY SELECT CASE WHEN v_active IS NULL THEN 'dispatched' ELSE 'waiting' END, p_id;
      END $$`);
    await queryRunner.query(`DROP INDEX "runs_running_worker_idx"`);
    await queryRunner.query(`ALTER TABLE "runs" DROP COLUMN "worker_id"`);
  }
}
