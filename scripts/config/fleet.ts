// Where the fleet's files are: tappaas.json `fleet` read with the guide's layout as default,
// every path in the one form repository listings use.
import { posix } from 'node:path';
import type { FleetConfig } from './types.js';

export interface FleetLayout {
  /** The fleet tree: every `.nix` file under it must be imported by something. */
  root: string;
  common: string;
  /** One `<host>.nix` per host directly in this folder. */
  hosts: string;
  /** One `<host>-hw.nix` per host directly in this folder. */
  hardware: string;
  modules: string;
  flake: string;
}

const DEFAULTS: FleetLayout = {
  root: 'nix',
  common: 'nix/common.nix',
  hosts: 'nix/hosts',
  hardware: 'nix/hardware',
  modules: 'nix/modules',
  flake: 'flake.nix',
};

/** Repo-relative, `/`-separated, no `./` or trailing `/`: the form every listing uses. */
export function normalizePath(path: string): string {
  const n = posix
    .normalize(path.replace(/\\/g, '/'))
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

export function fleetLayout(fleet: FleetConfig | undefined): FleetLayout {
  const out = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof FleetLayout)[]) {
    const value = fleet?.[key];
    if (typeof value === 'string' && value.trim() !== '') out[key] = normalizePath(value);
  }
  return out;
}
