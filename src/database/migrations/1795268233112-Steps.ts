import { MigrationInterface, QueryRunner } from "typeorm";

export class Steps1795268233112 implements MigrationInterface {
    name = 'Steps1795268233112'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "steps" ("id" text NOT NULL, "agent_id" text NOT NULL, "run_id" text, "provider_name" text, "provider_category" text, "model" text, "model_handle" text, "model_endpoint" text, "context_window_limit" integer, "prompt_tokens" integer NOT NULL DEFAULT '0', "completion_tokens" integer NOT NULL DEFAULT '0', "total_tokens" integer NOT NULL DEFAULT '0', "cached_input_tokens" integer, "cache_write_tokens" integer, "reasoning_tokens" integer, "stop_reason" text, "status" text NOT NULL DEFAULT 'pending', "error_type" text, "error_data" jsonb, "feedback" text, "tags" jsonb NOT NULL DEFAULT '[]', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_65f86ac8996204d11f915f66a5b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "steps_agent_created_at_idx" ON "steps" ("agent_id", "created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "steps_created_at_id_idx" ON "steps" ("created_at", "id") `);
        await queryRunner.query(`ALTER TABLE "messages" ADD "search_text" text NOT NULL DEFAULT ''`);
        await queryRunner.query(`CREATE INDEX "messages_step_idx" ON "messages" ("step_id") `);
        // Full-text search of the history (conversation_search); kept out of the entity because TypeORM cannot express it.
        await queryRunner.query(`CREATE INDEX "messages_search_idx" ON "messages" USING gin (to_tsvector('simple', "search_text"))`);
        await queryRunner.query(`ALTER TABLE "steps" ADD CONSTRAINT "FK_5c6b1e6435e173396678db3bb34" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "steps" DROP CONSTRAINT "FK_5c6b1e6435e173396678db3bb34"`);
        await queryRunner.query(`DROP INDEX "public"."messages_search_idx"`);
        await queryRunner.query(`DROP INDEX "public"."messages_step_idx"`);
        await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "search_text"`);
        await queryRunner.query(`DROP INDEX "public"."steps_created_at_id_idx"`);
        await queryRunner.query(`DROP INDEX "public"."steps_agent_created_at_idx"`);
        await queryRunner.query(`DROP TABLE "steps"`);
    }

}
