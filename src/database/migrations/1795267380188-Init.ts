import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795267380188 implements MigrationInterface {
    name = 'Init1795267380188'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "agents" ("id" text NOT NULL, "name" text NOT NULL, "description" text, "agent_type" text NOT NULL, "system" text NOT NULL, "llm_config" jsonb NOT NULL, "embedding_config" jsonb, "model_settings" jsonb, "compaction_settings" jsonb, "tool_rules" jsonb NOT NULL DEFAULT '[]', "response_format" jsonb, "metadata" jsonb, "message_buffer_autoclear" boolean NOT NULL DEFAULT false, "enable_sleeptime" boolean, "timezone" text NOT NULL DEFAULT 'UTC', "max_files_open" integer, "per_file_view_window_char_limit" integer, "hidden" boolean, "project_id" text, "template_id" text, "base_template_id" text, "last_run_completion" TIMESTAMP WITH TIME ZONE, "last_run_duration_ms" integer, "last_stop_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "agents_name_idx" ON "agents" ("name") `);
        await queryRunner.query(`CREATE INDEX "agents_updated_at_id_idx" ON "agents" ("updated_at", "id") `);
        await queryRunner.query(`CREATE INDEX "agents_created_at_id_idx" ON "agents" ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "agent_tags" ("agent_id" text NOT NULL, "tag" text NOT NULL, CONSTRAINT "PK_92f995375307fbb7042ac252a3e" PRIMARY KEY ("agent_id", "tag"))`);
        await queryRunner.query(`CREATE INDEX "agent_tags_tag_idx" ON "agent_tags" ("tag", "agent_id") `);
        await queryRunner.query(`CREATE TABLE "blocks" ("id" text NOT NULL, "label" text NOT NULL, "value" text NOT NULL, "char_limit" integer NOT NULL DEFAULT '100000', "description" text, "metadata" jsonb NOT NULL DEFAULT '{}', "tags" jsonb NOT NULL DEFAULT '[]', "read_only" boolean NOT NULL DEFAULT false, "hidden" boolean, "is_template" boolean NOT NULL DEFAULT false, "template_name" text, "preserve_on_migration" boolean NOT NULL DEFAULT false, "project_id" text, "owner_agent_id" text, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "blocks_id_label_key" UNIQUE ("id", "label"), CONSTRAINT "PK_8244fa1495c4e9222a01059244b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "blocks_label_idx" ON "blocks" ("label") `);
        await queryRunner.query(`CREATE INDEX "blocks_created_at_id_idx" ON "blocks" ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "agent_blocks" ("agent_id" text NOT NULL, "block_id" text NOT NULL, "block_label" text NOT NULL, CONSTRAINT "agent_blocks_agent_label_key" UNIQUE ("agent_id", "block_label"), CONSTRAINT "PK_f605c7acb5cfd89154c5b64dd6e" PRIMARY KEY ("agent_id", "block_id", "block_label"))`);
        await queryRunner.query(`CREATE INDEX "agent_blocks_block_idx" ON "agent_blocks" ("block_id") `);
        await queryRunner.query(`CREATE TABLE "messages" ("id" text NOT NULL, "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "agent_id" text NOT NULL, "conversation_id" text, "role" text NOT NULL, "content" jsonb NOT NULL DEFAULT '[]', "name" text, "tool_calls" jsonb, "tool_call_id" text, "tool_returns" jsonb, "approvals" jsonb, "step_id" text, "run_id" text, "otid" text, "sender_id" text, "group_id" text, "model" text, "is_err" boolean, "in_context" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_c4378a3eb6c431f6eca96e4c0dd" UNIQUE ("seq"), CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "messages_in_context_idx" ON "messages" ("agent_id", "seq") WHERE in_context`);
        await queryRunner.query(`CREATE INDEX "messages_agent_seq_idx" ON "messages" ("agent_id", "seq") `);
        await queryRunner.query(`CREATE TABLE "tools" ("id" text NOT NULL, "name" text NOT NULL, "tool_type" text NOT NULL DEFAULT 'custom', "description" text, "source_type" text, "source_code" text, "json_schema" jsonb, "args_json_schema" jsonb, "tags" jsonb NOT NULL DEFAULT '[]', "return_char_limit" integer NOT NULL DEFAULT '50000', "pip_requirements" jsonb, "npm_requirements" jsonb, "default_requires_approval" boolean, "enable_parallel_execution" boolean DEFAULT false, "metadata" jsonb, "project_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e23d56734caad471277bad8bf85" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "tools_created_at_id_idx" ON "tools" ("created_at", "id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "tools_name_key" ON "tools" ("name") `);
        await queryRunner.query(`CREATE TABLE "agent_tools" ("agent_id" text NOT NULL, "tool_id" text NOT NULL, CONSTRAINT "PK_e8d4875844d8db55922c4cc5308" PRIMARY KEY ("agent_id", "tool_id"))`);
        await queryRunner.query(`CREATE INDEX "agent_tools_tool_idx" ON "agent_tools" ("tool_id") `);
        await queryRunner.query(`ALTER TABLE "agent_tags" ADD CONSTRAINT "FK_aa0212fd9e851d69b2ddeb913bf" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "agent_blocks" ADD CONSTRAINT "FK_964f23177a5329f2780e1d22392" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "agent_blocks" ADD CONSTRAINT "FK_0bdd5b3c40c73a9bd647fe74b3a" FOREIGN KEY ("block_id", "block_label") REFERENCES "blocks"("id","label") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_80491b9bf9dd087246f6de958c8" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "agent_tools" ADD CONSTRAINT "FK_6cd8d0d6927bc95c8767e44eb79" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "agent_tools" ADD CONSTRAINT "FK_5f5ed36361643858d499d142adb" FOREIGN KEY ("tool_id") REFERENCES "tools"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "agent_tools" DROP CONSTRAINT "FK_5f5ed36361643858d499d142adb"`);
        await queryRunner.query(`ALTER TABLE "agent_tools" DROP CONSTRAINT "FK_6cd8d0d6927bc95c8767e44eb79"`);
        await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_80491b9bf9dd087246f6de958c8"`);
        await queryRunner.query(`ALTER TABLE "agent_blocks" DROP CONSTRAINT "FK_0bdd5b3c40c73a9bd647fe74b3a"`);
        await queryRunner.query(`ALTER TABLE "agent_blocks" DROP CONSTRAINT "FK_964f23177a5329f2780e1d22392"`);
        await queryRunner.query(`ALTER TABLE "agent_tags" DROP CONSTRAINT "FK_aa0212fd9e851d69b2ddeb913bf"`);
        await queryRunner.query(`DROP INDEX "public"."agent_tools_tool_idx"`);
        await queryRunner.query(`DROP TABLE "agent_tools"`);
        await queryRunner.query(`DROP INDEX "public"."tools_name_key"`);
        await queryRunner.query(`DROP INDEX "public"."tools_created_at_id_idx"`);
        await queryRunner.query(`DROP TABLE "tools"`);
        await queryRunner.query(`DROP INDEX "public"."messages_agent_seq_idx"`);
        await queryRunner.query(`DROP INDEX "public"."messages_in_context_idx"`);
        await queryRunner.query(`DROP TABLE "messages"`);
        await queryRunner.query(`DROP INDEX "public"."agent_blocks_block_idx"`);
        await queryRunner.query(`DROP TABLE "agent_blocks"`);
        await queryRunner.query(`DROP INDEX "public"."blocks_created_at_id_idx"`);
        await queryRunner.query(`DROP INDEX "public"."blocks_label_idx"`);
        await queryRunner.query(`DROP TABLE "blocks"`);
        await queryRunner.query(`DROP INDEX "public"."agent_tags_tag_idx"`);
        await queryRunner.query(`DROP TABLE "agent_tags"`);
        await queryRunner.query(`DROP INDEX "public"."agents_created_at_id_idx"`);
        await queryRunner.query(`DROP INDEX "public"."agents_updated_at_id_idx"`);
        await queryRunner.query(`DROP INDEX "public"."agents_name_idx"`);
        await queryRunner.query(`DROP TABLE "agents"`);
    }

}
