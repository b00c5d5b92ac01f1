export * from './contract/actions.js';
export * from './contract/events.js';
export * from './state/runtime.js';
export { WorkflowReconciler, type ReconcileResult, type EngineSnapshot } from './reconciler.js';
export { simulate, type PodBehaviour, type SimulatedPodResult, type SimulationOptions, type SimulationResult } from './simulation/simulated-run.js';
export { InMemoryLockManager } from './locks/in-memory-lock-manager.js';
export { storeReferencedTemplates, type SnapshotResult } from './templates/snapshot.js';
export * from './operations/index.js';
export { customMetricsOf, type CustomMetricsBatch, type CustomMetricSample, type CustomMetricKind } from './metrics/custom-metrics.js';
