-- Slipway's initial schema (hand-written; applied by libs/persistence's migration runner exactly as
-- `prisma migrate deploy` would).

CREATE TABLE "workflows" (
    "id" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "message" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "manifest" JSONB NOT NULL,
    "status" JSONB NOT NULL DEFAULT '{}',
    "runtime" JSONB NOT NULL DEFAULT '{}',
    "template_revision_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "delete_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "workflows_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "workflows_namespace_name_key" ON "workflows"("namespace", "name");
CREATE INDEX "workflows_namespace_phase_idx" ON "workflows"("namespace", "phase");
CREATE INDEX "workflows_delete_at_idx" ON "workflows"("delete_at");

CREATE TABLE "nodes" (
    "workflow_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "status" JSONB NOT NULL,
    "runtime" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "nodes_pkey" PRIMARY KEY ("workflow_id", "node_id")
);
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "workflow_events" (
    "id" BIGSERIAL NOT NULL,
    "workflow_id" UUID NOT NULL,
    "event" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "workflow_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "workflow_events_workflow_id_id_idx" ON "workflow_events"("workflow_id", "id");
ALTER TABLE "workflow_events" ADD CONSTRAINT "workflow_events_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "pod_executions" (
    "workflow_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "pod_name" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "result" JSONB,
    "worker" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "pod_executions_pkey" PRIMARY KEY ("workflow_id", "node_id")
);
CREATE INDEX "pod_executions_state_idx" ON "pod_executions"("state");
ALTER TABLE "pod_executions" ADD CONSTRAINT "pod_executions_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "timers" (
    "workflow_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "fire_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "timers_pkey" PRIMARY KEY ("workflow_id", "key")
);
CREATE INDEX "timers_fire_at_idx" ON "timers"("fire_at");

CREATE TABLE "log_chunks" (
    "id" BIGSERIAL NOT NULL,
    "workflow_id" UUID NOT NULL,
    "pod_name" TEXT NOT NULL,
    "container" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "log_chunks_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "log_chunks_workflow_id_pod_name_id_idx" ON "log_chunks"("workflow_id", "pod_name", "id");

CREATE TABLE "templates" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "current_revision" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "templates_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "templates_kind_namespace_name_key" ON "templates"("kind", "namespace", "name");

CREATE TABLE "template_revisions" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "manifest" JSONB NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "template_revisions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "template_revisions_template_id_revision_key" ON "template_revisions"("template_id", "revision");
ALTER TABLE "template_revisions" ADD CONSTRAINT "template_revisions_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "cron_workflows" (
    "id" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "suspended" BOOLEAN NOT NULL DEFAULT false,
    "last_scheduled_time" TIMESTAMPTZ(3),
    "next_run_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "cron_workflows_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "cron_workflows_namespace_name_key" ON "cron_workflows"("namespace", "name");
CREATE INDEX "cron_workflows_next_run_at_idx" ON "cron_workflows"("next_run_at");

CREATE TABLE "lock_holders" (
    "key" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "workflow_id" UUID NOT NULL,
    "granted" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lock_holders_pkey" PRIMARY KEY ("key", "holder")
);
CREATE INDEX "lock_holders_key_granted_created_at_idx" ON "lock_holders"("key", "granted", "created_at");

CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "namespaces" TEXT[],
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "namespace" TEXT,
    "resource" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_created_at_idx" ON "audit_events"("created_at");
