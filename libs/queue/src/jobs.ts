/**
 * The typed job catalogue: every queue, its job names and payloads. Payloads carry ids only;
 * PostgreSQL holds the state (Redis is the doorbell).
 */
export const QUEUE_NAMES = {
  reconcile: 'reconcile',
  pods: 'pods',
  timers: 'timers',
  maintenance: 'maintenance',
  deliveries: 'deliveries',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export interface JobPayloads {
  /** Apply a workflow's pending inbox events and advance it. */
  reconcile: { workflowId: string };
  /** Run (or adopt) the pod of one node. Job id `pod.<workflowId>.<nodeId>`. */
  pod: { workflowId: string; nodeId: string };
  /** A WakeAt came due. Job id `timer.<workflowId>.<key>.<at>`. */
  timer: { workflowId: string; key: string; at: number };
  /** Periodic housekeeping: resync lost work, TTL deletion, cron schedules. */
  maintenance: { task: 'resync' | 'ttl' | 'cron' };
  /** Process a stored webhook delivery (claim, match bindings, submit). Job id `delivery.<deliveryId>`. */
  delivery: { deliveryId: string };
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: Record<JobName, QueueName> = {
  reconcile: QUEUE_NAMES.reconcile,
  pod: QUEUE_NAMES.pods,
  timer: QUEUE_NAMES.timers,
  maintenance: QUEUE_NAMES.maintenance,
  delivery: QUEUE_NAMES.deliveries,
};

// BullMQ rejects custom ids with ':' (unless in exactly three parts), so ids use '.' instead.
export function podJobId(workflowId: string, nodeId: string): string {
  return `pod.${workflowId}.${nodeId.replace(/:/g, '_')}`;
}

export function timerJobId(workflowId: string, key: string, at: number): string {
  return `timer.${workflowId}.${key.replace(/:/g, '_')}.${at}`;
}
