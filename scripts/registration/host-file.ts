// The generated nix/hosts/<host>.nix: the same shape as the hand-written hosts (a comment, one
// role enabled), so that `tappaas check` (one role per host) and the flake (the host name comes
// from the file name) accept it. Pure.
import { posix } from 'node:path';
import type { FleetLayout } from '../config/fleet.js';
import { payloadPath } from '../fleet/registration-files.js';

/** Roles are the modules in <modules>/roles/<role>.nix of the base revision. */
export function knownRoles(files: readonly string[], layout: FleetLayout): string[] {
  const dir = posix.join(layout.modules, 'roles');
  return files
    .filter((f) => posix.dirname(f) === dir && f.endsWith('.nix'))
    .map((f) => posix.basename(f, '.nix'))
    .sort();
}

export class UnknownRoleError extends Error {
  constructor(
    readonly role: string,
    readonly known: string[],
  ) {
    super(
      `role ${JSON.stringify(role)} has no module: known roles are ${known.length ? known.join(', ') : '(none)'}; add nix/modules/roles/${role}.nix first, or register the VM with one of them (cloud-init user-data tappaas_role)`,
    );
    this.name = 'UnknownRoleError';
  }
}

export function hostFile(host: string, role: string, known: readonly string[]): string {
  if (!known.includes(role)) throw new UnknownRoleError(role, [...known]);
  // Role names are module file names; quote the attribute when it is not a plain Nix identifier.
  const attr = /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(role) ? role : JSON.stringify(role);
  return `# Host ${host}: role ${role}. Generated from ${payloadPath(host)} by \`tappaas register process\`.\n{\n  tappaas.roles.${attr}.enable = true;\n}\n`;
}
