// The argv of the two `nix eval` calls behind `tappaas options-index`: pure builders, so what
// runs is tested without Nix. One call lists the hosts, one per host walks its options. The
// flake is the directory as Nix reads it for a build (in a git work tree: tracked files).
import { WALK_OPTIONS_NIX } from './walk-options.js';

/** Flags every call carries: flakes on Nix 2.8 too, and never a flake.lock written for us. */
const COMMON = ['--extra-experimental-features', 'nix-command flakes', '--no-write-lock-file'];

/** A Nix string literal for any text (attribute names can hold anything). */
export function nixString(text: string): string {
  return `"${text.replace(/[\\"$\n\r\t]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\${c}`;
  })}"`;
}

/** `nix eval --json <flake>#nixosConfigurations --apply builtins.attrNames`. */
export function listHostsArgs(flakeDir: string): string[] {
  return ['eval', ...COMMON, '--json', `${flakeDir}#nixosConfigurations`, '--apply', 'builtins.attrNames'];
}

/**
 * `nix eval --json <flake>#nixosConfigurations --apply '…'`: the host is picked inside the
 * applied function (by a Nix string, so any name is safe), then its options are walked.
 */
export function walkOptionsArgs(flakeDir: string, host: string): string[] {
  const apply = `configurations: (${WALK_OPTIONS_NIX}) configurations.${nixString(host)}.options`;
  return ['eval', ...COMMON, '--json', `${flakeDir}#nixosConfigurations`, '--apply', apply];
}
