// A TargetHost that answers from a script: each primitive takes its next answer from its own
// queue (a value, or an error to throw) and every call is logged, so a unit test can walk
// deployTo and rollbackOn through each branch (confirm, rollback, verify, unreachable, busy…)
// in milliseconds. The real programs (sshd, nix copy, the agent) are covered by the
// integration tests; this stands in for our own interface only.
import type { AgentStatus, ProbeFacts } from '../../scripts/deploy/decide.js';
import {
  type AgentLaunch,
  type Launcher,
  TargetError,
  type TargetHost,
} from '../../scripts/deploy/target-host.js';
import type { DeployTarget } from '../../scripts/deploy/types.js';

type Answer<T> = T | Error;

export interface HostScript {
  probe?: Answer<ProbeFacts>[];
  /** The copy's error, or undefined for success. */
  copy?: (string | undefined)[];
  launch?: Answer<{ launcher: Launcher; status: AgentStatus }>[];
  status?: Answer<AgentStatus>[];
  confirm?: Answer<AgentStatus>[];
  /** The failures of one health run ([] is healthy). */
  health?: string[][];
}

/** A connection that failed (not cancelled), with the message the SSH host would give. */
export function unreachable(what: string, launcher?: Launcher): TargetError {
  return new TargetError(
    `host web1 is unreachable over SSH while trying to ${what}: Connection refused`,
    false,
    launcher,
  );
}

export const TARGET: DeployTarget = {
  name: 'web1',
  address: '10.0.0.5',
  health: [{ type: 'systemd' }],
  profile: '/nix/var/nix/profiles/system',
  currentSystem: '/run/current-system',
};

export class ScriptedHost implements TargetHost {
  /** One line per call, e.g. `probe`, `copy /nix/store/…`, `launch deploy`, `status queued`. */
  readonly calls: string[] = [];
  /** The launches, with their parameters. */
  readonly launches: AgentLaunch[] = [];

  constructor(
    private readonly script: HostScript,
    readonly target: DeployTarget = TARGET,
  ) {}

  private next<K extends keyof HostScript>(key: K, call: string): NonNullable<HostScript[K]>[number] {
    this.calls.push(call);
    const queue = this.script[key] as unknown[] | undefined;
    if (!queue?.length) throw new Error(`unscripted call: ${call}`);
    const answer = queue.shift() as NonNullable<HostScript[K]>[number];
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async probe() {
    return this.next('probe', 'probe') as ProbeFacts;
  }

  async copyClosure(toplevel: string) {
    return this.next('copy', `copy ${toplevel}`) as string | undefined;
  }

  async launchAgent(launch: AgentLaunch) {
    this.launches.push(launch);
    return this.next('launch', `launch ${launch.command}`) as { launcher: Launcher; status: AgentStatus };
  }

  async agentStatus(_runId: string, wait: { whileStates: readonly string[] }) {
    return this.next('status', `status ${wait.whileStates.join(' ')}`) as AgentStatus;
  }

  async confirm() {
    return this.next('confirm', 'confirm') as AgentStatus;
  }

  async health(graceSeconds: number) {
    return this.next('health', `health ${graceSeconds}`) as string[];
  }
}
