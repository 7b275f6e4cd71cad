// A fleet described as { path: source } for the unit tables: facts come from the real parser.

import { type FleetLayout, fleetLayout } from '../../../scripts/config/fleet.js';
import { type FileFacts, fileFacts } from '../../../scripts/fleet/facts.js';
import { fleetNixFiles } from '../../../scripts/fleet/layout.js';
import type { FleetInput } from '../../../scripts/fleet/structure.js';

export const HW = '{ fileSystems."/".device = "/dev/sda1"; }\n';

/** The guide's layout with hosts generated from the folder; `extra` adds or replaces files (null removes). */
export function guideFleet(extra: Record<string, string | null> = {}): Record<string, string> {
  const base: Record<string, string | null> = {
    'flake.nix': `{
  outputs = { nixpkgs, ... }: let
    lib = nixpkgs.lib;
    hostNames = map (lib.removeSuffix ".nix") (builtins.attrNames (builtins.readDir ./nix/hosts));
    mkHost = name: lib.nixosSystem {
      modules = [ ./nix/common.nix ./nix/modules (./nix/hardware + "/\${name}-hw.nix") (./nix/hosts + "/\${name}.nix") ];
    };
  in { nixosConfigurations = lib.genAttrs hostNames mkHost; };
}
`,
    'nix/common.nix':
      '{ hostName, ... }: { networking.hostName = hostName; system.stateVersion = "25.05"; }\n',
    'nix/modules/default.nix': '{ imports = [ ./roles/web.nix ./roles/db.nix ]; }\n',
    'nix/modules/roles/web.nix':
      '{ lib, ... }: { options.tappaas.roles.web.enable = lib.mkEnableOption "web"; }\n',
    'nix/modules/roles/db.nix':
      '{ lib, ... }: { options.tappaas.roles.db.enable = lib.mkEnableOption "db"; }\n',
    'nix/hosts/web1.nix': '{ tappaas.roles.web.enable = true; }\n',
    'nix/hardware/web1-hw.nix': HW,
    'nix/hosts/db1.nix': '{ tappaas.roles.db.enable = true; }\n',
    'nix/hardware/db1-hw.nix': HW,
    ...extra,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== null));
}

export async function fleetInput(
  files: Record<string, string>,
  layout: FleetLayout = fleetLayout(undefined),
): Promise<FleetInput> {
  const list = Object.keys(files).sort();
  const facts = new Map<string, FileFacts>();
  for (const file of fleetNixFiles(list, layout)) {
    facts.set(file, await fileFacts(file, files[file]!, { flake: file === layout.flake }));
  }
  return { layout, files: list, facts };
}
