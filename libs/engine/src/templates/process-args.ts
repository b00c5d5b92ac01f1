/**
 * Binding a call's arguments to a template's inputs and substituting the template
 * (Argo's common.ProcessArgs + SubstituteParams): first global and local variables, then inputs.
 */
import { MapScope, NIL, type Arguments, type Parameter, type Scope, type Template } from '@slipway/workflow';
import { substituteLenient } from '../scope/expressions.js';

/** Marks an argument whose value came from an absent optional (a skipped node's output without default). */
export const ABSENT = '__slipway_absent_optional__';

export class ArgumentError extends Error {}

export function processArgs(template: Template, args: Arguments | undefined, globals: Scope, local: Map<string, string>): Template {
  // substituteParams copies the whole template; only the inputs are changed before that.
  const tmpl = withOwnInputs(template);
  for (const inParam of tmpl.inputs?.parameters ?? []) {
    if (inParam.value === undefined && inParam.default !== undefined) inParam.value = String(inParam.default);
    const arg = args?.parameters?.find((p) => p.name === inParam.name);
    if (arg?.value === ABSENT) {
      if (inParam.value === undefined && !inParam.valueFrom) {
        throw new ArgumentError(
          `inputs.parameters.${inParam.name}: argument references an absent optional (skipped/omitted node output with no default)`,
        );
      }
    } else if (arg && arg.value !== undefined && arg.value !== null) {
      inParam.value = String(arg.value);
    }
    if (inParam.value !== undefined) inParam.value = String(inParam.value);
    if (inParam.valueFrom?.configMapKeyRef && inParam.value === undefined) {
      throw new ArgumentError(
        `inputs.parameters.${inParam.name}: valueFrom.configMapKeyRef needs a ConfigMap, which this engine cannot read; pass the value as an argument`,
      );
    }
  }
  const inArtifacts = tmpl.inputs?.artifacts ?? [];
  for (let i = 0; i < inArtifacts.length; i++) {
    const inArt = inArtifacts[i];
    const arg = args?.artifacts?.find((a) => a.name === inArt.name);
    if (arg) inArtifacts[i] = { ...arg, path: inArt.path, mode: inArt.mode };
    else if (!inArt.optional && !hasLocation(inArt)) {
      throw new ArgumentError(`inputs.artifacts.${inArt.name} was not supplied`);
    }
  }
  return substituteParams(tmpl, globals, local);
}

/** A shallow copy of the template whose input parameters and artifacts may be changed in place. */
function withOwnInputs(template: Template): Template {
  const inputs = template.inputs;
  if (!inputs) return template;
  return {
    ...template,
    inputs: {
      ...inputs,
      ...(inputs.parameters ? { parameters: inputs.parameters.map((p) => ({ ...p })) } : {}),
      ...(inputs.artifacts ? { artifacts: inputs.artifacts.slice() } : {}),
    },
  };
}

function hasLocation(a: Record<string, unknown>): boolean {
  return ['raw', 'git', 'http', 's3', 'gcs', 'hdfs', 'oss', 'artifactory', 'azure', 'plugin'].some((k) => a[k] !== undefined);
}

export function substituteParams(template: Template, globals: Scope, local: Map<string, string>): Template {
  const first = new MapScope(new Map(local), globals);
  const t1 = substituteLenient(template, first);
  const second = new MapScope(new Map<string, string | typeof NIL>(), first);
  for (const p of t1.inputs?.parameters ?? []) {
    if (p.value === undefined && !p.valueFrom) throw new ArgumentError(`inputs.parameters.${p.name} was not supplied`);
    if (p.value !== undefined) second.set(`inputs.parameters.${p.name}`, String(p.value));
  }
  second.set('inputs.parameters', JSON.stringify(t1.inputs?.parameters ?? []));
  for (const a of t1.inputs?.artifacts ?? []) if (a.path) second.set(`inputs.artifacts.${a.name}.path`, a.path);
  for (const a of t1.outputs?.artifacts ?? []) if (a.path) second.set(`outputs.artifacts.${a.name}.path`, a.path);
  for (const p of t1.outputs?.parameters ?? []) {
    if (p.valueFrom?.path) second.set(`outputs.parameters.${p.name}.path`, p.valueFrom.path);
  }
  return substituteLenient(t1, second);
}

/** Parameters as recorded on a node (`inputs.parameters` with values). */
export function nodeInputs(t: Template): { parameters?: { name: string; value?: string }[] } | undefined {
  const params = t.inputs?.parameters;
  if (!params || params.length === 0) return undefined;
  return { parameters: params.map((p: Parameter) => (p.value === undefined ? { name: p.name } : { name: p.name, value: p.value })) };
}
