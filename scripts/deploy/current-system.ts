// One SSH round trip that proves the host is reachable and reads what it runs and will boot.
import { type SshRunOptions, sshExec } from '../ssh/run.js';
import { type ProbeFacts, parseProbe } from './decide.js';
import { probeCommand } from './remote-commands.js';
import type { DeployTarget } from './types.js';

export class ProbeError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

/**
 * The running system (`currentSystem` resolved), the profile's system and whether systemd runs.
 * Throws SshError (unreachable / failed / timeout) or ProbeError (an answer that is not ours).
 */
export async function readCurrentSystem(
  target: DeployTarget,
  opts: Pick<SshRunOptions, 'connectTimeoutSeconds' | 'signal' | 'timeoutMs'> = {},
): Promise<ProbeFacts> {
  const r = await sshExec(target, probeCommand(target), 'read the running system', {
    timeoutMs: 30_000,
    ...opts,
  });
  const facts = parseProbe(r.stdout);
  if (!facts) {
    throw new ProbeError(
      target.name,
      `host ${target.name}: the probe printed no marker (a forced command or login banner?): ${r.stdout.slice(0, 200)}`,
    );
  }
  return facts;
}
