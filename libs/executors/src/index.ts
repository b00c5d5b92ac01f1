export * from './port.js';
export { LocalExecutor, BWRAP_MISSING_WARNING, isBwrapUsable, type LocalExecutorOptions } from './local/local-executor.js';
export { KubernetesExecutor, type KubernetesExecutorOptions } from './kubernetes/kubernetes-executor.js';
export { buildPodManifest, claimManifests, needsWrapper, type KubePodRequest, type PodDefaults } from './kubernetes/pod-manifest.js';
export { workflowPodDefaults } from './kubernetes/workflow-pod-fields.js';
