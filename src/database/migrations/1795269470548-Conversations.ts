import { MigrationInterface, QueryRunner } from "typeorm";

export class Conversations1795269470548 implements MigrationInterface {
    name = 'Conversations1795269470548'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "conversations" ("id" text NOT NULL, "agent_id" text NOT NULL, "summary" text, "description" text, "model" text, "model_settings" jsonb, "context_window_limit" integer, "last_message_at" TIMESTAMP WITH TIME ZONE, "archived" boolean NOT NULL DEFAULT false, "archived_at" TIMESTAMP WITH TIME ZONE, "hidden" boolean, "memory_version" bigint NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ee34f4f7ced4ec8681f26bf04ef" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "conversations_created_idx" ON "conversations" ("created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "conversations_agent_created_idx" ON "conversations" ("agent_id", "created_at", "id") `);
        await queryRunner.query(`ALTER TABLE "agents" ADD "memory_version" bigint NOT NULL DEFAULT '0'`);
        await queryRunner.query(`CREATE INDEX "messages_conversation_in_context_idx" ON "messages" ("conversation_id", "seq") WHERE in_context`);
        await queryRunner.query(`CREATE INDEX "messages_conversation_seq_idx" ON "messages" ("conversation_id", "seq") `);
        await queryRunner.query(`CREATE INDEX "runs_conversation_created_idx" ON "runs" ("conversation_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "conversations" ADD CONSTRAINT "FK_9f32ead8384a1a92e073a7c006a" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_3bc55a7c3f9ed54b520bb5cfe23" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "runs" ADD CONSTRAINT "FK_80579dca7757ced746debfd28f7" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "runs" DROP CONSTRAINT "FK_80579dca7757ced746debfd28f7"`);
        await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_3bc55a7c3f9ed54b520bb5cfe23"`);
        await queryRunner.query(`ALTER TABLE "conversations" DROP CONSTRAINT "FK_9f32ead8384a1a92e073a7c006a"`);
        await queryRunner.query(`DROP INDEX "public"."runs_conversation_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."messages_conversation_seq_idx"`);
        await queryRunner.query(`DROP INDEX "public"."messages_conversation_in_context_idx"`);
        await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "memory_version"`);
        await queryRunner.query(`DROP INDEX "public"."conversations_agent_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."conversations_created_idx"`);
        await queryRunner.query(`DROP TABLE "conversations"`);
    }

}
