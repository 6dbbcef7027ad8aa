import { MigrationInterface, QueryRunner } from "typeorm";

export class Runs1795268825540 implements MigrationInterface {
    name = 'Runs1795268825540'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "runs" ("id" text NOT NULL, "agent_id" text NOT NULL, "conversation_id" text, "status" text NOT NULL DEFAULT 'created', "stop_reason" text, "background" boolean NOT NULL DEFAULT false, "dispatched" boolean NOT NULL DEFAULT true, "metadata" jsonb NOT NULL DEFAULT '{}', "request_config" jsonb, "request" jsonb NOT NULL, "callback_url" text, "callback_sent_at" TIMESTAMP WITH TIME ZONE, "callback_status_code" integer, "callback_error" text, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "ttft_ns" bigint, "total_duration_ns" bigint, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_46d6a1e257c38ba58f1a3c30836" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "runs_active_idx" ON "runs" ("agent_id", "created_at") WHERE status IN ('created', 'running')`);
        await queryRunner.query(`CREATE INDEX "runs_agent_created_at_idx" ON "runs" ("agent_id", "created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "runs_created_at_id_idx" ON "runs" ("created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "messages_run_seq_idx" ON "messages" ("run_id", "seq") `);
        await queryRunner.query(`CREATE INDEX "steps_run_idx" ON "steps" ("run_id") `);
        await queryRunner.query(`ALTER TABLE "runs" ADD CONSTRAINT "FK_6a6f27e29e9f0d28f783d994416" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "runs" DROP CONSTRAINT "FK_6a6f27e29e9f0d28f783d994416"`);
        await queryRunner.query(`DROP INDEX "public"."steps_run_idx"`);
        await queryRunner.query(`DROP INDEX "public"."messages_run_seq_idx"`);
        await queryRunner.query(`DROP INDEX "public"."runs_created_at_id_idx"`);
        await queryRunner.query(`DROP INDEX "public"."runs_agent_created_at_idx"`);
        await queryRunner.query(`DROP INDEX "public"."runs_active_idx"`);
        await queryRunner.query(`DROP TABLE "runs"`);
    }

}
