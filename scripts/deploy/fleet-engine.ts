// The CLI's FleetEngine: the per-host engine (deployHost, readCurrentSystem, rollbackHost from
// index.ts) with the fleet's per-host lock (fleet-lock.ts) beside it.
import type { FleetEngine } from './fleet.js';
import { acquireHostLock } from './fleet-lock.js';
import { deployHost, readCurrentSystem, rollbackHost } from './index.js';
import type { DeployTarget, HostResult } from './types.js';

export interface CliEngine extends FleetEngine {
  /** The running system; undefined when the host answers but runs no system yet. Throws when unreachable. */
  readCurrentSystem(target: DeployTarget): Promise<string | undefined>;
  rollbackHost(target: DeployTarget): Promise<HostResult>;
}

export function cliEngine(opts: { healthGraceSeconds?: number } = {}): CliEngine {
  return {
    deployHost,
    acquireLock: (target) => acquireHostLock(target),
    readCurrentSystem: async (target) => (await readCurrentSystem(target)).current,
    rollbackHost: (target) =>
      rollbackHost(
        target,
        opts.healthGraceSeconds !== undefined ? { healthGraceSeconds: opts.healthGraceSeconds } : {},
      ),
  };
}
