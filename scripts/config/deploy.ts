// tappaas.json `deploy`: the defaults of `tappaas deploy`, with the schema's defaults filled in.
import type { DeployConfig, TappaasConfig } from './types.js';

export const DEFAULT_PROFILE = '/nix/var/nix/profiles/system';
export const DEFAULT_CURRENT_SYSTEM = '/run/current-system';

/** The `deploy` section with its defaults; only the agent's state directory may stay unset. */
export interface DeploySettings extends Required<Omit<DeployConfig, 'stateDir'>> {
  /** The agent's state directory on targets; absent: the engine's default. */
  stateDir?: string;
}

export const DEPLOY_DEFAULTS: DeploySettings = {
  profile: DEFAULT_PROFILE,
  currentSystem: DEFAULT_CURRENT_SYSTEM,
  parallel: 10,
  canary: 0,
  maxFailures: 1,
  mode: 'switch',
  confirmTimeout: 30,
  healthGrace: 30,
};

export function deploySettings(config: TappaasConfig): DeploySettings {
  return { ...DEPLOY_DEFAULTS, ...config.deploy };
}
