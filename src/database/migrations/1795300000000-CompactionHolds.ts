import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A compaction outside a turn holds its context in Postgres, next to the runs it must not overlap: beginning one locks
 * the agent row, as admission does, and finds no active run; while it holds the context, admission queues runs instead
 * of starting them, and its end starts the first of them. The hold expires unless renewed, so a holder that died frees
 * the context; a sweep then starts what waited. Turns no longer take a lease of their own: admission already excludes
 * them from each other, and now from compactions too.
 */
export class CompactionHolds1795300000000 implements MigrationInterface {
  name = 'CompactionHolds1795300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "compaction_holds" (
        "context_id" text PRIMARY KEY,
        "agent_id" text NOT NULL REFERENCES "agents" ("id") ON DELETE CASCADE,
        "conversation_id" text REFERENCES "conversations" ("id") ON DELETE CASCADE,
        "holder" text NOT NULL,
        "expires_at" timestamptz NOT NULL
      )`);

    await queryRunner.query(`
      CREATE FUNCTION mnemo_dispatch_next(p_agent_id text, p_conversation_id text) RETURNS text LANGUAGE plpgsql AS $$
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

    await queryRunner.query(this.admitRun(true));
    await queryRunner.query(this.finalizeRun('v_next := mnemo_dispatch_next(v_agent, v_conversation);'));

    await queryRunner.query(`
      CREATE FUNCTION mnemo_begin_compaction(p_agent_id text, p_conversation_id text, p_holder text, p_ttl_ms integer)
      RETURNS text LANGUAGE plpgsql AS $$
      DECLARE v_context text := COALESCE(p_conversation_id, p_agent_id);
      BEGIN
        PERFORM 1 FROM agents WHERE id = p_agent_id FOR UPDATE;
        IF NOT FOUND THEN RETURN 'no_agent'; END IF;
        IF p_conversation_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = p_conversation_id AND c.agent_id = p_agent_id) THEN
          RETURN 'no_conversation';
        END IF;
        IF EXISTS (SELECT 1 FROM runs r WHERE r.agent_id = p_agent_id AND r.conversation_id IS NOT DISTINCT FROM p_conversation_id
                      AND r.status IN ('created', 'running')) THEN
          RETURN 'busy';
        END IF;
        INSERT INTO compaction_holds (context_id, agent_id, conversation_id, holder, expires_at)
        VALUES (v_context, p_agent_id, p_conversation_id, p_holder, now() + p_ttl_ms * interval '1 millisecond')
        ON CONFLICT (context_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE compaction_holds.expires_at <= now();
        RETURN CASE WHEN FOUND THEN 'held' ELSE 'busy' END;
      END $$`);

    await queryRunner.query(`
      CREATE FUNCTION mnemo_end_compaction(p_context_id text, p_holder text) RETURNS text LANGUAGE plpgsql AS $$
      DECLARE v_agent text; v_conversation text;
      BEGIN
        SELECT h.agent_id, h.conversation_id INTO v_agent, v_conversation FROM compaction_holds h WHERE h.context_id = p_context_id;
        IF NOT FOUND THEN RETURN NULL; END IF;
        PERFORM 1 FROM agents WHERE id = v_agent FOR UPDATE;
        DELETE FROM compaction_holds WHERE context_id = p_context_id AND holder = p_holder;
        RETURN mnemo_dispatch_next(v_agent, v_conversation);
      END $$`);

    await queryRunner.query(`
      CREATE FUNCTION mnemo_sweep_compaction_holds() RETURNS TABLE (next_run_id text) LANGUAGE plpgsql AS $$
      DECLARE v_hold record;
      BEGIN
        FOR v_hold IN SELECT h.context_id, h.holder FROM compaction_holds h WHERE h.expires_at <= now() ORDER BY h.agent_id LOOP
          next_run_id := mnemo_end_compaction(v_hold.context_id, v_hold.holder);
          IF next_run_id IS NOT NULL THEN RETURN NEXT; END IF;
        END LOOP;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION mnemo_sweep_compaction_holds()');
    await queryRunner.query('DROP FUNCTION mnemo_end_compaction(text, text)');
    await queryRunner.query('DROP FUNCTION mnemo_begin_compaction(text, text, text, integer)');
    await queryRunner.query(this.admitRun(false));
    await queryRunner.query(
      this.finalizeRun(`UPDATE runs SET dispatched = true WHERE id = (
          SELECT w.id FROM runs w
           WHERE w.agent_id = v_agent AND w.conversation_id IS NOT DISTINCT FROM v_conversation AND w.status = 'created' AND NOT w.dispatched
             AND NOT EXISTS (SELECT 1 FROM runs a WHERE a.agent_id = v_agent AND a.conversation_id IS NOT DISTINCT FROM v_conversation
                                AND a.status IN ('created', 'running') AND a.dispatched)
           ORDER BY w.created_at LIMIT 1)
        RETURNING id INTO v_next;`),
    );
    await queryRunner.query('DROP FUNCTION mnemo_dispatch_next(text, text)');
    await queryRunner.query('DROP TABLE "compaction_holds"');
  }

  /** Admission; `holds` makes a held context queue the run as a busy one does with `if_busy = 'queue'`. */
  private admitRun(holds: boolean): string {
    const held = holds
      ? `v_held := EXISTS (SELECT 1 FROM compaction_holds h WHERE h.context_id = COALESCE(p_conversation_id, p_agent_id) AND h.expires_at > now());`
      : '';
    return `
      CREATE OR REPLACE FUNCTION mnemo_admit_run(
        p_id text, p_agent_id text, p_conversation_id text, p_background boolean, p_metadata jsonb,
        p_request_config jsonb, p_request jsonb, p_callback_url text, p_if_busy text, p_worker_id text)
      RETURNS TABLE (outcome text, run_id text) LANGUAGE plpgsql AS $$
      DECLARE v_active text; v_held boolean := false; v_free boolean; v_start boolean;
      BEGIN
        PERFORM 1 FROM agents WHERE id = p_agent_id FOR UPDATE;
        IF NOT FOUND THEN RETURN QUERY SELECT 'no_agent'::text, NULL::text; RETURN; END IF;
        SELECT r.id INTO v_active FROM runs r
         WHERE r.agent_id = p_agent_id AND r.conversation_id IS NOT DISTINCT FROM p_conversation_id AND r.status IN ('created', 'running')
         ORDER BY r.created_at LIMIT 1;
        IF v_active IS NOT NULL AND p_if_busy = 'reject' THEN RETURN QUERY SELECT 'busy'::text, v_active; RETURN; END IF;
        ${held}
        v_free := v_active IS NULL AND NOT v_held;
        v_start := v_free AND p_worker_id IS NOT NULL;
        INSERT INTO runs (id, agent_id, conversation_id, status, background, dispatched, metadata, request_config, request, callback_url,
                          worker_id, started_at)
        VALUES (p_id, p_agent_id, p_conversation_id, CASE WHEN v_start THEN 'running' ELSE 'created' END, p_background, v_free,
                p_metadata, p_request_config, p_request, p_callback_url,
                CASE WHEN v_start THEN p_worker_id END, CASE WHEN v_start THEN now() END);
        RETURN QUERY SELECT CASE WHEN v_start THEN 'started' WHEN v_free THEN 'dispatched' ELSE 'waiting' END, p_id;
      END $$`;
  }

  /** Completion, with `dispatchNext` the statement choosing the run to start next into `v_next`. */
  private finalizeRun(dispatchNext: string): string {
    return `
      CREATE OR REPLACE FUNCTION mnemo_finalize_run(p_run_id text, p_status text, p_stop_reason text, p_metadata jsonb, p_ttft_ns bigint)
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
        ${dispatchNext}
        RETURN QUERY SELECT v_ended, CASE WHEN v_ended THEN v_callback END, v_next;
      END $$`;
  }
}
