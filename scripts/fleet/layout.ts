// Which hosts and hardware files a plain listing of repository paths holds, in the layout
// tappaas.json `fleet` gives (config/fleet.ts). Pure: the listing comes from the work tree or
// a git revision (see source.ts).
import { posix } from 'node:path';
import type { FleetLayout } from '../config/fleet.js';

export const HARDWARE_SUFFIX = '-hw.nix';

export interface FleetEntry {
  /** Host name, from the file name. */
  name: string;
  /** Repo-relative path of the file. */
  file: string;
}

/** Is `path` inside folder `dir` (at any depth)? The empty folder is the repository root. */
export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** Files directly in `dir` (not in sub-folders). */
export function directChildren(files: readonly string[], dir: string): string[] {
  return files.filter((f) => posix.dirname(f) === (dir === '' ? '.' : dir));
}

/** Every `.nix` file of the fleet: under the fleet root, plus the flake. */
export function fleetNixFiles(files: readonly string[], layout: FleetLayout): string[] {
  return files.filter((f) => f.endsWith('.nix') && (isUnder(f, layout.root) || f === layout.flake));
}

/** The hosts: `<hosts>/<name>.nix`. */
export function hostEntries(files: readonly string[], layout: FleetLayout): FleetEntry[] {
  return directChildren(files, layout.hosts)
    .filter((f) => f.endsWith('.nix'))
    .map((file) => ({ name: posix.basename(file, '.nix'), file }));
}

/** The hardware files: `<hardware>/<name>-hw.nix`. Other `.nix` files there are shared modules. */
export function hardwareEntries(files: readonly string[], layout: FleetLayout): FleetEntry[] {
  return directChildren(files, layout.hardware)
    .filter((f) => f.endsWith(HARDWARE_SUFFIX) && posix.basename(f) !== HARDWARE_SUFFIX)
    .map((file) => ({ name: posix.basename(file).slice(0, -HARDWARE_SUFFIX.length), file }));
}

export function hardwarePath(layout: FleetLayout, host: string): string {
  return posix.join(layout.hardware, `${host}${HARDWARE_SUFFIX}`);
}

export function hostPath(layout: FleetLayout, host: string): string {
  return posix.join(layout.hosts, `${host}.nix`);
}
