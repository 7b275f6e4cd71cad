// The per-host deploy engine's public surface, for the fleet orchestrator and the CLI.

export { ProbeError, readCurrentSystem } from './current-system.js';
export type { ProbeFacts } from './decide.js';
export { DEFAULTS as DEPLOY_DEFAULTS, deployHost } from './deploy-host.js';
export { runHealthChecks } from './health.js';
export { type RollbackOptions, rollbackHost } from './rollback-host.js';
export type * from './types.js';
