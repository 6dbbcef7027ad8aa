import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admission and completion of runs as functions: each is one round trip instead of five, and each statement inside
 * still sees what concurrent transactions committed before it (READ COMMITTED takes a snapshot per statement), which
 * the order "lock the agent row, then look at its runs" needs.
 */
export class RunFunctions1795270000000 implements MigrationInterface {
  name = 'RunFunctions1795270000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
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

    await queryRunner.query(`
      CREATE FUNCTION mnemo_finalize_run(p_run_id text, p_status text, p_stop_reason text, p_metadata jsonb, p_ttft_ns bigint)
      RETURNS TABLE (ended boolean, callback_url text, next_run_id text) LANGUAGE plpgsql AS $$
      DECLARE v_agent text; v_conversation text; v_callback text; v_duration bigint; v_ended boolean; v_next text;
      BEGIN
        UPDATE runs SET status = p_status, stop_reason = p_stop_reason, completed_at = now(), updated_at = now(),
               metadata = metadata || p_metadata, ttft_ns = COALESCE(p_ttft_ns, ttft_ns),
               total_duration_ns = (extract(epoch from (now() - created_at)) * 1e9)::bigint
         WHERE id = p_run_id AND status IN ('created', 'running')
         RETURNING agent_id, conversation_id, runs.callback_url, total_duration_ns INTO v_agent, v_conversation, v_callback, v_duration;
        v_ended := FOUND;
        IF v_ended THEN
          UPDATE agents SET last_run_completion = now(), last_stop_reason = p_stop_reason, last_run_duration_ms = (v_duration / 1000000)::int
           WHERE id = v_agent;
          IF v_conversation IS NOT NULL THEN UPDATE conversations SET last_message_at = now() WHERE id = v_conversation; END IF;
        ELSE
          SELECT r.agent_id, r.conversation_id INTO v_agent, v_conversation FROM runs r WHERE r.id = p_run_id;
          IF NOT FOUND THEN RETURN; END IF;
          PERFORM 1 FROM agents WHERE id = v_agent FOR UPDATE;
        END IF;
        UPDATE runs SET dispatched = true WHERE id = (
          SELECT w.id FROM runs w
           WHERE w.agent_id = v_agent AND w.conversation_id IS NOT DISTINCT FROM v_conversation AND w.status = 'created' AND NOT w.dispatched
             AND NOT EXISTS (SELECT 1 FROM runs a WHERE a.agent_id = v_agent AND a.conversation_id IS NOT DISTINCT FROM v_conversation
                                AND a.status IN ('created', 'running') AND a.dispatched)
           ORDER BY w.created_at LIMIT 1)
        RETURNING id INTO v_next;
        RETURN QUERY SELECT v_ended, CASE WHEN v_ended THEN v_callback END, v_next;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION mnemo_finalize_run(text, text, text, jsonb, bigint)');
    await queryRunner.query('DROP FUNCTION mnemo_admit_run(text, text, text, boolean, jsonb, jsonb, jsonb, text, text)');
  }
}
