// The deploy inventory: tappaas.json `hosts.<name>` and `deploy`, already checked by ajv
// against schemas/tappaas.schema.json, turned into DeployTargets with the defaults applied.
// Pure: the caller loads the config (scripts/config/file.ts) and hands us the data.
import { type DeploySettings, deploySettings } from '../config/deploy.js';
import { ConfigError } from '../config/file.js';
import type { HealthCheck, TappaasConfig } from '../config/types.js';
import { hostNameProblem } from '../policy/registration.js';
import type { DeployTarget } from './types.js';

/** A target plus what only the orchestrator needs (per-host confirm timeout). */
export interface InventoryHost extends DeployTarget {
  confirmTimeout: number;
}

export interface Inventory {
  settings: DeploySettings;
  /** In the order tappaas.json lists them. */
  hosts: InventoryHost[];
}

/**
 * Health checks of a role when the host sets none. Every host gets the systemd check; the
 * roles of nix/modules/roles add their service's own health endpoint (the ports are those
 * modules' defaults; a host that changes a port sets `health` itself).
 */
export const ROLE_HEALTH: Readonly<Record<string, readonly HealthCheck[]>> = {
  vllm: [{ type: 'http', port: 8000, path: '/health' }],
  litellm: [{ type: 'http', port: 4000, path: '/health/liveliness' }],
  'open-webui': [{ type: 'http', port: 8080, path: '/health' }],
};

export function defaultHealth(role: string | undefined): HealthCheck[] {
  const extra = role !== undefined && Object.hasOwn(ROLE_HEALTH, role) ? ROLE_HEALTH[role]! : [];
  return [{ type: 'systemd' }, ...extra.map((c) => ({ ...c }))];
}

/**
 * The inventory of a validated config. Host names are checked here rather than in the schema
 * so that the message names the host and says what is wrong with it (ajv would only say
 * "property name must be valid").
 */
export function inventoryOf(config: TappaasConfig, file = 'tappaas.json'): Inventory {
  const settings = deploySettings(config);
  const raw = config.hosts ?? {};
  const problems = Object.keys(raw).flatMap((name) => {
    const bad = hostNameProblem(name);
    return bad ? [{ path: `/hosts/${name}`, message: `host name ${JSON.stringify(name)} ${bad}` }] : [];
  });
  if (problems.length > 0)
    throw new ConfigError(
      file,
      `${problems.map((p) => p.message).join('; ')}. Rename the host in "hosts" (and nix/hosts/) to a lower-case RFC 1123 label: a-z, 0-9 and inner "-".`,
      problems,
    );
  const hosts = Object.entries(raw).map(([name, h]): InventoryHost => {
    const target: InventoryHost = {
      name,
      address: h.address ?? name,
      health: h.health ? h.health.map((c) => ({ ...c })) : defaultHealth(h.role),
      profile: h.profile ?? settings.profile,
      currentSystem: h.currentSystem ?? settings.currentSystem,
      confirmTimeout: h.confirmTimeout ?? settings.confirmTimeout,
    };
    if (h.sshUser !== undefined) target.sshUser = h.sshUser;
    if (h.sshPort !== undefined) target.sshPort = h.sshPort;
    if (h.sshOptions !== undefined) target.sshOptions = [...h.sshOptions];
    if (h.role !== undefined) target.role = h.role;
    if (h.tags !== undefined) target.tags = [...h.tags];
    const stateDir = h.stateDir ?? settings.stateDir;
    if (stateDir !== undefined) target.stateDir = stateDir;
    return target;
  });
  return { settings, hosts };
}

/**
 * The hosts named on the command line, in inventory order; an unknown name is a usage
 * mistake the caller reports (returned, not thrown, so it can list them all at once).
 */
export function selectHosts(
  inventory: Inventory,
  names: readonly string[],
): { hosts: InventoryHost[]; unknown: string[] } {
  if (names.length === 0) return { hosts: inventory.hosts, unknown: [] };
  const known = new Set(inventory.hosts.map((h) => h.name));
  const wanted = new Set(names);
  return {
    hosts: inventory.hosts.filter((h) => wanted.has(h.name)),
    unknown: [...wanted].filter((n) => !known.has(n)),
  };
}
