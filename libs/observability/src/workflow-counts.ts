/** `slipway_workflows` from PostgreSQL: one grouped count over the workflows table. */
import type { WorkflowCount } from './metrics.js';

/** The one Prisma method used (kept structural so this package does not depend on Prisma). */
export interface RawQueryClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export function workflowCounts(db: RawQueryClient): () => Promise<WorkflowCount[]> {
  return async () => {
    const rows = await db.$queryRawUnsafe<{ namespace: string; phase: string; count: bigint | number }[]>(
      'SELECT namespace, phase, count(*) AS count FROM workflows GROUP BY namespace, phase',
    );
    return rows.map((r) => ({ namespace: r.namespace, phase: r.phase, count: Number(r.count) }));
  };
}
