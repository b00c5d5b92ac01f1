-- Webhooks: registered GitLab/GitHub hooks, every delivery (committed before the HTTP answer,
-- de-duplicated per provider), and WorkflowEventBindings.

CREATE TABLE "webhook_hooks" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "secret_hash" TEXT,
    "secret_ciphertext" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_hooks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_hooks_secret_check" CHECK ("secret_hash" IS NOT NULL OR "secret_ciphertext" IS NOT NULL)
);
CREATE UNIQUE INDEX "webhook_hooks_provider_name_key" ON "webhook_hooks"("provider", "name");

CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "hook_id" UUID,
    "namespace" TEXT NOT NULL,
    "delivery_key" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "repo" TEXT,
    "ref" TEXT,
    "commit_sha" TEXT,
    "headers" JSONB NOT NULL,
    "raw_body" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queued_at" TIMESTAMPTZ(3),
    "outcome" TEXT NOT NULL DEFAULT 'received',
    "reason" TEXT,
    "workflow_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "processed_at" TIMESTAMPTZ(3),
    "replay_of" UUID,
    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "deliveries_provider_delivery_key_key" ON "deliveries"("provider", "delivery_key");
CREATE INDEX "deliveries_namespace_received_at_idx" ON "deliveries"("namespace", "received_at");
CREATE INDEX "deliveries_received_at_idx" ON "deliveries"("received_at");
CREATE INDEX "deliveries_outcome_queued_at_idx" ON "deliveries"("outcome", "queued_at");
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_hook_id_fkey" FOREIGN KEY ("hook_id") REFERENCES "webhook_hooks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "workflow_event_bindings" (
    "id" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "workflow_event_bindings_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "workflow_event_bindings_namespace_name_key" ON "workflow_event_bindings"("namespace", "name");
