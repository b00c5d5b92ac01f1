/** WorkflowEventBindings for tests: Argo's examples (from shared/argo-examples) and Slipway-style ones. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYamlDocuments, type WorkflowEventBinding } from '@slipway/workflow';

const CANDIDATES = [
  process.env.ARGO_EXAMPLES_DIR,
  resolve(import.meta.dirname, '../../../../../shared/argo-examples'),
  '/work/shared/argo-examples',
].filter((d): d is string => !!d);

export function argoExampleDir(): string {
  const dir = CANDIDATES.find((d) => existsSync(join(d, 'examples/workflow-event-binding')));
  if (!dir) throw new Error(`Argo examples not found (looked in ${CANDIDATES.join(', ')}; set ARGO_EXAMPLES_DIR)`);
  return join(dir, 'examples/workflow-event-binding');
}

export function argoExampleText(file: string): string {
  return readFileSync(join(argoExampleDir(), file), 'utf8');
}

export function bindingFromYaml(text: string, namespace = 'shop'): WorkflowEventBinding {
  const doc = parseYamlDocuments(text, 'binding.yaml').documents[0];
  const b = doc.object as unknown as WorkflowEventBinding;
  return { ...b, metadata: { ...b.metadata, namespace } };
}

/** A GitLab push binding the way the java-compile-build-deploy example uses one. */
export const GITLAB_PUSH_BINDING = `
apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: orders-push
spec:
  event:
    selector: metadata["x-gitlab-event"] == ["Push Hook"] && payload.project.path_with_namespace == "shop/orders"
  submit:
    workflowTemplateRef:
      name: java-compile-build-deploy
    arguments:
      parameters:
        - name: repo
          valueFrom:
            event: payload.project.git_http_url
        - name: branch
          valueFrom:
            event: trimPrefix(payload.ref, "refs/heads/")
        - name: revision
          valueFrom:
            event: payload.checkout_sha
  slipway:
    hook: shop-gitlab
    branches: [main, "release/*"]
    concurrency:
      key: "{{payload.project.path_with_namespace}}/{{payload.ref}}"
      cancelInProgress: true
    alerts:
      to: [team-orders@example.com]
    parameters:
      repo:
        # ':' is not in the default safe pattern; allow exactly the URLs this project uses
        safePattern: 'https://gitlab\\.example\\.com/[A-Za-z0-9._/-]+\\.git'
`;
