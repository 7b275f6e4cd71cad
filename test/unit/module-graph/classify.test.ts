// What each file of a repository is, from its import graph: a small fleet shaped like the
// public ones (a flake with NixOS hosts, home-manager users by host name, module outputs,
// packages, a shell, a file nothing imports).
import { describe, expect, it } from 'vitest';
import { classifyFiles, type FileKind } from '../../../scripts/module-graph/classify.js';
import { type ModuleFacts, moduleFactsOf } from '../../../scripts/module-graph/facts.js';

const FLEET: Record<string, string> = {
  'flake.nix': `{
  inputs.sops-nix.url = "github:Mic92/sops-nix";
  inputs.home-manager = { url = "github:nix-community/home-manager"; inputs.nixpkgs.follows = "nixpkgs"; };
  outputs = { self, nixpkgs, home-manager, ... }@inputs:
    let lib = nixpkgs.lib; in {
      nixosModules = import ./modules/nixos;
      homeManagerModules = import ./modules/home-manager;
      nixosConfigurations.web = lib.nixosSystem { modules = [ ./hosts/web ]; };
      homeConfigurations."me@laptop" = home-manager.lib.homeManagerConfiguration { modules = [ ./home/me/laptop.nix ]; };
      packages.x86_64-linux.tool = nixpkgs.legacyPackages.x86_64-linux.callPackage ./pkgs/tool { };
      devShells.x86_64-linux.default = import ./shell.nix { pkgs = nixpkgs.legacyPackages.x86_64-linux; };
    };
}
`,
  'hosts/web/default.nix': `{ config, ... }: {
  imports = [ ../common ./hardware.nix ];
  home-manager.users.me = import ../../home/me/\${config.networking.hostName}.nix;
}
`,
  'hosts/web/hardware.nix': '{ boot.loader.grub.enable = true; }\n',
  'hosts/common/default.nix': '{ config, ... }: { imports = [ ./users.nix ]; }\n',
  'hosts/common/users.nix': '{ users.users.me.isNormalUser = true; }\n',
  'home/me/web.nix': '{ imports = [ ./features/cli ]; }\n',
  'home/me/laptop.nix': '{ imports = [ ./features/cli ]; }\n',
  'home/me/features/cli/default.nix': '{ pkgs, ... }: { home.packages = [ pkgs.jq ]; }\n',
  'modules/nixos/default.nix': '{ backup = import ./backup.nix; }\n',
  'modules/nixos/backup.nix': '{ lib, ... }: { options.backup.enable = lib.mkEnableOption "backups"; }\n',
  'modules/home-manager/default.nix': '{ fonts = import ./fonts.nix; }\n',
  'modules/home-manager/fonts.nix': '{ lib, ... }: { options = { fontProfiles = lib.mkOption { }; }; }\n',
  'pkgs/tool/default.nix': '{ stdenv }: stdenv.mkDerivation { name = "tool"; }\n',
  'shell.nix': '{ pkgs ? import <nixpkgs> { } }: pkgs.mkShell { }\n',
  'unused.nix': '{ services.foo.enable = true; }\n',
};

async function factsOf(files: Record<string, string>): Promise<Map<string, ModuleFacts>> {
  const facts = new Map<string, ModuleFacts>();
  for (const [file, source] of Object.entries(files))
    facts.set(file, await moduleFactsOf(file, source, { flake: file === 'flake.nix' }));
  return facts;
}

function summary(kind: FileKind | undefined): string {
  if (!kind) return 'missing';
  const parts: string[] = [...kind.classes];
  if (kind.plain) parts.push('plain');
  if (kind.unknown) parts.push('unknown');
  return `${parts.join('+')}${kind.fromFlake ? '' : ' (not from the flake)'}`;
}

