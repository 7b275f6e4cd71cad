// Flakes whose modules add top-level option names that NixOS itself does not have, keyed by
// the repository name people use as the input (or that the flake reference names). A fleet
// with the input can define those names; without an options index this is how the lint
// knows. Data only: REFERENCE.md ("Namespaces that common module flakes add") and each
// project's module sources.

/** Repository (or input) name, lower case → the top-level names its modules declare. */
export const MODULE_FLAKE_NAMESPACES: Readonly<Record<string, readonly string[]>> = {
  'sops-nix': ['sops'],
  agenix: ['age'],
  ragenix: ['age'],
  'agenix-rekey': ['age'],
  disko: ['disko'],
  'home-manager': ['home-manager'],
  srvos: ['srvos'],
  'nixos-mailserver': ['mailserver'],
  'simple-nixos-mailserver': ['mailserver'],
  stylix: ['stylix'],
  catppuccin: ['catppuccin'],
  microvm: ['microvm'],
  'microvm.nix': ['microvm'],
  'nixos-wsl': ['wsl'],
  'jovian-nixos': ['jovian'],
  jovian: ['jovian'],
  nyx: ['chaotic'],
  chaotic: ['chaotic'],
  'nix-topology': ['topology'],
  'nixos-facter-modules': ['facter'],
  'clan-core': ['clan'],
  preservation: ['preservation'],
  colmena: ['deployment'],
  nixops: ['deployment'],
  'nixos-generators': ['formatConfigs'],
  musnix: ['musnix'],
  'nix-colors': ['colorScheme', 'colorscheme'],
  'niri-flake': ['niri'],
  niri: ['niri'],
  'nix-index-database': ['programs'],
  'nix-flatpak': ['services'],
  lanzaboote: ['boot'],
  impermanence: ['environment'],
  'flake-parts': ['perSystem', 'flake', 'systems'],
  'treefmt-nix': ['treefmt'],
  'git-hooks.nix': ['pre-commit'],
  'git-hooks': ['pre-commit'],
  'pre-commit-hooks.nix': ['pre-commit'],
  'pre-commit-hooks': ['pre-commit'],
  devshell: ['devshells'],
  'nixos-hardware': ['hardware'],
  nixvim: ['programs'],
  'nix-minecraft': ['services'],
  'buildbot-nix': ['services'],
  comin: ['services'],
  'nix-darwin': ['homebrew', 'launchd'],
  'snowfall-lib': ['snowfallorg'],
};

/**
 * The repository name in a flake reference: `github:Mic92/sops-nix` → `sops-nix`,
 * `git+https://git.example/a/nixos-mailserver.git?ref=x` → `nixos-mailserver`,
 * `gitlab:simple-nixos-mailserver/nixos-mailserver` → `nixos-mailserver`.
 */
export function repositoryName(ref: string): string | undefined {
  const noQuery = ref.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const shorthand = /^(?:github|gitlab|sourcehut):[^/]+\/([^/]+)/.exec(noQuery);
  if (shorthand) return shorthand[1]!.toLowerCase();
  const last = noQuery.split('/').pop();
  if (!last || last.includes(':')) return undefined;
  return last.replace(/\.git$/, '').toLowerCase();
}

/** The names that the flakes among `names` (input names, repository names) declare. */
export function namespacesOfFlakes(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    const known = Object.hasOwn(MODULE_FLAKE_NAMESPACES, key) ? MODULE_FLAKE_NAMESPACES[key] : undefined;
    for (const ns of known ?? []) out.add(ns);
  }
  return out;
}
