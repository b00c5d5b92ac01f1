/** Notation of the field tables: see argo-types.ts. */
export type TypeExpr = string;
export type ObjectSchema = Readonly<Record<string, TypeExpr>>;

export type Primitive = 'string' | 'bool' | 'int' | 'number' | 'intOrString' | 'anyString' | 'stringMap' | 'json' | 'k8s';

const PRIMITIVES: ReadonlySet<string> = new Set<Primitive>([
  'string',
  'bool',
  'int',
  'number',
  'intOrString',
  'anyString',
  'stringMap',
  'json',
  'k8s',
]);

export type ParsedType =
  | { kind: 'primitive'; name: Primitive }
  | { kind: 'list'; of: TypeExpr }
  | { kind: 'map'; of: TypeExpr }
  | { kind: 'object'; name: string };

export function parseTypeExpr(t: TypeExpr): ParsedType {
  if (t.startsWith('[]')) return { kind: 'list', of: t.slice(2) };
  if (t.startsWith('{}')) return { kind: 'map', of: t.slice(2) };
  if (PRIMITIVES.has(t)) return { kind: 'primitive', name: t as Primitive };
  return { kind: 'object', name: t };
}
