// The TargetHost of a real deploy: each primitive is one ssh session (or one `nix copy`) running
// a command built by remote-commands.ts. A session shares the fleet lock's connection when given
// its `controlPath`; the confirmation never does (see confirm).
import { SshError, type SshRunOptions, sshExec } from '../ssh/run.js';
import { AGENT_SCRIPT } from './agent-script.js';
import { copyClosure } from './copy.js';
import { readCurrentSystem } from './current-system.js';
import { parseAgentStatus, parseKeyValues } from './decide.js';
import { runHealthChecks } from './health.js';
import { confirmCommand, launchCommand, runDir, statusCommand } from './remote-commands.js';
import { type Launcher, TargetError, type TargetHost } from './target-host.js';
import type { DeployTarget } from './types.js';

export type SshHostOptions = Pick<SshRunOptions, 'connectTimeoutSeconds' | 'controlPath' | 'signal'>;

export function launcherOf(stdout: string): Launcher {
  return parseKeyValues(stdout).get('launcher') === 'systemd-run' ? 'systemd-run' : 'nohup';
}

/** An SshError as the TargetError the deploy logic handles; anything else is a bug and passes through. */
function targetError(e: unknown, launched = false): unknown {
  if (!(e instanceof SshError)) return e;
  const launcher =
    launched && parseKeyValues(e.result.stdout).has('launcher') ? launcherOf(e.result.stdout) : undefined;
  return new TargetError(e.message, e.kind === 'aborted', launcher);
}

export class SshHost implements TargetHost {
  constructor(
    readonly target: DeployTarget,
    private readonly ssh: SshHostOptions = {},
  ) {}

  probe() {
    return readCurrentSystem(this.target, this.ssh);
  }

  copyClosure(toplevel: string, timeoutMs: number) {
    return copyClosure(this.target, toplevel, { ...this.ssh, timeoutMs });
  }

  async launchAgent(launch: Parameters<TargetHost['launchAgent']>[0]) {
    const t = this.target;
    const unit = `tappaas-deploy-${launch.runId}-${launch.command}`;
    const command = launchCommand(
      t,
      runDir(t, launch.runId),
      launch.command,
      unit,
      launch.params,
      launch.wait,
    );
    try {
      const r = await sshExec(t, command, 'start the deploy agent', {
        ...this.ssh,
        input: AGENT_SCRIPT,
        timeoutMs: (launch.wait.maxWaitSeconds + 60) * 1000,
      });
      return { launcher: launcherOf(r.stdout), status: parseAgentStatus(r.stdout) };
    } catch (e) {
      throw targetError(e, true);
    }
  }

  async agentStatus(runId: string, wait: Parameters<TargetHost['agentStatus']>[1]) {
    const t = this.target;
    try {
      const r = await sshExec(t, statusCommand(t, runDir(t, runId), wait), 'read the deploy agent status', {
        ...this.ssh,
        timeoutMs: (wait.maxWaitSeconds + 30) * 1000,
      });
      return parseAgentStatus(r.stdout);
    } catch (e) {
      throw targetError(e);
    }
  }

  async confirm(runId: string, maxWaitSeconds: number) {
    const t = this.target;
    try {
      const r = await sshExec(
        t,
        confirmCommand(t, runDir(t, runId), maxWaitSeconds),
        'confirm the activation',
        {
          ...this.ssh,
          // Never over a shared connection (the lock's master): only a fresh connection (new key
          // exchange, login and shell under the new system's sshd, PAM, users and keys) proves that
          // the new system still lets us in. A session on a master opened before the activation
          // would confirm a host that now locks everyone out.
          controlPath: 'none',
          timeoutMs: (maxWaitSeconds + 30) * 1000,
        },
      );
      return parseAgentStatus(r.stdout);
    } catch (e) {
      throw targetError(e);
    }
  }

  health(graceSeconds: number) {
    return runHealthChecks(this.target, { graceSeconds, ...this.ssh });
  }
}
