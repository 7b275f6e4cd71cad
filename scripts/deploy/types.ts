// The shapes shared by the per-host deploy engine, the fleet orchestrator and the CLI.
// Plain data only, so that deploy plans and verdicts stay pure functions over it.

/** One health check, run after activation; `[]` in the inventory turns checks off. */
export type HealthCheck =
  /** `systemctl is-system-running` (running or degraded-free) and no failed units, over SSH. */
  | { type: 'systemd' }
  /** An HTTP GET from the deployer to `http://<address>:<port><path>`. */
  | { type: 'http'; port: number; path: string; expectStatus?: number; timeoutSeconds?: number }
  /** A command run on the target over SSH; exit 0 means healthy. */
  | { type: 'command'; run: string; timeoutSeconds?: number };

/** Everything needed to reach and change one host (inventory entry with defaults applied). */
export interface DeployTarget {
  name: string;
  address: string;
  sshUser?: string;
  sshPort?: number;
  /** Extra `ssh -o` options, e.g. `StrictHostKeyChecking=yes`, `UserKnownHostsFile=…`. */
  sshOptions?: string[];
  role?: string;
  tags?: string[];
  health: HealthCheck[];
  /** The system profile to set (default /nix/var/nix/profiles/system). */
  profile: string;
  /** The link to the running system (default /run/current-system). */
  currentSystem: string;
}

export type DeployMode = 'switch' | 'boot' | 'test';

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
}
