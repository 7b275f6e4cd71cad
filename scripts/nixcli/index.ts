// The nixcli adapter: every call of the `nix` CLI the toolkit makes (Nix 2.8 and current).
export { buildHost, buildHosts, nixVersion } from './build.js';
export { type DiffClosures, diffClosures } from './closures.js';
export { type TrimmedNixError, trimNixError } from './errors.js';
export { evaluateWithEvalJobs, nixEvalJobsAvailable } from './eval-jobs.js';
export { type EvaluateOptions, evaluateHosts } from './evaluate.js';
export { type FlakeRef, localFlake } from './flake.js';
export { FlakeError, listHosts } from './hosts.js';
export { NixMissingError, type RunNixOptions, type RunNixResult, runNix } from './run.js';
export type { EvalEvent, FailureCause, HostResult, HostStatus, NixCallOptions } from './types.js';
