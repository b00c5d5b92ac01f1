-- Worker liveness leases (ADR 0008): a worker renews its row while it lives; the resync re-queues
-- the Running pod executions of a worker whose lease expired and leaves a live worker's alone.
CREATE TABLE "worker_leases" (
    "worker" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "worker_leases_pkey" PRIMARY KEY ("worker")
);
