import { describe, expect, it } from 'vitest';
import { fleetLayout } from '../../../scripts/config/fleet.js';
import { checkStructure } from '../../../scripts/fleet/structure.js';
import { fleetInput, guideFleet, HW } from './helpers.js';

interface Case {
  name: string;
  files: Record<string, string | null>;
  /** Expected findings as `rule file:line:column`; exactly these, nothing else. */
  expected: string[];
  /** A part of the first finding's message. */
  says?: string;
}

const LITERAL_FLAKE = `{
  outputs = { nixpkgs, ... }: let
    mk = name: nixpkgs.lib.nixosSystem {
      modules = [ ./nix/common.nix ./nix/modules (./nix/hardware + "/\${name}-hw.nix") (./nix/hosts + "/\${name}.nix") ];
    };
  in {
    nixosConfigurations = {
      web1 = mk "web1";
      db1 = mk "db1";
    };
  };
}
`;

const cases: Case[] = [
  { name: 'the guide layout with hosts generated from the folder is clean', files: {}, expected: [] },
  {
    name: 'a host without its hardware file',
    files: { 'nix/hardware/db1-hw.nix': null },
    expected: ['fleet-missing-hardware nix/hosts/db1.nix:1:1'],
    says: 'nix/hardware/db1-hw.nix',
  },
  {
    name: 'a hardware file without its host',
    files: { 'nix/hardware/old-hw.nix': HW },
    expected: ['fleet-orphan-hardware nix/hardware/old-hw.nix:1:1'],
    says: 'nix/hosts/old.nix does not exist',
  },
  {
    name: 'other .nix files in the hardware folder are shared modules, not hosts',
    files: {
      'nix/hardware/common-gpu.nix': HW,
      'nix/modules/default.nix':
        '{ imports = [ ./roles/web.nix ./roles/db.nix ../hardware/common-gpu.nix ]; }',
    },
    expected: [],
  },
  {
    name: 'a host name that is not an RFC 1123 label',
    files: { 'nix/hosts/web_2.nix': '{ tappaas.roles.web.enable = true; }', 'nix/hardware/web_2-hw.nix': HW },
    expected: ['fleet-host-name nix/hosts/web_2.nix:1:1'],
    says: 'is not an RFC 1123 label',
  },
  {
    name: 'host names that collide after case folding',
    files: { 'nix/hosts/Web1.nix': '{ tappaas.roles.web.enable = true; }', 'nix/hardware/Web1-hw.nix': HW },
    expected: ['fleet-host-name nix/hosts/Web1.nix:1:1', 'fleet-host-name-collision nix/hosts/web1.nix:1:1'],
  },
  {
    name: 'networking.hostName that disagrees with the file name',
    files: {
      'nix/hosts/web1.nix': '{\n  tappaas.roles.web.enable = true;\n  networking.hostName = "web2";\n}\n',
    },
    expected: ['fleet-hostname-mismatch nix/hosts/web1.nix:3:25'],
    says: 'networking.hostName is "web2"',
  },
  {
    name: 'networking.hostName that agrees, also under mkDefault and nested sets',
    files: {
      'nix/hosts/web1.nix':
        '{ lib, ... }: { tappaas.roles.web.enable = true; networking = { hostName = lib.mkDefault "web1"; }; }',
    },
    expected: [],
  },
  {
    name: 'a host with no role',
    files: { 'nix/hosts/db1.nix': '{ services.postgresql.enable = true; }' },
    expected: ['fleet-role-count nix/hosts/db1.nix:1:1'],
    says: 'enables no role',
  },
  {
    name: 'a role set to false is no role',
    files: { 'nix/hosts/db1.nix': '{ tappaas.roles.db.enable = false; }' },
    expected: ['fleet-role-count nix/hosts/db1.nix:1:1'],
  },
  {
    name: 'a host with two roles (nested spelling), reported at the second',
    files: {
      'nix/hosts/db1.nix':
        '{\n  tappaas.roles.db.enable = true;\n  tappaas.roles = { web = { enable = true; }; };\n}\n',
    },
    expected: ['fleet-role-count nix/hosts/db1.nix:3:29'],
    says: 'enables 2 roles (db, web)',
  },
  {
    name: 'a role enabled in the common module counts for every host',
    files: { 'nix/common.nix': '{ tappaas.roles.web.enable = true; }' },
    expected: ['fleet-role-count nix/hosts/db1.nix:1:3'],
    says: 'enables 2 roles (web, db)',
  },
  {
    name: 'a module file nothing imports',
    files: { 'nix/modules/old.nix': '{ services.nginx.enable = true; }' },
    expected: ['fleet-unimported-file nix/modules/old.nix:1:1'],
    says: 'imported by nothing reachable from flake.nix',
  },
  {
    name: 'files imported by `import ./x.nix`, nested imports and folder imports are used',
    files: {
      'nix/common.nix':
        '{ hostName, ... }: let keys = import ./keys.nix; in { users.users.root.openssh.authorizedKeys.keys = keys; }',
      'nix/keys.nix': '[ "ssh-ed25519 AAAA" ]',
      'nix/modules/roles/web.nix':
        '{ lib, ... }: { imports = [ ./web ]; options.tappaas.roles.web.enable = lib.mkEnableOption "web"; }',
      'nix/modules/roles/web/default.nix': '{ imports = [ ./nginx.nix ]; }',
      'nix/modules/roles/web/nginx.nix': '{ }',
    },
    expected: [],
  },
  {
    name: 'modules loaded with builtins.readDir are used',
    files: {
      'nix/modules/default.nix': `{ lib, ... }: { imports = map (n: ./roles + "/\${n}") (builtins.attrNames (builtins.readDir ./roles)); }`,
    },
    expected: [],
  },
  {
    name: 'a syntax error anywhere turns the import check off (no false orphans)',
    files: {
      'nix/modules/old.nix': '{ a = ; }',
      'nix/modules/default.nix': '{ imports = [ ./roles/web.nix ./roles/db.nix  }',
    },
    expected: [],
  },
  {
    name: 'a flake listing hosts literally, in agreement',
    files: { 'flake.nix': LITERAL_FLAKE },
    expected: [],
  },
  {
    name: 'a flake listing a host without a file and missing a host',
    files: {
      'flake.nix': LITERAL_FLAKE.replace('db1 = mk "db1";', 'ghost = mk "ghost";'),
    },
    expected: ['fleet-flake-hosts flake.nix:7:5', 'fleet-flake-hosts flake.nix:9:7'],
  },
  {
    name: 'a flake listing hosts in dotted form',
    files: {
      'flake.nix':
        '{ outputs = { self }: { nixosConfigurations.web1 = import ./nix/hosts/web1.nix; nixosConfigurations.db1 = import ./nix/hosts/db1.nix; }; }',
      'nix/modules/default.nix': '{ }',
    },
    // Without the flake naming them, the common module, modules and hardware files are orphans.
    expected: [
      'fleet-unimported-file nix/common.nix:1:1',
      'fleet-unimported-file nix/hardware/db1-hw.nix:1:1',
      'fleet-unimported-file nix/hardware/web1-hw.nix:1:1',
      'fleet-unimported-file nix/modules/default.nix:1:1',
      'fleet-unimported-file nix/modules/roles/db.nix:1:1',
      'fleet-unimported-file nix/modules/roles/web.nix:1:1',
    ],
  },
  {
    name: 'a flake without nixosConfigurations',
    files: { 'flake.nix': '{ outputs = { self }: { packages = { }; }; }' },
    expected: [
      'fleet-flake-hosts flake.nix:1:1',
      ...[
        'nix/common.nix',
        'nix/hardware/db1-hw.nix',
        'nix/hardware/web1-hw.nix',
        'nix/hosts/db1.nix',
        'nix/hosts/web1.nix',
      ].map((f) => `fleet-unimported-file ${f}:1:1`),
      ...['nix/modules/default.nix', 'nix/modules/roles/db.nix', 'nix/modules/roles/web.nix'].map(
        (f) => `fleet-unimported-file ${f}:1:1`,
      ),
    ],
  },
  {
    name: 'without a flake, the common, host and hardware files are the roots',
    files: { 'flake.nix': null, 'nix/modules/stray.nix': '{ }' },
    expected: ['fleet-unimported-file nix/modules/stray.nix:1:1'],
  },
];

