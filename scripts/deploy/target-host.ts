// What the per-host deploy needs from a target, as colmena's `Host`: a few primitives, each one
// round trip, with the deploy's decisions (deploy-host.ts, rollback-host.ts) and its retries
// (agent-client.ts) composed on top. SshHost (ssh-host.ts) is the real one; tests script a fake.
import type { AgentStatus, ProbeFacts } from './decide.js';
import type { AgentCommand, StatusWait } from './remote-commands.js';
import type { DeployTarget } from './types.js';

export type Launcher = 'systemd-run' | 'nohup';

/** A primitive that did not get its answer: the connection or the command failed, timed out or was cancelled. */
export class TargetError extends Error {
  constructor(
    message: string,
    /** The caller's signal stopped it: not worth a retry. */
    readonly cancelled: boolean,
    /** Set when a launch failed after the target said the agent started. */
    readonly launcher?: Launcher,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

export interface AgentLaunch {
  runId: string;
  command: AgentCommand;
  /** One-line parameter files for the agent, by name. */
  params: Record<string, string>;
  /** After the start, wait on the same connection while the agent is in one of these states. */
  wait: StatusWait;
}

export interface TargetHost {
  /** The inventory's word on the host: name, profile, current-system link, health checks. */
  readonly target: DeployTarget;
  /** The running system, the profile's system and whether systemd runs; throws, naming the host. */
  probe(): Promise<ProbeFacts>;
  /** Copies the closure of `toplevel` to the host; the error (naming host and command), or undefined. */
  copyClosure(toplevel: string, timeoutMs: number): Promise<string | undefined>;
  /** Starts the target-side agent detached; throws TargetError (the agent may or may not run). */
  launchAgent(launch: AgentLaunch): Promise<{ launcher: Launcher; status: AgentStatus }>;
  /** One read of a run's status, first waiting while its state is one of `wait.whileStates`; throws TargetError. */
  agentStatus(runId: string, wait: StatusWait): Promise<AgentStatus>;
  /**
   * Confirms the run (the dead-man switch) over a connection of its own, then waits up to
   * `maxWaitSeconds` for the agent to acknowledge; the status it acknowledged with. Throws TargetError.
   */
  confirm(runId: string, maxWaitSeconds: number): Promise<AgentStatus>;
  /** Runs the health checks, each retried for up to `graceSeconds`; one message per failure. */
  health(graceSeconds: number): Promise<string[]>;
}
