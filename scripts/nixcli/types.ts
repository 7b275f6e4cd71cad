// The shapes the nixcli adapter hands to commands: one result per host, events while it works.

export type HostStatus = 'ok' | 'eval-error' | 'build-error';

/** Why a host failed, beyond the status. */
export type FailureCause = 'nix-error' | 'timeout' | 'killed' | 'out-of-memory' | 'build-failed';

/**
 * One host, as `tappaas eval --json` prints it. The first five keys are the contract
 * (ARCHITECTURE.md); the rest are additions.
 */
export interface HostResult {
  name: string;
  status: HostStatus;
  drvPath: string | null;
  outPath: string | null;
  /** Trimmed error: `file:line: message`, the code Nix showed, a few frames. */
  error: string | null;
  /** The failing place, repo-relative, when known. */
  file?: string;
  line?: number;
  column?: number;
  /** The error's message alone (one line). */
  message?: string;
  cause?: FailureCause;
  /** Milliseconds evaluating this host (the first host of a process also carries the shared work). */
  evalMs?: number;
  buildMs?: number;
}

export type EvalEvent =
  | { type: 'eval-start'; host: string }
  | { type: 'evaluated'; result: HostResult }
  | { type: 'build-start'; host: string }
  | { type: 'built'; result: HostResult }
  /** A Nix process started for these hosts (a batch), or was restarted for the rest. */
  | { type: 'process'; hosts: string[]; reason: 'batch' | 'restart' | 'isolate' | 'memory' };

/** How commands point the adapter at a flake and a Nix. */
export interface NixCallOptions {
  /** Added to Nix's environment (tests: NIX_CONFIG for offline runs). */
  env?: Record<string, string>;
  /** Extra Nix arguments for every call, e.g. `--option substituters ''`. */
  extraArgs?: string[];
  /** Program instead of `nix` from PATH. */
  program?: string;
  signal?: AbortSignal;
}
