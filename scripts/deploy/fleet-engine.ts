// The CLI's FleetEngine: the per-host engine (deployHost, readCurrentSystem, rollbackHost from
// index.ts) with the fleet's per-host lock (fleet-lock.ts) beside it.
import { mapLimit } from '../util/map-limit.js';
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

/** Each host's running system, `limit` reads at a time; a host that cannot be read gives its error. */
export function runningSystems(
  engine: Pick<CliEngine, 'readCurrentSystem'>,
  hosts: readonly DeployTarget[],
  limit: number,
): Promise<{ path?: string; error?: string }[]> {
  return mapLimit(hosts, limit, async (h) => {
    try {
      return { path: await engine.readCurrentSystem(h) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
}
