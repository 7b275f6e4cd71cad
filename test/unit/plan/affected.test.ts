import { describe, expect, it } from 'vitest';
import { type Affected, affectedHosts, type TreeFacts } from '../../../scripts/plan/affected.js';
import { parseNameStatus, touchedPaths } from '../../../scripts/plan/changes.js';
import { type FileDeps, fileDeps } from '../../../scripts/plan/file-deps.js';
import { hostGraph, listing } from '../../../scripts/plan/import-graph.js';

const FLAKE = `{
  outputs = { nixpkgs, ... }: let
    lib = nixpkgs.lib;
    hostNames = map (lib.removeSuffix ".nix") (builtins.attrNames (builtins.readDir ./nix/hosts));
    mkHost = name: lib.nixosSystem {
      modules = [ ./nix/common.nix ./nix/modules (./nix/hardware + "/\${name}-hw.nix") (./nix/hosts + "/\${name}.nix") ];
    };
  in { nixosConfigurations = lib.genAttrs hostNames mkHost; };
}
`;

const ROLE = (role: string, port: number) => `{ config, lib, ... }:
let
  cfg = config.tappaas.roles.${role};
in
{
  options.tappaas.roles.${role}.enable = lib.mkEnableOption "${role}";
  config = lib.mkIf cfg.enable {
    services.${role}.port = ${port};
  };
}
`;

const HW = '{ fileSystems."/".device = "/dev/sda1"; }\n';

function fleet(extra: Record<string, string | null> = {}): Record<string, string> {
  const base: Record<string, string | null> = {
    'flake.nix': FLAKE,
    'flake.lock': '{}',
    'README.md': '# fleet\n',
    'nix/common.nix':
      '{ hostName, ... }: let keys = import ./keys.nix; in { networking.hostName = hostName; }\n',
    'nix/keys.nix': '{ admins = [ ]; }\n',
    'nix/modules/default.nix': '{ imports = [ ./roles/web.nix ./roles/db.nix ]; }\n',
    'nix/modules/roles/web.nix': ROLE('web', 80),
    'nix/modules/roles/db.nix': ROLE('db', 5432),
    'nix/hosts/web1.nix': '{ tappaas.roles.web.enable = true; }\n',
    'nix/hosts/web2.nix': '{ tappaas.roles.web.enable = true; environment.etc.motd.source = ./motd.txt; }\n',
    'nix/hosts/motd.txt': 'hello\n',
    'nix/hosts/db1.nix':
      '{ pkgs, ... }: { tappaas.roles.db.enable = true; environment.systemPackages = [ (pkgs.callPackage ../pkgs/tool.nix { }) ]; }\n',
    'nix/pkgs/tool.nix': '{ runCommand }: runCommand "tool" { } "touch $out"\n',
    'nix/hardware/web1-hw.nix': HW,
    'nix/hardware/web2-hw.nix': HW,
    'nix/hardware/db1-hw.nix': HW,
    ...extra,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== null));
}

async function facts(files: Record<string, string>, hosts?: string[]): Promise<TreeFacts> {
  const names =
    hosts ??
    Object.keys(files)
      .filter((f) => /^nix\/hosts\/[^/]+\.nix$/.test(f))
      .map((f) => f.slice('nix/hosts/'.length, -4));
  const deps = new Map<string, FileDeps>();
  for (const [file, text] of Object.entries(files)) {
    if (file.endsWith('.nix')) deps.set(file, await fileDeps(file, text, { flake: file === 'flake.nix' }));
  }
  const tree = listing(Object.keys(files).sort());
  return { graph: hostGraph({ tree, deps, hosts: names, flake: 'flake.nix' }), deps, hosts: names };
}

/** Affected hosts of a change from `before` to `after` (null deletes a file). */
async function plan(changes: Record<string, string | null>, before = fleet()): Promise<Affected> {
  const after = { ...before };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete after[k];
    else after[k] = v;
  }
  return affectedHosts({
    base: await facts(before),
    head: await facts(after),
    changed: Object.keys(changes),
    flake: 'flake.nix',
    lock: 'flake.lock',
    fleetRoot: 'nix',
  });
}

const names = (a: Affected) => [...a.hosts.keys()].sort();

