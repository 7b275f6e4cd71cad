// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// A fleet flake that real Nix evaluates and builds offline, with no nixpkgs: the layout of the
// project's own flake.nix (nix/common.nix, nix/modules/, nix/hardware/<h>-hw.nix,
// nix/hosts/<h>.nix, hosts found by reading nix/hosts), over a miniature module system in
// nix/lib/system.nix. Each host's `config.system.build.toplevel` is a plain derivation
// (builder /bin/sh) whose output refers to the package derivations the host's modules chose,
// so closures, diff-closures and build failures behave as with NixOS.
//
// `expensive` makes nix/common.nix compute a large shared value once per Nix process (as
// importing nixpkgs does): batching hosts in one process shares it, one process per host
// pays it every time. Used by the eval and plan tests and the eval bench.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';

export const FIXTURE_ROLES = ['web', 'db', 'cache', 'proxy', 'backup', 'monitor'] as const;

/** The Nix system of this machine (fixtures build locally). */
export function localSystem(): string {
  return arch() === 'arm64' ? 'aarch64-linux' : 'x86_64-linux';
}

/** Names of generated hosts: web0, db1, … (role by index). */
export function fixtureHostName(i: number): string {
  return `${FIXTURE_ROLES[i % FIXTURE_ROLES.length]}${i}`;
}

export interface HostSpec {
  roles?: string[];
  /** Extra lines inside the module's attribute set (indented by the caller's choice). */
  lines?: string[];
  /** Package names from nix/lib/pkgs.nix. */
  packages?: string[];
}

/**
 * Text of nix/hosts/<name>.nix. Line 4 is `roles`, line 5 `packages` (left out when the list
 * is empty), then `settings.port`, then `lines`.
 */
export function hostText(name: string, index: number, spec: HostSpec = {}): string {
  const roles = spec.roles ?? [FIXTURE_ROLES[index % FIXTURE_ROLES.length]!];
  const packages = spec.packages ?? ['htop'];
  return [
    `# Host ${name}.`,
    '{ pkgs, ... }:',
    '{',
    `  roles = [ ${roles.map((r) => JSON.stringify(r)).join(' ')} ];`,
    ...(packages.length ? [`  packages = [ ${packages.map((p) => `pkgs.${p}`).join(' ')} ];`] : []),
    `  settings.port = ${8000 + index};`,
    ...(spec.lines ?? []),
    '}',
    '',
  ].join('\n');
}

function hardwareText(name: string, index: number): string {
  return [
    `# Hardware of ${name}, as the first boot wrote it.`,
    '{ ... }:',
    '{',
    `  settings.rootDevice = "/dev/disk/by-uuid/${index.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000";`,
    '}',
    '',
  ].join('\n');
}

function commonText(expensive: number): string {
  return [
    '# Settings every host shares.',
    'let',
    '  # Stands in for importing nixpkgs: a value every host needs, computed once per Nix process.',
    `  table = builtins.genList (i: i * i) ${expensive};`,
    "  checksum = builtins.foldl' (a: b: builtins.bitXor a b) 0 table;",
    'in',
    '{ pkgs, ... }:',
    '{',
    '  packages = [ pkgs.openssh pkgs.git ];',
    '  settings.timeZone = "Europe/Copenhagen";',
    '  settings.commonChecksum = checksum;',
    '}',
    '',
  ].join('\n');
}

function roleText(role: string, pkg: string): string {
  return [
    `# Role ${role}: what a host with this role runs.`,
    '{ config, pkgs, ... }:',
    '{',
    `  packages = if builtins.elem "${role}" config.roles then [ pkgs.${pkg} ] else [ ];`,
    '}',
    '',
  ].join('\n');
}

const ROLE_PACKAGE: Record<string, string> = {
  web: 'nginx',
  db: 'postgresql',
  cache: 'redis',
  proxy: 'haproxy',
  backup: 'restic',
  monitor: 'prometheus',
};

const PACKAGES: Record<string, string> = {
  openssh: '9.6',
  git: '2.44.1',
  htop: '3.3.0',
  nginx: '1.26.0',
  postgresql: '16.3',
  redis: '7.2.4',
  haproxy: '2.9.7',
  restic: '0.16.4',
  prometheus: '2.52.0',
};

function pkgsText(system: string): string {
  return [
    '# Package derivations for the fixture fleet (a tiny stand-in for nixpkgs).',
    'let',
    '  mk =',
    '    { pname, version, script ? "" }:',
    '    derivation {',
    '      name = "${pname}-${version}";',
    '      inherit pname version;',
    `      system = "${system}";`,
    '      builder = "/bin/sh";',
    '      args = [ "-c" "${script}\\necho ${pname} ${version} > $out" ];',
    '    };',
    'in',
    '{',
    '  inherit mk;',
    ...Object.entries(PACKAGES).map(([p, v]) => `  ${p} = mk { pname = "${p}"; version = "${v}"; };`),
    '}',
    '',
  ].join('\n');
}

