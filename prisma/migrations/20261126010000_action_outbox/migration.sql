-- Actions the engine decided, written in the same transaction as the state that decided them and
-- deleted once performed, so a crash between the two never loses a pod start, timer or lock.
CREATE TABLE "workflow_actions" (
    "id" BIGSERIAL NOT NULL,
    "workflow_id" UUID NOT NULL,
    "action" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "workflow_actions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "workflow_actions_created_at_idx" ON "workflow_actions"("created_at");
ALTER TABLE "workflow_actions" ADD CONSTRAINT "workflow_actions_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;
