/** Bodies of the template endpoints. */
import { z } from 'zod';
import { jsonSchema, type OpenApiSchema } from '../workflows/workflow-schemas.js';

export const rollbackBody = z.looseObject({ revision: z.coerce.number().int().min(1) });

export const templateSchemas = {
  rollback: jsonSchema(rollbackBody),
  template: {
    type: 'object',
    properties: { template: { type: 'object', description: 'A WorkflowTemplate / ClusterWorkflowTemplate; or send the bare document as application/yaml' } },
    required: ['template'],
  } as OpenApiSchema,
};

/** `Accept: text/plain` (or text/x-diff) asks for the bare diff instead of JSON. */
export function wantsText(accept: string | undefined): boolean {
  const a = (accept ?? '').toLowerCase();
  return (a.includes('text/plain') || a.includes('text/x-diff')) && !a.includes('application/json');
}