describe('affectedHosts', () => {
  it('a host file affects that host only', async () => {
    const a = await plan({ 'nix/hosts/web1.nix': '{ tappaas.roles.web.enable = true; x = 1; }\n' });
    expect(a.all).toBeUndefined();
    expect(names(a)).toEqual(['web1']);
    expect(a.hosts.get('web1')).toEqual(['nix/hosts/web1.nix']);
  });

  it('a hardware file (flake pattern with the host name) affects its host', async () => {
    expect(names(await plan({ 'nix/hardware/db1-hw.nix': '{ }\n' }))).toEqual(['db1']);
  });

  it('the common module, and what it imports, affect every host', async () => {
    expect(names(await plan({ 'nix/common.nix': '{ ... }: { }\n' }))).toEqual(['db1', 'web1', 'web2']);
    expect(names(await plan({ 'nix/keys.nix': '{ admins = [ "k" ]; }\n' }))).toEqual(['db1', 'web1', 'web2']);
  });

  it('flake.nix and flake.lock affect all', async () => {
    const a = await plan({ 'flake.lock': '{"nodes":{}}' });
    expect(a.all).toBe('flake.lock changed');
    expect(names(a)).toEqual(['db1', 'web1', 'web2']);
    expect((await plan({ 'flake.nix': `${FLAKE}\n` })).all).toBe('flake.nix changed');
  });

  it('a change inside a role body affects the hosts enabling the role', async () => {
    expect(names(await plan({ 'nix/modules/roles/web.nix': ROLE('web', 8080) }))).toEqual(['web1', 'web2']);
    expect(names(await plan({ 'nix/modules/roles/db.nix': ROLE('db', 5433) }))).toEqual(['db1']);
  });

  it('a role change outside its body, or a new name inside it, affects every importer', async () => {
    const options = ROLE('web', 80).replace('mkEnableOption "web"', 'mkEnableOption "the web role"');
    expect(names(await plan({ 'nix/modules/roles/web.nix': options }))).toEqual(['db1', 'web1', 'web2']);
    const newName = ROLE('web', 80).replace('port = 80;', 'port = 80; services.other.enable = true;');
    expect(names(await plan({ 'nix/modules/roles/web.nix': newName }))).toEqual(['db1', 'web1', 'web2']);
  });

  it('a role enabled by a computed value is not narrowed', async () => {
    const before = fleet({
      'nix/hosts/db1.nix': '{ lib, ... }: { tappaas.roles.web.enable = lib.mkDefault (1 == 2); }\n',
    });
    const a = await plan({ 'nix/modules/roles/web.nix': ROLE('web', 8080) }, before);
    expect(names(a)).toEqual(['db1', 'web1', 'web2']);
  });

  it('a data file and a callPackage file affect the hosts that refer to them', async () => {
    expect(names(await plan({ 'nix/hosts/motd.txt': 'bye\n' }))).toEqual(['web2']);
    expect(
      names(await plan({ 'nix/pkgs/tool.nix': '{ runCommand }: runCommand "tool2" { } "x"\n' })),
    ).toEqual(['db1']);
  });

  it('a file outside the fleet that nothing refers to affects no host', async () => {
    const a = await plan({ 'README.md': '# changed\n', 'scripts/x.ts': 'x' });
    expect(names(a)).toEqual([]);
    expect(a.ignored).toEqual(['README.md', 'scripts/x.ts']);
  });

  it('a fleet file no host imports affects all (it may be read in a way we cannot see)', async () => {
    const a = await plan({ 'nix/stray.nix': '{ }\n' });
    expect(a.all).toMatch(/nix\/stray\.nix changed and no host imports it/);
  });

  it('an added host file is attributed to the added host; a deleted one to the removed host', async () => {
    const added = await plan({ 'nix/hosts/web3.nix': '{ }\n', 'nix/hardware/web3-hw.nix': HW });
    expect(names(added)).toEqual(['web3']);
    const removed = await plan({ 'nix/hosts/web1.nix': null, 'nix/hardware/web1-hw.nix': null });
    expect(names(removed)).toEqual(['web1']);
  });

  it('a flake that uses self makes every change affect all', async () => {
    const withSelf = fleet({
      'flake.nix': FLAKE.replace('{ nixpkgs, ... }', '{ self, nixpkgs, ... }').replace(
        'hostName',
        'src = self; hostName',
      ),
    });
    const a = await plan({ 'README.md': 'x' }, withSelf);
    expect(a.all).toMatch(/uses `self`/);
  });

  it('a file that does not parse, and may hide imports, makes every host affected', async () => {
    const a = await plan({ 'nix/hosts/web1.nix': '{ imports = [ ./extra.nix ]; x = ; }\n' });
    expect(a.all).toMatch(/cannot read the imports of nix\/hosts\/web1\.nix/);
  });

  it('a broken file without any path in it affects its own hosts only (it can import nothing)', async () => {
    expect(names(await plan({ 'nix/hosts/web1.nix': '{ x = ; }\n' }))).toEqual(['web1']);
  });

  it('literal flake hosts own the paths written under them', async () => {
    const literal = {
      'flake.nix': `{ outputs = { nixpkgs, ... }: {
  nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [ ./common.nix ./a.nix ]; };
  nixosConfigurations.b = nixpkgs.lib.nixosSystem { modules = [ ./common.nix ./b.nix ]; };
}; }
`,
      'common.nix': '{ }\n',
      'a.nix': '{ }\n',
      'b.nix': '{ }\n',
    };
    const run = async (changed: Record<string, string>) =>
      affectedHosts({
        base: await facts(literal, ['a', 'b']),
        head: await facts({ ...literal, ...changed }, ['a', 'b']),
        changed: Object.keys(changed),
        flake: 'flake.nix',
        lock: 'flake.lock',
        fleetRoot: 'nix',
      });
    expect(names(await run({ 'a.nix': '{ x = 1; }\n' }))).toEqual(['a']);
    expect(names(await run({ 'common.nix': '{ x = 1; }\n' }))).toEqual(['a', 'b']);
  });

  it('a folder used as data makes every file in it an input', async () => {
    const before = fleet({
      'nix/hosts/web1.nix': '{ environment.etc.site.source = ../site; }\n',
      'nix/site/index.html': 'a',
    });
    expect(names(await plan({ 'nix/site/index.html': 'b' }, before))).toEqual(['web1']);
  });
});

describe('parseNameStatus', () => {
  it('reads added, modified, deleted and renamed entries', () => {
    const out = parseNameStatus('A\0nix/hosts/new.nix\0M\0nix/common.nix\0D\0old.nix\0R087\0a.nix\0b.nix\0');
    expect(out).toEqual([
      { kind: 'added', path: 'nix/hosts/new.nix' },
      { kind: 'modified', path: 'nix/common.nix' },
      { kind: 'deleted', path: 'old.nix' },
      { kind: 'renamed', path: 'b.nix', oldPath: 'a.nix' },
    ]);
    expect(touchedPaths(out)).toEqual(['a.nix', 'b.nix', 'nix/common.nix', 'nix/hosts/new.nix', 'old.nix']);
  });
});
