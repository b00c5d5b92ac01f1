/** Loading the bundled example WorkflowTemplates at start-up: created when missing, never overwritten. */
import { TemplateRepository, TemplateExistsError, type PrismaClient } from '@slipway/persistence';
import { lintDocuments, parseYamlDocuments, type WorkflowTemplate } from '@slipway/workflow';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface ExampleLoadReport {
  created: string[];
  existing: string[];
  /** `file: message` for documents that were not loaded. */
  problems: string[];
}

export async function loadExampleTemplates(prisma: PrismaClient, dir: string, defaultNamespace: string): Promise<ExampleLoadReport> {
  const report: ExampleLoadReport = { created: [], existing: [], problems: [] };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return report;
  const repo = new TemplateRepository(prisma);
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort();
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const parsed = parseYamlDocuments(text, file);
    const docs = parsed.documents.filter((d) => d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate');
    const errors = [...parsed.diagnostics, ...lintDocuments(docs)].filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      report.problems.push(...errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.path ? `${e.path}: ` : ''}${e.message}`));
      continue;
    }
    for (const doc of docs) {
      const template = structuredClone(doc.object) as unknown as WorkflowTemplate;
      const kind = template.kind;
      const name = template.metadata.name ?? '';
      const namespace = kind === 'ClusterWorkflowTemplate' ? '' : (template.metadata.namespace ?? defaultNamespace);
      template.metadata = { ...template.metadata, ...(namespace ? { namespace } : {}) };
      const source = docs.length === 1 ? text : stringify(doc.object);
      try {
        await repo.create(kind, namespace, name, { manifest: template, source, createdBy: 'examples' });
        report.created.push(`${kind}/${namespace ? `${namespace}/` : ''}${name}`);
      } catch (err) {
        if (!(err instanceof TemplateExistsError)) throw err;
        report.existing.push(`${kind}/${namespace ? `${namespace}/` : ''}${name}`);
      }
    }
  }
  return report;
}
