// The reference resolution of the import graph over plain data (no parsing).
import { describe, expect, it } from 'vitest';
import type { DepRef, FileDeps } from '../../../scripts/plan/file-deps.js';
import { hostGraph, listing, resolveRef } from '../../../scripts/plan/import-graph.js';

const R = { line: 1, column: 1, endLine: 1, endColumn: 2 };
const tree = listing([
  'flake.nix',
  'nix/common.nix',
  'nix/hosts/a.nix',
  'nix/hosts/b.nix',
  'nix/hosts/notes.txt',
  'nix/modules/default.nix',
  'nix/modules/web.nix',
  'nix/site/index.html',
]);
const inFile = { inFlake: false, hosts: [], hostFolders: new Set<string>() };
const inFlake = { inFlake: true, hosts: ['a', 'b', 'c'], hostFolders: new Set(['nix/hosts']) };

describe('resolveRef', () => {
  it('a file is itself; a folder imported is its default.nix; a folder as data is every file in it', () => {
    const path = (target: string, context: 'import' | 'data'): DepRef => ({
      kind: 'path',
      target,
      range: R,
      context,
    });
    expect(resolveRef(path('nix/common.nix', 'import'), tree, inFile)).toEqual([
      { file: 'nix/common.nix', follow: true },
    ]);
    expect(resolveRef(path('nix/modules', 'import'), tree, inFile)).toEqual([
      { file: 'nix/modules/default.nix', follow: true },
    ]);
    expect(resolveRef(path('nix/site', 'data'), tree, inFile)).toEqual([
      { file: 'nix/site/index.html', follow: false },
    ]);
    // Missing now: kept, so that a change adding it counts.
    expect(resolveRef(path('nix/gone.nix', 'import'), tree, inFile)).toEqual([
      { file: 'nix/gone.nix', follow: false },
    ]);
  });

  it('the flake reading the hosts folder learns names only; its pattern gives each host its file', () => {
    expect(
      resolveRef({ kind: 'folder', dir: 'nix/hosts', range: R, context: 'data' }, tree, inFlake),
    ).toEqual([]);
    const pattern: DepRef = {
      kind: 'pattern',
      dir: 'nix/hosts',
      prefix: '',
      suffix: '.nix',
      range: R,
      context: 'import',
    };
    expect(resolveRef(pattern, tree, inFlake)).toEqual([
      { file: 'nix/hosts/a.nix', host: 'a', follow: true },
      { file: 'nix/hosts/b.nix', host: 'b', follow: true },
      { file: 'nix/hosts/c.nix', host: 'c', follow: false },
    ]);
    // Outside the flake a pattern means every file it matches.
    expect(resolveRef(pattern, tree, inFile).map((t) => t.file)).toEqual([
      'nix/hosts/a.nix',
      'nix/hosts/b.nix',
    ]);
  });

  it('a folder read elsewhere means every file under it', () => {
    const folder: DepRef = { kind: 'folder', dir: 'nix/hosts', range: R, context: 'data' };
    expect(resolveRef(folder, tree, inFile).map((t) => t.file)).toEqual([
      'nix/hosts/a.nix',
      'nix/hosts/b.nix',
      'nix/hosts/notes.txt',
    ]);
  });
});

describe('hostGraph', () => {
  const deps = (file: string, refs: DepRef[], extra: Partial<FileDeps> = {}): [string, FileDeps] => [
    file,
    { file, parsed: true, refs, usesSelf: false, roleEnables: [], ...extra },
  ];
  const flakeRefs: DepRef[] = [
    { kind: 'path', target: 'nix/common.nix', range: R, context: 'import' },
    { kind: 'path', target: 'nix/modules', range: R, context: 'import' },
    { kind: 'folder', dir: 'nix/hosts', range: R, context: 'data' },
    { kind: 'pattern', dir: 'nix/hosts', prefix: '', suffix: '.nix', range: R, context: 'import' },
  ];
  const base = new Map([
    deps('flake.nix', flakeRefs),
    deps('nix/common.nix', []),
    deps('nix/modules/default.nix', [
      { kind: 'path', target: 'nix/modules/web.nix', range: R, context: 'import' },
    ]),
    deps('nix/modules/web.nix', []),
    deps('nix/hosts/a.nix', [{ kind: 'path', target: 'nix/site', range: R, context: 'data' }]),
    deps('nix/hosts/b.nix', []),
  ]);

  it('gives each host the shared files and its own', () => {
    const g = hostGraph({ tree, deps: base, hosts: ['a', 'b'], flake: 'flake.nix' });
    expect([...g.perHost.get('a')!].sort()).toEqual([
      'flake.nix',
      'nix/common.nix',
      'nix/hosts/a.nix',
      'nix/modules/default.nix',
      'nix/modules/web.nix',
      'nix/site/index.html',
    ]);
    expect(g.perHost.get('b')!.has('nix/site/index.html')).toBe(false);
    expect(g.unknown).toEqual([]);
    expect(g.wholeTree).toBeUndefined();
  });

  it('marks files whose imports are unknown, and a flake using self', () => {
    const broken = new Map(base);
    broken.set('nix/common.nix', { ...base.get('nix/common.nix')!, parsed: false });
    broken.set('flake.nix', { ...base.get('flake.nix')!, usesSelf: true });
    const g = hostGraph({ tree, deps: broken, hosts: ['a', 'b'], flake: 'flake.nix' });
    expect(g.unknown).toEqual(['nix/common.nix']);
    expect(g.wholeTree).toMatch(/uses `self`/);
  });
});
