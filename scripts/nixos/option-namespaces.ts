// The top-level NixOS option names (`services`, `boot`, `hardware`, …): what a module may
// define at its top level (or under `config`) without an options index.
//
// Where the list comes from (data, not code): nixpkgs' `nixos/modules/module-list.nix`
// (NixOS 25.05–25.11 development window) and the `options.<name>` each listed module
// declares at its top level: config/ (appstream, console, fonts, gtk, i18n, location, time,
// powerManagement, qt, swapDevices, users, xdg, zramSwap, environment, networking, nix),
// misc/ (assertions, warnings, documentation, ids, lib, meta, nixops, nixpkgs, passthru,
// system), image/images.nix (image), system/activation/specialisation.nix (specialisation,
// isSpecialisation), virtualisation/amazon-options.nix (ec2), oci-options.nix (oci),
// openstack-options.nix (openstack), nixos-containers.nix (containers),
// services/monitoring/ups.nix (power), and the big trees (boot, hardware,
// programs, security, services, systemd, virtualisation, fileSystems). `_module` is declared
// by lib/modules.nix itself. Names nixpkgs only keeps as renamed or removed options
// (`sound`, `jobs`, `krb5`, `dysnomia`, `snapraid`, `nesting`, …) are known too: the
// module system answers them with nixpkgs' own message, and renamed-option reports the
// ones in its table.
//
// A few namespaces come from modules a host imports through `modulesPath` rather than from
// module-list.nix (the ISO and SD image builders, Proxmox images, installer profiles).

/** Declared by modules in nixos/modules/module-list.nix, or by lib/modules.nix (`_module`). */
export const NIXOS_NAMESPACES: readonly string[] = [
  '_module',
  'appstream',
  'assertions',
  'boot',
  'console',
  'containers',
  'documentation',
  'ec2',
  'environment',
  'fileSystems',
  'fonts',
  'gtk',
  'hardware',
  'i18n',
  'ids',
  'image',
  'isSpecialisation',
  'lib',
  'location',
  'meta',
  'networking',
  'nix',
  'nixops',
  'nixpkgs',
  'oci',
  'openstack',
  'passthru',
  'power',
  'powerManagement',
  'programs',
  'qt',
  'security',
  'services',
  'specialisation',
  'swapDevices',
  'system',
  'systemd',
  'time',
  'users',
  'virtualisation',
  'warnings',
  'xdg',
  'zramSwap',
];

/** Declared by modules imported through `modulesPath` (image builders, installer profiles). */
export const MODULES_PATH_NAMESPACES: readonly string[] = [
  'installer',
  'isoImage',
  'netboot',
  'proxmox',
  'proxmoxLXC',
  'sdImage',
];

/**
 * Top-level names nixpkgs keeps only as renamed, changed or removed options: `amazonImage`,
 * `jobs`, `kde`, `sound`, `virtualization` (renamed-options.json), `docker-containers`
 * (virtualisation/oci-containers.nix), `dysnomia` and `snapraid` (moved under services),
 * `krb5` (security/krb5), `nesting` (system/activation/top-level.nix).
 */
export const LEGACY_NAMESPACES: readonly string[] = [
  'amazonImage',
  'docker-containers',
  'dysnomia',
  'jobs',
  'kde',
  'krb5',
  'nesting',
  'snapraid',
  'sound',
  'virtualization',
];

/**
 * Where a name people write at the top level actually lives: options that are well known
 * by their last segment (`graphics` for `hardware.graphics`), so the suggestion names the
 * full path instead of the nearest namespace by spelling.
 */
export const KNOWN_MOVES: Readonly<Record<string, string>> = {
  allowUnfree: 'nixpkgs.config.allowUnfree',
  bluetooth: 'hardware.bluetooth',
  cudaSupport: 'nixpkgs.config.cudaSupport',
  defaultLocale: 'i18n.defaultLocale',
  docker: 'virtualisation.docker',
  firewall: 'networking.firewall',
  graphics: 'hardware.graphics',
  hostName: 'networking.hostName',
  kernelPackages: 'boot.kernelPackages',
  libvirtd: 'virtualisation.libvirtd',
  loader: 'boot.loader',
  nginx: 'services.nginx',
  nvidia: 'hardware.nvidia',
  opengl: 'hardware.graphics',
  openssh: 'services.openssh',
  pipewire: 'services.pipewire',
  podman: 'virtualisation.podman',
  pulseaudio: 'services.pulseaudio',
  stateVersion: 'system.stateVersion',
  sudo: 'security.sudo',
  systemPackages: 'environment.systemPackages',
  timeZone: 'time.timeZone',
  xserver: 'services.xserver',
};

const KNOWN = new Set([...NIXOS_NAMESPACES, ...MODULES_PATH_NAMESPACES, ...LEGACY_NAMESPACES]);

/** Whether a top-level name is a NixOS option namespace (current, image builders, or legacy). */
export function isNixosNamespace(name: string): boolean {
  return KNOWN.has(name);
}

/** Levenshtein distance, with an early exit once every cell of a row exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return best;
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * The best guess for what an unknown top-level name meant: a known move (`graphics` ->
 * `hardware.graphics`), else the nearest current namespace (`nearestName`), among `extra` too.
 */
export function suggestNamespace(name: string, extra: Iterable<string> = []): string | undefined {
  const move = Object.hasOwn(KNOWN_MOVES, name) ? KNOWN_MOVES[name] : undefined;
  if (move) return move;
  const candidates = [...NIXOS_NAMESPACES, ...MODULES_PATH_NAMESPACES, ...extra];
  return nearestName(
    name,
    candidates.filter((c) => c !== '_module'),
  );
}

/**
 * The candidate nearest to a misspelt name, within a third of the name's length (at least 1,
 * at most 3 edits; case differences count as one); the first of equally near ones.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d =
      candidate.toLowerCase() === name.toLowerCase() ? 1 : editDistance(name, candidate, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
