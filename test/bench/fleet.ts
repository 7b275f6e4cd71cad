// A generated fleet in the guide's layout (nix/common.nix, nix/hosts/<h>.nix,
// nix/hardware/<h>-hw.nix, nix/modules/<role>.nix, flake.nix) for the hook benchmark. Seeded,
// so every run pushes the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { moduleFile, prng } from './corpus.js';

const ROLES = ['web', 'db', 'cache', 'proxy', 'backup', 'monitor', 'mail', 'dns', 'vpn', 'git', 'ci', 'auth'];

export function hostName(i: number): string {
  return `${ROLES[i % ROLES.length]}${i}`;
}

function hostText(name: string, roles: string[]): string {
  return [
    `# Host ${name}.`,
    '{ lib, ... }:',
    '{',
    '  imports = [',
    `    ../hardware/${name}-hw.nix`,
    '    ../common.nix',
    ...roles.map((r) => `    ../modules/${r}.nix`),
    '  ];',
    `  networking.hostName = "${name}";`,
    ...roles.map((r) => `  tappaas.${r}.enable = true;`),
    // The host's one platform role (the fleet structure checks count these).
    `  tappaas.roles.${roles[0]}.enable = true;`,
    '}',
    '',
  ].join('\n');
}

export function hardwareText(name: string, serial: number): string {
  return [
    `# Hardware of ${name}, as nixos-generate-config wrote it on first boot.`,
    '{ config, lib, modulesPath, ... }:',
    '{',
    '  imports = [ (modulesPath + "/profiles/qemu-guest.nix") ];',
    '  boot.initrd.availableKernelModules = [ "ata_piix" "uhci_hcd" "virtio_pci" "virtio_scsi" "sd_mod" ];',
    '  boot.kernelModules = [ ];',
    '  fileSystems."/" = {',
    `    device = "/dev/disk/by-uuid/${serial.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000";`,
    '    fsType = "ext4";',
    '  };',
    '  swapDevices = [ ];',
    '  networking.useDHCP = lib.mkDefault true;',
    '  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";',
    '}',
    '',
  ].join('\n');
}

const COMMON = `# Settings every host shares.
{ lib, pkgs, ... }:
{
  time.timeZone = "Europe/Copenhagen";
  services.openssh.enable = true;
  services.openssh.settings.PasswordAuthentication = false;
  environment.systemPackages = with pkgs; [ git vim htop ];
  system.stateVersion = "24.11";
}
`;

export interface Fleet {
  files: string[];
  bytes: number;
}

/** Writes a fleet of `hosts` hosts under `dir` (plus `extra` files, e.g. tappaas.json). */
export function writeFleet(dir: string, hosts: number, extra: Record<string, string> = {}, seed = 4): Fleet {
  const rand = prng(seed);
  const out: Fleet = { files: [], bytes: 0 };
  const write = (rel: string, text: string) => {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    out.files.push(rel);
    out.bytes += Buffer.byteLength(text);
  };
  for (const [rel, text] of Object.entries(extra)) write(rel, text);
  write('nix/common.nix', COMMON);
  for (const role of ROLES)
    write(`nix/modules/${role}.nix`, moduleFile(rand, role, 2 + Math.floor(rand() * 10)));
  const hostList: string[] = [];
  for (let i = 0; i < hosts; i++) {
    const name = hostName(i);
    hostList.push(name);
    const roles = [
      ROLES[i % ROLES.length]!,
      ...(rand() < 0.4 ? [ROLES[Math.floor(rand() * ROLES.length)]!] : []),
    ];
    write(`nix/hosts/${name}.nix`, hostText(name, [...new Set(roles)]));
    write(`nix/hardware/${name}-hw.nix`, hardwareText(name, i));
  }
  write(
    'flake.nix',
    [
      '{',
      '  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";',
      '  outputs = { self, nixpkgs }: {',
      '    nixosConfigurations = builtins.listToAttrs (map (name: {',
      '      inherit name;',
      `      value = nixpkgs.lib.nixosSystem { modules = [ (./nix/hosts + "/\${name}.nix") ]; };`,
      `    }) [ ${hostList.map((h) => `"${h}"`).join(' ')} ]);`,
      '  };',
      '}',
      '',
    ].join('\n'),
  );
  return out;
}
