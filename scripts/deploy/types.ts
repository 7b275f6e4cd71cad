// The shapes shared by the per-host deploy engine, the fleet orchestrator and the CLI.
// Plain data only, so that deploy plans and verdicts stay pure functions over it.
import type { DeployMode, HealthCheck } from '../config/types.js';
import type { SshEndpoint } from '../ssh/args.js';

/** tappaas.json's own shapes (config/types.ts), under the names the deploy code uses. */
export type { DeployMode, HealthCheck };

/** Everything needed to reach and change one host (inventory entry with defaults applied). */
export interface DeployTarget extends SshEndpoint {
  role?: string;
  tags?: string[];
  health: HealthCheck[];
  /** The system profile to set (default /nix/var/nix/profiles/system). */
  profile: string;
  /** The link to the running system (default /run/current-system). */
  currentSystem: string;
  /** Where the target-side agent keeps its run directories (default /run/tappaas-deploy). */
  stateDir?: string;
}

export type HostStatus = 'deployed' | 'unchanged' | 'failed' | 'rolled-back' | 'skipped';

/** One host's result, as the `deploy --json` contract prints it (plus optional detail). */
export interface HostResult {
  name: string;
  status: HostStatus;
  /** The toplevel that ran before (absent when unknown). */
  from?: string;
  /** The toplevel asked for. */
  to?: string;
  error?: string;
  /** The phase that failed, e.g. `preflight`, `copy`, `activate`, `confirm`, `health`, `rollback`. */
  phase?: string;
  durationMs?: number;
  /** The phases the host went through, in order (e.g. preflight, read, copy, activate, …). */
  phases?: string[];
  /** How the target started the agent: a transient systemd unit or setsid/nohup. */
  launcher?: 'systemd-run' | 'nohup';
  /** The target-side run id (its state lives in `<stateDir>/<runId>` on the target). */
  runId?: string;
}

export interface HostDeployRequest {
  target: DeployTarget;
  /** The toplevel out path to deploy, already built in the local store. */
  toplevel: string;
  mode: DeployMode;
  /** How long the target waits for confirmation before it rolls itself back. */
  confirmTimeoutSeconds: number;
  /** Called as the host moves from phase to phase (for progress lines). */
  onPhase?: (phase: string) => void;
  /** How long health checks may keep failing after activation before they count (default 30). */
  healthGraceSeconds?: number;
  /** How long switch-to-configuration may run before the deployer gives up waiting (default 600). */
  activationTimeoutSeconds?: number;
  /** ssh ConnectTimeout (default 10). */
  connectTimeoutSeconds?: number;
  /** Limit for `nix copy` (default 1800). */
  copyTimeoutSeconds?: number;
  /** The target-side run id; default a fresh `<utc time>-<random>`. */
  runId?: string;
  /**
   * What the host runs, read moments ago under the fleet's per-host lock (on the lock's own
   * connection); when given, the engine does not open a connection to read it again.
   */
  preflight?: { current?: string; profile?: string; systemd: boolean };
  /** The fleet lock's connection master (see HostLock): sessions share it, except the confirmation. */
  controlPath?: string;
}
