// `tappaas status`: each host's running system against what the repository builds for it.
export type DriftStatus = 'in-sync' | 'drift' | 'unreachable' | 'unknown';

export interface HostDrift {
  name: string;
  status: DriftStatus;
  /** The running system, when the host answered. */
  running?: string;
  /** The toplevel the checked revision builds, when it evaluated. */
  expected?: string;
  /** The commit of refs/deployed/<host>, when recorded. */
  deployedCommit?: string;
  error?: string;
}

export interface DriftInput {
  name: string;
  running?: string;
  runningError?: string;
  expected?: string;
  expectedError?: string;
  deployedCommit?: string;
}

/** Unreachable wins over unknown: we cannot compare without the running system. */
export function driftOf(h: DriftInput): HostDrift {
  const out: HostDrift = { name: h.name, status: 'in-sync' };
  if (h.running !== undefined) out.running = h.running;
  if (h.expected !== undefined) out.expected = h.expected;
  if (h.deployedCommit !== undefined) out.deployedCommit = h.deployedCommit;
  if (h.running === undefined) {
    out.status = 'unreachable';
    out.error = h.runningError ?? 'the running system could not be read';
  } else if (h.expected === undefined) {
    out.status = 'unknown';
    out.error = h.expectedError ?? 'the toplevel could not be evaluated';
  } else if (h.running !== h.expected) out.status = 'drift';
  return out;
}

export function driftExitCode(hosts: readonly HostDrift[]): 0 | 1 {
  return hosts.every((h) => h.status === 'in-sync') ? 0 : 1;
}
