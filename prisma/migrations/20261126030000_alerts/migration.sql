-- Alert e-mails: an outbox of notifications. A failure alert is written in the same transaction
-- that records the workflow's Failed/Error state; the unique (workflow_id, kind) index makes that
-- write idempotent, so a workflow gets exactly one failure e-mail however often it is retried.
-- No foreign key to workflows: the alert (and its delivery record) outlives a workflow deleted
-- by its ttlStrategy.
CREATE TABLE "alerts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workflow_id" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "workflow_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recipients" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "subject" TEXT NOT NULL,
    "body_text" TEXT NOT NULL,
    "body_html" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alerts_workflow_id_kind_key" ON "alerts"("workflow_id", "kind");
CREATE INDEX "alerts_status_next_attempt_at_idx" ON "alerts"("status", "next_attempt_at");
CREATE INDEX "alerts_namespace_created_at_idx" ON "alerts"("namespace", "created_at");