describe('checkStructure', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const found = checkStructure(await fleetInput(guideFleet(c.files)));
      const shown = found.map((d) => `${d.rule} ${d.file}:${d.line}:${d.column}`).sort();
      expect(shown).toEqual([...c.expected].sort());
      if (c.says) expect(found[0]!.message).toContain(c.says);
      for (const d of found) expect(d.message).toMatch(/\. [A-Z].*\.$/); // every message ends with its fix
    });
  }

  it('follows the layout of tappaas.json fleet', async () => {
    const layout = fleetLayout({
      root: 'fleet',
      hosts: 'fleet/machines',
      hardware: 'fleet/hw',
      common: 'fleet/base.nix',
      flake: 'flake.nix',
    });
    const files = {
      'flake.nix': `{ outputs = { nixpkgs, ... }: { nixosConfigurations = nixpkgs.lib.genAttrs (builtins.attrNames (builtins.readDir ./fleet/machines)) (n: nixpkgs.lib.nixosSystem { modules = [ ./fleet/base.nix ./fleet/hw/\${n}-hw.nix ]; }); }; }`,
      'fleet/base.nix': '{ }',
      'fleet/machines/a.nix': '{ tappaas.roles.web.enable = true; }',
      'fleet/hw/a-hw.nix': HW,
      'fleet/machines/b.nix': '{ tappaas.roles.web.enable = true; }',
    };
    const found = checkStructure(await fleetInput(files, layout));
    expect(found.map((d) => `${d.rule} ${d.file}`)).toEqual(['fleet-missing-hardware fleet/machines/b.nix']);
    expect(found[0]!.message).toContain('fleet/hw/b-hw.nix');
  });
});