function systemText(system: string): string {
  return `# A miniature nixpkgs.lib.nixosSystem: modules are functions of { config, pkgs, hostName }
# (or plain sets) returning roles, packages and settings; lists concatenate, settings merge.
let
  pkgs = import ./pkgs.nix;
  load = m: if builtins.isPath m then import m else m;
  merge = a: b: {
    roles = (a.roles or [ ]) ++ (b.roles or [ ]);
    packages = (a.packages or [ ]) ++ (b.packages or [ ]);
    settings = (a.settings or { }) // (b.settings or { });
  };
  toplevel =
    hostName: config:
    derivation {
      name = "nixos-system-\${hostName}";
      system = "${system}";
      builder = "/bin/sh";
      PATH = "/usr/bin:/bin";
      packages = config.packages;
      settings = builtins.toJSON config.settings;
      args = [
        "-c"
        ''
          mkdir -p $out/bin
          printf '%s\\n' "$settings" > $out/settings.json
          for p in $packages; do echo "$p" >> $out/packages; done
          printf '#!/bin/sh\\necho switch-to-configuration "$@"\\n' > $out/bin/switch-to-configuration
          chmod +x $out/bin/switch-to-configuration
        ''
      ];
    };
in
{
  nixosSystem =
    { hostName, modules }:
    let
      args = { inherit config pkgs hostName; };
      # A module and everything it imports, as a flat list of attribute sets.
      expand =
        m:
        let
          v0 = load m;
          v = if builtins.isFunction v0 then v0 args else v0;
        in
        [ (removeAttrs v [ "imports" ]) ] ++ builtins.concatMap expand (v.imports or [ ]);
      config = builtins.foldl' merge { } (builtins.concatMap expand modules);
    in
    {
      config = config // {
        system.build.toplevel = toplevel hostName config;
      };
    };
}
`;
}

const FLAKE = `{
  description = "tappaas fixture fleet (no nixpkgs)";

  outputs =
    { self }:
    let
      fleet = import ./nix/lib/system.nix;
      # One host per nix/hosts/<name>.nix, as in the toolkit's own flake.
      files = builtins.attrNames (builtins.readDir ./nix/hosts);
      hostNames = map (f: builtins.substring 0 (builtins.stringLength f - 4) f) (
        builtins.filter (f: builtins.match ".*\\\\.nix" f != null) files
      );
      mkHost =
        name:
        fleet.nixosSystem {
          hostName = name;
          modules = [
            ./nix/common.nix
            ./nix/modules
            (./nix/hardware + "/\${name}-hw.nix")
            (./nix/hosts + "/\${name}.nix")
          ];
        };
    in
    {
      nixosConfigurations = builtins.listToAttrs (
        map (name: {
          inherit name;
          value = mkHost name;
        }) hostNames
      );
    };
}
`;

export interface NixFleetOptions {
  hosts: number;
  /** Length of the shared computation in nix/common.nix (0: cheap). */
  expensive?: number;
}

export interface NixFleet {
  dir: string;
  hosts: string[];
  /** Repo-relative path of a host's file. */
  hostPath(name: string): string;
  /** (Re)writes a host and its hardware file; `index` picks role and port. */
  writeHost(name: string, index: number, spec?: HostSpec): void;
  removeHost(name: string): void;
  write(rel: string, text: string): void;
}

/** Writes the fixture fleet into `dir` (created if needed) and returns handles to change it. */
export function writeNixFleet(dir: string, opts: NixFleetOptions): NixFleet {
  const system = localSystem();
  const write = (rel: string, text: string) => {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  };
  const hostPath = (name: string) => `nix/hosts/${name}.nix`;
  const fleet: NixFleet = {
    dir,
    hosts: [],
    hostPath,
    write,
    writeHost(name, index, spec) {
      write(hostPath(name), hostText(name, index, spec));
      write(`nix/hardware/${name}-hw.nix`, hardwareText(name, index));
      if (!fleet.hosts.includes(name)) fleet.hosts.push(name);
    },
    removeHost(name) {
      rmSync(join(dir, hostPath(name)), { force: true });
      rmSync(join(dir, `nix/hardware/${name}-hw.nix`), { force: true });
      fleet.hosts = fleet.hosts.filter((h) => h !== name);
    },
  };
  write('flake.nix', FLAKE);
  write('nix/lib/system.nix', systemText(system));
  write('nix/lib/pkgs.nix', pkgsText(system));
  write('nix/common.nix', commonText(opts.expensive ?? 0));
  write(
    'nix/modules/default.nix',
    `# Every role module; each one acts only on hosts that list its role.\n{\n  imports = [ ${FIXTURE_ROLES.map((r) => `./${r}.nix`).join(' ')} ];\n}\n`,
  );
  for (const role of FIXTURE_ROLES) write(`nix/modules/${role}.nix`, roleText(role, ROLE_PACKAGE[role]!));
  for (let i = 0; i < opts.hosts; i++) fleet.writeHost(fixtureHostName(i), i);
  fleet.hosts.sort();
  return fleet;
}

/** Environment for running Nix on fixtures: offline, no user config, no sandbox needed. */
export function offlineNixEnv(): Record<string, string> {
  return {
    NIX_CONFIG: ['substituters =', 'experimental-features = nix-command flakes', 'sandbox = false'].join(
      '\n',
    ),
  };
}

/**
 * Breaks two hosts of a fixture fleet: `db1` fails to evaluate (an undefined name at its
 * line 7) and `cache2` evaluates but its package `broken-tool` fails to build.
 */
export function breakTwoHosts(f: NixFleet): void {
  f.writeHost('db1', 1, { lines: ['  settings.backupPort = portBase + 1;'] });
  f.writeHost('cache2', 2, {
    packages: [],
    lines: [
      '  packages = [',
      '    (pkgs.mk {',
      '      pname = "broken-tool";',
      '      version = "1.0";',
      '      script = "echo broken-tool: self-test failed >&2; exit 3";',
      '    })',
      '  ];',
    ],
  });
}
