// The deployer's side of the target agent, over any TargetHost: start it detached, then follow
// its state with reads that long-poll, and confirm it, riding out dropped connections until a
// deadline.
import { randomBytes } from 'node:crypto';
import type { AgentStatus } from './decide.js';
import type { AgentCommand } from './remote-commands.js';
import { type Launcher, TargetError, type TargetHost } from './target-host.js';

/** `20261126T121900Z-1a2b3c`: sortable, unique, valid in a systemd unit name and a file name. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const LONG_POLL_SECONDS = 5;
const RETRY_MS = 1000;

export type Followed<T> =
  | { ok: true; step: T; status: AgentStatus }
  | { ok: false; error: string; status?: AgentStatus; cancelled?: boolean };

/**
 * Reads the run's status until `decide` says something other than `wait`, or the deadline.
 * Each read long-polls while the state stays what it last was; failed reads are retried until
 * the deadline.
 */
export async function followAgent<T extends { kind: string }>(
  host: TargetHost,
  runId: string,
  decide: (s: AgentStatus) => T,
  deadline: number,
  signal: AbortSignal | undefined,
  initial?: AgentStatus,
): Promise<Followed<T>> {
  let last = initial;
  if (last) {
    const step = decide(last);
    if (step.kind !== 'wait') return { ok: true, step, status: last };
  }
  let lastError = '';
  while (Date.now() < deadline) {
    if (signal?.aborted) return { ok: false, error: 'cancelled', status: last, cancelled: true };
    const wait = Math.max(0, Math.min(LONG_POLL_SECONDS, Math.floor((deadline - Date.now()) / 1000)));
    try {
      last = await host.agentStatus(runId, { whileStates: [last?.state ?? 'queued'], maxWaitSeconds: wait });
      const step = decide(last);
      if (step.kind !== 'wait') return { ok: true, step, status: last };
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      if (e.cancelled) return { ok: false, error: 'cancelled', status: last, cancelled: true };
      lastError = e.message;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  const where = last?.state ? `the agent was last seen in state ${last.state}` : 'no agent status was read';
  return { ok: false, error: `gave up waiting; ${where}${lastError ? `; ${lastError}` : ''}`, status: last };
}

/** Confirms the run (retrying until the deadline); the status the agent acknowledged it with, or the last error. */
export async function confirmAgent(
  host: TargetHost,
  runId: string,
  deadline: number,
): Promise<{ status: AgentStatus } | { error: string }> {
  let lastError = 'the confirmation window closed before a connection was tried';
  while (Date.now() < deadline) {
    try {
      return { status: await host.confirm(runId, LONG_POLL_SECONDS) };
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      lastError = e.message;
      if (e.cancelled) return { error: lastError };
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  return { error: lastError };
}

/**
 * Starts the agent. The launch connection stays open a moment to report progress; when it breaks
 * after the agent started (the target named its launcher), we simply follow the agent. When it
 * breaks before, a fresh read finds out whether the agent exists; if it never started, nothing
 * changed on the target.
 */
export async function launchOrFind(
  host: TargetHost,
  runId: string,
  command: AgentCommand,
  params: Record<string, string>,
  whileStates: readonly string[],
  signal: AbortSignal | undefined,
): Promise<{ launcher?: Launcher; status?: AgentStatus; error?: string }> {
  try {
    return await host.launchAgent({
      runId,
      command,
      params,
      wait: { whileStates, maxWaitSeconds: LONG_POLL_SECONDS },
    });
  } catch (e) {
    if (!(e instanceof TargetError) || e.cancelled) return { error: (e as Error).message };
    if (e.launcher) return { launcher: e.launcher };
    const found = await followAgent(
      host,
      runId,
      (s) => (s.state ? { kind: 'found' as const } : { kind: 'absent' as const }),
      Date.now() + 60_000,
      signal,
    );
    if (found.ok && found.step.kind === 'found') return { status: found.status };
    return { error: `${e.message}; the agent did not start` };
  }
}
