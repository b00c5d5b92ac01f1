/** Validating request bodies and parameters with zod; errors name the field. */
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { Request } from 'express';
import { z, type ZodType } from 'zod';
import { invalid } from './api-error.js';
import { bodyValue } from './body.js';

export function validate<T>(schema: ZodType<T>, value: unknown, where = 'body'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? `${where}.${issue.path.map(String).join('.')}` : where;
    return `${path}: ${issue.message}`;
  });
  throw invalid(problems.join('; '), result.error.issues.map((i) => ({ field: [where, ...i.path.map(String)].join('.'), message: i.message })));
}

/** The request body, validated. */
export function validBody<T>(req: Request, schema: ZodType<T>): T {
  return validate(schema, bodyValue(req));
}

/** Kubernetes names (DNS-1123 subdomain) for namespaces and resource names in paths. */
export const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS-1123 name');

export function validName(value: string, field: string): string {
  return validate(k8sName, value, field);
}

/** A positive integer from a path or query parameter. */
export function positiveInt(value: string | undefined, field: string): number {
  return validate(z.coerce.number().int().min(1), value, field);
}

/** The first value of a query parameter (Express gives arrays for repeats). */
export function queryString(req: Request, key: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[key];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable query parameter, also split on commas. */
export function queryList(req: Request, key: string): string[] {
  const v = (req.query as Record<string, unknown>)[key];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

export function queryBool(req: Request, key: string): boolean {
  const v = queryString(req, key);
  return v === 'true' || v === '1';
}

/** A path parameter as a string (Express 5 types wildcards as arrays). */
export function pathParam(req: Request, key: string): string | undefined {
  const v = (req.params as Record<string, string | string[] | undefined>)[key];
  return Array.isArray(v) ? v.join('/') : v;
}

/** Path parameters that are Kubernetes names: `@Param('name', NamePipe)`; errors name the parameter. */
@Injectable()
export class NamePipe implements PipeTransform<string, string> {
  transform(value: string, meta: ArgumentMetadata): string {
    return validName(value, meta.data ?? 'name');
  }
}
