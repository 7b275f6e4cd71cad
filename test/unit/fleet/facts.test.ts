import { describe, expect, it } from 'vitest';
import { fleetLayout, normalizePath } from '../../../scripts/config/fleet.js';
import { fileFacts, type PathRef } from '../../../scripts/fleet/facts.js';
import { hardwareEntries, hostEntries } from '../../../scripts/fleet/layout.js';

function refs(list: PathRef[]): string[] {
  return list.map((r) =>
    r.kind === 'path'
      ? `path ${r.target}`
      : r.kind === 'folder'
        ? `folder ${r.dir}`
        : `pattern ${r.dir} ${r.prefix}*${r.suffix}`,
  );
}

describe('fileFacts: references', () => {
  const table: [string, string, string[]][] = [
    [
      'imports list',
      '{ imports = [ ./a.nix ../b.nix ./roles ]; }',
      ['path nix/modules/a.nix', 'path nix/b.nix', 'path nix/modules/roles'],
    ],
    ['import expression', 'let k = import ./keys.nix; in { }', ['path nix/modules/keys.nix']],
    [
      'folder plus interpolated string',
      `{ m = ./hw + "/\${n}-hw.nix"; }`,
      ['pattern nix/modules/hw *-hw.nix'],
    ],
    ['folder plus static string', '{ m = ./hw + "/x-hw.nix"; }', ['path nix/modules/hw/x-hw.nix']],
    ['interpolated path', `{ m = ./hosts/\${n}.nix; }`, ['pattern nix/modules/hosts *.nix']],
    ['readDir', '{ n = builtins.readDir ./roles; }', ['folder nix/modules/roles']],
    ['readDir in parentheses', '{ n = builtins.readDir (./roles); }', ['folder nix/modules/roles']],
    [
      'absolute, home and search paths are outside the fleet',
      '{ a = /etc/x.nix; b = ~/x.nix; c = <nixpkgs>; }',
      [],
    ],
    ['paths leaving the repository are ignored', '{ a = ../../../x.nix; }', []],
  ];
  for (const [name, source, expected] of table) {
    it(name, async () => expect(refs((await fileFacts('nix/modules/m.nix', source)).refs)).toEqual(expected));
  }
});

describe('fileFacts: definitions', () => {
  it('reads roles, hostName and stateVersion through the module spellings', async () => {
    const f = await fileFacts(
      'nix/hosts/a.nix',
      '{ lib, ... }: {\n  config = lib.mkMerge [ { tappaas.roles.web.enable = true; } ];\n  config.networking.hostName = "a";\n}\n',
    );
    // The explicit form with two `config` bindings is rejected by Nix; the facts still read it.
    expect(f.roles.map((r) => r.value)).toEqual(['web']);
    expect(f.hostName?.value).toBe('a');
    const g = await fileFacts('nix/common.nix', '{\n  system.stateVersion = "25.05";\n}\n');
    expect(g.stateVersion).toEqual({
      value: '25.05',
      range: { line: 2, column: 25, endLine: 2, endColumn: 32 },
    });
  });

  it('does not take computed values', async () => {
    const f = await fileFacts(
      'x.nix',
      '{ hostName, ... }: { networking.hostName = hostName; tappaas.roles.web.enable = cond; }',
    );
    expect(f.hostName).toBeUndefined();
    expect(f.roles).toEqual([]);
  });
});

describe('fileFacts: flake hosts', () => {
  const table: [string, string, { generated: boolean; names: string[] } | undefined][] = [
    [
      'computed',
      '{ outputs = _: { nixosConfigurations = lib.genAttrs names mk; }; }',
      { generated: true, names: [] },
    ],
    [
      'a set',
      '{ outputs = _: { nixosConfigurations = { a = 1; "b" = 2; inherit c; }; }; }',
      { generated: false, names: ['a', 'b', 'c'] },
    ],
    [
      'dotted',
      '{ outputs = _: { nixosConfigurations.a = 1; nixosConfigurations.b.x = 2; }; }',
      { generated: false, names: ['a', 'b'] },
    ],
    ['dynamic key', `{ outputs = _: { nixosConfigurations.\${n} = 1; }; }`, { generated: true, names: [] }],
    ['none', '{ outputs = _: { packages = { }; }; }', undefined],
  ];
  for (const [name, source, expected] of table) {
    it(name, async () => {
      const f = (await fileFacts('flake.nix', source, { flake: true })).flakeHosts;
      expect(f && { generated: f.generated, names: f.names.map((n) => n.value) }).toEqual(expected);
    });
  }
});

describe('layout', () => {
  it('defaults to the guide and normalizes configured paths', () => {
    expect(fleetLayout(undefined)).toEqual({
      root: 'nix',
      common: 'nix/common.nix',
      hosts: 'nix/hosts',
      hardware: 'nix/hardware',
      modules: 'nix/modules',
      flake: 'flake.nix',
    });
    expect(fleetLayout({ hosts: './fleet/hosts/', root: '' }).hosts).toBe('fleet/hosts');
    expect(normalizePath('./a//b/../c/')).toBe('a/c');
  });

  it('finds hosts and hardware directly in their folders only', () => {
    const layout = fleetLayout(undefined);
    const files = [
      'nix/hosts/a.nix',
      'nix/hosts/sub/b.nix',
      'nix/hosts/README.md',
      'nix/hardware/a-hw.nix',
      'nix/hardware/gpu.nix',
      'nix/hardware/-hw.nix',
    ];
    expect(hostEntries(files, layout)).toEqual([{ name: 'a', file: 'nix/hosts/a.nix' }]);
    expect(hardwareEntries(files, layout)).toEqual([{ name: 'a', file: 'nix/hardware/a-hw.nix' }]);
  });
});
