/** Request bodies of the workflow endpoints (Argo Server's field names; extra fields such as `name` are ignored). */
import type { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** The schema type @ApiBody takes. */
export type OpenApiSchema = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

export const jsonSchema = (schema: z.ZodType): OpenApiSchema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as OpenApiSchema;

const text = z.string().optional();

export const stopBody = z.looseObject({ nodeFieldSelector: text, message: text });
export const resumeBody = z.looseObject({ nodeFieldSelector: text });
export const setBody = z.looseObject({ nodeFieldSelector: text, outputParameters: text, phase: text, message: text });
export const retryBody = z.looseObject({
  nodeFieldSelector: text,
  restartSuccessful: z.boolean().optional(),
  parameters: z.array(z.string()).optional(),
});
export const resubmitBody = z.looseObject({ memoized: z.boolean().optional(), parameters: z.array(z.string()).optional() });

const keyValues = z.union([z.string(), z.record(z.string(), z.string())]).optional();

export const submitBody = z.looseObject({
  resourceKind: z.enum(['WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow']),
  resourceName: z.string().min(1),
  submitOptions: z
    .looseObject({
      parameters: z.array(z.string()).optional(),
      generateName: text,
      name: text,
      entryPoint: text,
      labels: keyValues,
      annotations: keyValues,
      serverDryRun: z.boolean().optional(),
    })
    .optional(),
});

/** JSON schemas for the OpenAPI document. */
export const schemas = {
  stop: jsonSchema(stopBody),
  resume: jsonSchema(resumeBody),
  set: jsonSchema(setBody),
  retry: jsonSchema(retryBody),
  resubmit: jsonSchema(resubmitBody),
  submit: jsonSchema(submitBody),
  workflowCreate: {
    type: 'object',
    properties: { workflow: { type: 'object', description: 'An Argo Workflow (JSON); or send the bare document as application/yaml' }, serverDryRun: { type: 'boolean' } },
    required: ['workflow'],
  } as OpenApiSchema,
};
