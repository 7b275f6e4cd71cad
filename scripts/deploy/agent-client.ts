// The deployer's side of the target agent: start it detached, then follow its state over SSH
// sessions that long-poll (on the fleet lock's shared connection when there is one; the
// confirmation always over a fresh connection), riding out dropped connections until a deadline.
import { randomBytes } from 'node:crypto';
import { SshError, type SshRunOptions, sshExec } from '../ssh/run.js';
import { AGENT_SCRIPT } from './agent-script.js';
import { type AgentStatus, parseAgentStatus, parseKeyValues } from './decide.js';
import {
  type AgentCommand,
  confirmCommand,
  launchCommand,
  runDir,
  statusCommand,
} from './remote-commands.js';
import type { DeployTarget } from './types.js';

/** `20261126T121900Z-1a2b3c`: sortable, unique, valid in a systemd unit name and a file name. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface AgentRun {
  target: DeployTarget;
  runId: string;
  dir: string;
}

export function agentRun(target: DeployTarget, runId: string): AgentRun {
  return { target, runId, dir: runDir(target, runId) };
}

const LONG_POLL_SECONDS = 5;
const RETRY_MS = 1000;

export interface Launched {
  launcher: 'systemd-run' | 'nohup';
  /** The status once the agent left the given states (or the long poll ended). */
  status: AgentStatus;
}

/**
 * Starts the agent on the target and, on the same connection, waits a moment for it to leave
 * `whileStates`. Throws SshError (then the agent may or may not have started).
 */
export async function launchAgent(
  run: AgentRun,
  command: AgentCommand,
  params: Record<string, string>,
  whileStates: readonly string[],
  ssh: SshRunOptions,
): Promise<Launched> {
  const unit = `tappaas-deploy-${run.runId}-${command}`;
  const wait = { whileStates, maxWaitSeconds: LONG_POLL_SECONDS };
  const r = await sshExec(
    run.target,
    launchCommand(run.target, run.dir, command, unit, params, wait),
    'start the deploy agent',
    { ...ssh, input: AGENT_SCRIPT, timeoutMs: (LONG_POLL_SECONDS + 60) * 1000 },
  );
  return { launcher: launcherOf(r.stdout), status: parseAgentStatus(r.stdout) };
}

export function launcherOf(stdout: string): Launched['launcher'] {
  return parseKeyValues(stdout).get('launcher') === 'systemd-run' ? 'systemd-run' : 'nohup';
}

export type Followed<T> =
  | { ok: true; step: T; status: AgentStatus }
  | { ok: false; error: string; status?: AgentStatus; cancelled?: boolean };

/**
 * Reads the run's status until `decide` says something other than `wait`, or the deadline.
 * Each read is an SSH session that long-polls while the state stays what it last was;
 * connection failures are retried until the deadline.
 */
export async function followAgent<T extends { kind: string }>(
  run: AgentRun,
  decide: (s: AgentStatus) => T,
  deadline: number,
  ssh: SshRunOptions,
  initial?: AgentStatus,
): Promise<Followed<T>> {
  let last = initial;
  if (last) {
    const step = decide(last);
    if (step.kind !== 'wait') return { ok: true, step, status: last };
  }
  let lastError = '';
  while (Date.now() < deadline) {
    if (ssh.signal?.aborted) return { ok: false, error: 'cancelled', status: last, cancelled: true };
    const wait = Math.max(0, Math.min(LONG_POLL_SECONDS, Math.floor((deadline - Date.now()) / 1000)));
    try {
      const r = await sshExec(
        run.target,
        statusCommand(run.target, run.dir, { whileStates: [last?.state ?? 'queued'], maxWaitSeconds: wait }),
        'read the deploy agent status',
        { ...ssh, timeoutMs: (wait + 30) * 1000 },
      );
      last = parseAgentStatus(r.stdout);
      const step = decide(last);
      if (step.kind !== 'wait') return { ok: true, step, status: last };
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      if (e.kind === 'aborted') return { ok: false, error: 'cancelled', status: last, cancelled: true };
      lastError = e.message;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  const where = last?.state ? `the agent was last seen in state ${last.state}` : 'no agent status was read';
  return { ok: false, error: `gave up waiting; ${where}${lastError ? `; ${lastError}` : ''}`, status: last };
}

/**
 * Writes the confirmation over a fresh connection (retrying until the deadline) and returns the
 * status the agent acknowledged it with, or the last error.
 */
export async function confirmAgent(
  run: AgentRun,
  deadline: number,
  ssh: SshRunOptions,
): Promise<{ status: AgentStatus } | { error: string }> {
  let lastError = 'the confirmation window closed before a connection was tried';
  while (Date.now() < deadline) {
    try {
      const r = await sshExec(
        run.target,
        confirmCommand(run.target, run.dir, LONG_POLL_SECONDS),
        'confirm the activation',
        {
          ...ssh,
          // Never over a shared connection (the lock's master): only a fresh connection (new
          // key exchange, login and shell under the new system's sshd, PAM, users and keys)
          // proves that the new system still lets us in. A session on a master opened before
          // the activation would confirm a host that now locks everyone out.
          controlPath: 'none',
          timeoutMs: (LONG_POLL_SECONDS + 30) * 1000,
        },
      );
      return { status: parseAgentStatus(r.stdout) };
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      lastError = e.message;
      if (e.kind === 'aborted') return { error: lastError };
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  return { error: lastError };
}
