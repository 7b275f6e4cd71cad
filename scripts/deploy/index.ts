// The per-host deploy engine's public surface, for the fleet orchestrator and the CLI.

export { ProbeError, readCurrentSystem } from './current-system.js';
export type { ProbeFacts } from './decide.js';
export { type DeployJob, deployHost, deployTo } from './deploy-host.js';
export { runHealthChecks } from './health.js';
export { DEFAULTS as DEPLOY_DEFAULTS } from './host-run.js';
export { type RollbackOptions, rollbackHost, rollbackOn } from './rollback-host.js';
export { SshHost } from './ssh-host.js';
export type { TargetHost } from './target-host.js';
export type * from './types.js';