describe('classifyFiles', () => {
  it('places every file of a fleet shaped like the public ones', async () => {
    const facts = await factsOf(FLEET);
    const graph = classifyFiles({ files: Object.keys(FLEET), facts, flake: 'flake.nix' });
    const got = Object.fromEntries(Object.keys(FLEET).map((f) => [f, summary(graph.kinds.get(f))]));
    expect(got).toEqual({
      'flake.nix': 'plain',
      'hosts/web/default.nix': 'nixos',
      'hosts/web/hardware.nix': 'nixos',
      'hosts/common/default.nix': 'nixos',
      'hosts/common/users.nix': 'nixos',
      'home/me/web.nix': 'home-manager',
      'home/me/laptop.nix': 'home-manager',
      'home/me/features/cli/default.nix': 'home-manager',
      'modules/nixos/default.nix': 'plain',
      'modules/nixos/backup.nix': 'nixos',
      'modules/home-manager/default.nix': 'plain',
      'modules/home-manager/fonts.nix': 'home-manager',
      'pkgs/tool/default.nix': 'plain',
      'shell.nix': 'plain',
      'unused.nix': 'unknown (not from the flake)',
    });
    expect(graph.hasFlake).toBe(true);
    expect(graph.usesColmena).toBe(false);
    expect(facts.get('modules/nixos/backup.nix')?.declares).toEqual(['backup']);
    expect(facts.get('modules/home-manager/fonts.nix')?.declares).toEqual(['fontProfiles']);
    expect(facts.get('flake.nix')?.inputs).toEqual([
      { name: 'sops-nix', url: 'github:Mic92/sops-nix' },
      { name: 'home-manager', url: 'github:nix-community/home-manager' },
    ]);
  });

  it('flake-parts modules, colmena hives and helpers that call nixosSystem outside the flake', async () => {
    const files = {
      'flake.nix': `{ outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } {
  imports = [ ./parts/hosts.nix ];
  flake.colmena = { meta.nixpkgs = 1; web1 = ./hive/web1.nix; };
}; }
`,
      'parts/hosts.nix': '{ ... }: { perSystem = { pkgs, ... }: { packages.x = pkgs.hello; }; }\n',
      'hive/web1.nix': '{ deployment.tags = [ "web" ]; }\n',
      'lib/mk-host.nix': '{ lib }: name: lib.nixosSystem { modules = [ ../machines/db.nix ]; }\n',
      'machines/db.nix': '{ services.postgresql.enable = true; }\n',
    };
    const graph = classifyFiles({
      files: Object.keys(files),
      facts: await factsOf(files),
      flake: 'flake.nix',
    });
    expect(summary(graph.kinds.get('parts/hosts.nix'))).toBe('flake-parts');
    expect(summary(graph.kinds.get('hive/web1.nix'))).toBe('nixos');
    expect(summary(graph.kinds.get('lib/mk-host.nix'))).toBe('unknown (not from the flake)');
    // Unreached, but the helper says what it is.
    expect(summary(graph.kinds.get('machines/db.nix'))).toBe('nixos+unknown (not from the flake)');
    expect(graph.usesColmena).toBe(true);
  });

  it('without a flake, a root configuration.nix is a NixOS module and the rest is placed from there', async () => {
    const files = {
      'configuration.nix': '{ imports = [ ./hardware-configuration.nix ]; }\n',
      'hardware-configuration.nix': '{ boot.loader.grub.device = "/dev/vda"; }\n',
      'default.nix': '{ pkgs ? import <nixpkgs> { } }: pkgs.hello\n',
    };
    const graph = classifyFiles({
      files: Object.keys(files),
      facts: await factsOf(files),
      flake: 'flake.nix',
    });
    expect(graph.hasFlake).toBe(false);
    expect(summary(graph.kinds.get('hardware-configuration.nix'))).toBe('nixos');
    expect(summary(graph.kinds.get('default.nix'))).toBe('unknown (not from the flake)');
  });

  it('folders read as module lists, and patterns that name folders with a default.nix', async () => {
    const files = {
      'flake.nix': `{ outputs = { nixpkgs, ... }: {
  nixosConfigurations = nixpkgs.lib.genAttrs [ "a" ] (name: nixpkgs.lib.nixosSystem {
    modules = [ (./hosts + "/\${name}") ] ++ nixpkgs.lib.filesystem.listFilesRecursive ./modules;
  });
}; }
`,
      'hosts/a/default.nix': '{ imports = [ ]; }\n',
      'modules/x.nix': '{ }\n',
      'modules/deep/y.nix': '{ }\n',
    };
    const graph = classifyFiles({
      files: Object.keys(files),
      facts: await factsOf(files),
      flake: 'flake.nix',
    });
    expect(summary(graph.kinds.get('hosts/a/default.nix'))).toBe('nixos');
    expect(summary(graph.kinds.get('modules/x.nix'))).toBe('nixos');
    expect(summary(graph.kinds.get('modules/deep/y.nix'))).toBe('nixos');
  });
});
