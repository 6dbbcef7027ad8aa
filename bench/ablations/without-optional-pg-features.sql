-- What every optional part of the schema on a turn's path costs: run on a build's database by `npm run bench:ab`
-- (copy it into the build as ablation.sql). Drops the foreign keys of the rows a turn writes and every index of
-- theirs that no step of a turn reads: the full-text index (conversation_search), the listings of runs, steps and a
-- run's messages. Left: primary keys, the context window's indexes, the active-run index admission reads.
ALTER TABLE messages DROP CONSTRAINT "FK_3bc55a7c3f9ed54b520bb5cfe23", DROP CONSTRAINT "FK_80491b9bf9dd087246f6de958c8";
ALTER TABLE steps DROP CONSTRAINT "FK_5c6b1e6435e173396678db3bb34";
ALTER TABLE runs DROP CONSTRAINT "FK_6a6f27e29e9f0d28f783d994416", DROP CONSTRAINT "FK_80579dca7757ced746debfd28f7";
DROP INDEX messages_search_idx, messages_run_seq_idx, messages_step_idx;
DROP INDEX steps_agent_created_at_idx, steps_created_at_id_idx, steps_run_idx;
DROP INDEX runs_created_at_id_idx, runs_agent_created_at_idx, runs_conversation_created_idx;
