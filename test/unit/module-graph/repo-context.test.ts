// The repository context read from a work tree: every .nix file (git's list, or the lint's
// own walk outside git), facts from the cache or a parse, and the names module flakes add
// (from flake.nix inputs and from every node of flake.lock).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FactsCache } from '../../../scripts/module-graph/facts-cache.js';
import {
  buildRepoContext,
  lockedFlakeNames,
  workTreeReader,
} from '../../../scripts/module-graph/repo-context.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-context-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const LOCK = JSON.stringify({
  nodes: {
    root: { inputs: { secrets: 'secrets', nixpkgs: 'nixpkgs' } },
    secrets: { original: { owner: 'Mic92', repo: 'sops-nix', type: 'github' } },
    nixpkgs: { original: { owner: 'NixOS', repo: 'nixpkgs', type: 'github' } },
    disko_2: { original: { type: 'git', url: 'https://git.example/nix-community/disko.git?ref=main' } },
  },
  version: 7,
});

describe('buildRepoContext on a work tree', () => {
  it('outside git: the lint walk lists the files (no build outputs), and the lock adds names', async () => {
    const dir = tree({
      'flake.nix':
        '{ outputs = { nixpkgs, ... }: { nixosConfigurations.a = nixpkgs.lib.nixosSystem { modules = [ ./a.nix ]; }; }; }\n',
      'flake.lock': LOCK,
      'a.nix': '{ sops.secrets.x = { }; }\n',
      'node_modules/pkg/x.nix': '{ }\n',
    });
    const context = await buildRepoContext(workTreeReader(dir), {
      flake: 'flake.nix',
      cache: new FactsCache(undefined),
      maxBytes: 1 << 20,
    });
    expect([...context.graph.kinds.keys()].sort()).toEqual(['a.nix', 'flake.nix']);
    expect(context.graph.kinds.get('a.nix')?.classes).toEqual(['nixos']);
    expect([...context.namespaces].sort()).toEqual(['disko', 'sops']);
  });

  it('facts a caller already has are used as they are, and cached by blob', async () => {
    const dir = tree({
      'flake.nix': '{ outputs = _: { }; }\n',
      'm.nix': '{ imports = [ ./n.nix ]; }\n',
      'n.nix': '{ }\n',
    });
    const cacheFile = join(dir, 'facts.json');
    const known = new Map([['m.nix', { facts: { refs: [], declares: ['given'] }, oid: 'f'.repeat(40) }]]);
    const first = await buildRepoContext(workTreeReader(dir), {
      flake: 'flake.nix',
      cache: new FactsCache(cacheFile),
      maxBytes: 1 << 20,
      known,
    });
    expect(first.namespaces.has('given')).toBe(true);
    expect(new FactsCache(cacheFile).get(`${'f'.repeat(40)} m.nix`)?.declares).toEqual(['given']);
  });

  it('lockedFlakeNames reads node names and repositories, and nothing from a broken lock', () => {
    expect(lockedFlakeNames(Buffer.from(LOCK)).sort()).toEqual([
      'disko',
      'disko',
      'nixpkgs',
      'nixpkgs',
      'root',
      'secrets',
      'sops-nix',
    ]);
    expect(lockedFlakeNames(Buffer.from('{ not json'))).toEqual([]);
    expect(lockedFlakeNames(undefined)).toEqual([]);
  });
});
