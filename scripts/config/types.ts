// tappaas.json, section by section, in the shape schemas/tappaas.schema.json allows. A
// TappaasConfig comes from parseConfig (file.ts), which lets nothing through that the schema
// refuses, so code reads these types without casts; test/unit/config/sections.test.ts keeps
// them in step with the schema. Each section has its reader:
//   fleet          config/fleet.ts fleetLayout (paths, defaults applied)
//   lint           read as is: the engine takes `rules`, nixos/options-index/locate.ts `optionsIndex`
//   policy         policy/defaults.ts resolvePolicy (the hook checks it by hand: policy/validate.ts)
//   hosts, deploy  config/deploy.ts deploySettings; deploy/inventory.ts makes the deploy targets

/** A rule's level, the schema's `level`. */
export type RuleLevel = 'off' | 'info' | 'warning' | 'error';

export type RuleSetting = RuleLevel | [RuleLevel] | [RuleLevel, Record<string, unknown>];

/** Where the fleet's Nix files live, relative to the repository root. */
export interface FleetConfig {
  root?: string;
  common?: string;
  hosts?: string;
  hardware?: string;
  modules?: string;
  flake?: string;
  /** A reason that allows changing system.stateVersion (read at the base of `check --from`). */
  allowStateVersionChange?: string;
}

export interface LintConfig {
  rules?: Record<string, RuleSetting>;
  ignore?: string[];
  maxFileBytes?: number;
  /** Options index for unknown-option: a file or folder, false for none, absent/true for the cached one. */
  optionsIndex?: string | boolean;
}

export type DeployMode = 'switch' | 'boot' | 'test';

/** One health check, run after activation; `[]` in the inventory turns checks off. */
export type HealthCheck =
  /** `systemctl is-system-running` (running or degraded-free) and no failed units, over SSH. */
  | { type: 'systemd' }
  /** An HTTP GET from the deployer to `http://<address>:<port><path>`. */
  | { type: 'http'; port: number; path: string; expectStatus?: number; timeoutSeconds?: number }
  /** A command run on the target over SSH; exit 0 means healthy. */
  | { type: 'command'; run: string; timeoutSeconds?: number };

/** One `hosts.<name>` entry: how to reach and check the host. */
export interface HostConfig {
  address?: string;
  sshUser?: string;
  sshPort?: number;
  sshOptions?: string[];
  role?: string;
  tags?: string[];
  health?: HealthCheck[];
  profile?: string;
  currentSystem?: string;
  stateDir?: string;
  confirmTimeout?: number;
}

/** The `deploy` section: defaults of `tappaas deploy`, which flags override. */
export interface DeployConfig {
  profile?: string;
  currentSystem?: string;
  stateDir?: string;
  parallel?: number;
  canary?: number;
  maxFailures?: number;
  mode?: DeployMode;
  /** Seconds health checks may fail after activation before they count. */
  healthGrace?: number;
  confirmTimeout?: number;
}

export interface TappaasConfig {
  fleet?: FleetConfig;
  lint?: LintConfig;
  /** Raw: resolvePolicy gives it its defaults and types. */
  policy?: Record<string, unknown>;
  hosts?: Record<string, HostConfig>;
  deploy?: DeployConfig;
}
