// A small options index written to a temp file, for rule and trie tests that need no Nix:
// dotted paths (`users.users.<name>.isNormalUser`); a trailing `!` marks an option as closed
// (it has sub-options and no freeform type).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_VERSION, type OptionsIndexFile } from '../../scripts/nixos/options-index/index-file.js';

export function optionsIndex(host: string, paths: string[], errors: string[] = []): OptionsIndexFile {
  const split = (p: string) => p.replace(/!$/, '').split('.');
  return {
    version: INDEX_VERSION,
    host,
    flake: '/nowhere',
    key: '0000000000000000',
    keySource: 'flake.lock',
    createdAt: '2026-01-01T00:00:00.000Z',
    options: paths.map(split),
    closed: paths.filter((p) => p.endsWith('!')).map(split),
    errors: errors.map(split),
  };
}

/** Writes indexes to a fresh directory; returns their files. */
export function writeOptionsIndexes(...indexes: OptionsIndexFile[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-options-'));
  return indexes.map((index) => {
    const file = join(dir, `${index.host}.json`);
    writeFileSync(file, JSON.stringify(index));
    return file;
  });
}

/** Options of a NixOS-like host, enough for the rule tests. */
export const HOST_OPTIONS = [
  '_module.args',
  'boot.loader.systemd-boot.enable',
  'environment.systemPackages',
  'hardware.graphics.enable',
  'hardware.graphics.enable32Bit',
  'hardware.nvidia.open',
  'networking.firewall.allowedTCPPorts',
  'networking.firewall.enable',
  'networking.hostName',
  'nixpkgs.config',
  'services.nginx.enable',
  'services.nginx.virtualHosts!',
  'services.nginx.virtualHosts.<name>.locations!',
  'services.nginx.virtualHosts.<name>.locations.<name>.proxyPass',
  'services.nginx.virtualHosts.<name>.root',
  'services.openssh.enable',
  'services.openssh.settings',
  'services.openssh.settings.PermitRootLogin',
  'swapDevices!',
  'swapDevices.*.device',
  'system.stateVersion',
  'systemd.services!',
  'systemd.services.<name>.after',
  'systemd.services.<name>.script',
  'systemd.services.<name>.serviceConfig',
  'systemd.services.<name>.wantedBy',
  'users.users!',
  'users.users.<name>.extraGroups',
  'users.users.<name>.isNormalUser',
  'users.users.<name>.isSystemUser',
  'users.users.<name>.openssh.authorizedKeys.keys',
];
