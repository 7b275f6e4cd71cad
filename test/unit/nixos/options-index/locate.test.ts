import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../scripts/config/file.js';
import {
  flakeKey,
  indexPath,
  readCachedIndex,
  writeIndex,
} from '../../../../scripts/nixos/options-index/cache.js';
import {
  lintRuleSettings,
  locateOptionsIndex,
  withOptionsIndex,
} from '../../../../scripts/nixos/options-index/locate.js';
import { optionsIndex } from '../../../helpers/options-index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tappaas-locate-'));

describe('options index cache', () => {
  it('keys on flake.lock, else flake.nix, else nothing', () => {
    const dir = tmp();
    expect(flakeKey(dir)).toBeUndefined();
    writeFileSync(join(dir, 'flake.nix'), '{ outputs = _: { }; }');
    const byNix = flakeKey(dir);
    expect(byNix).toMatchObject({ keySource: 'flake.nix' });
    expect(byNix?.key).toMatch(/^[0-9a-f]{16}$/);
    writeFileSync(join(dir, 'flake.lock'), '{"nodes":{}}');
    expect(flakeKey(dir)).toMatchObject({ keySource: 'flake.lock' });
    expect(flakeKey(dir)?.key).not.toBe(byNix?.key);
  });
  it('writes an index that reads back, ignores itself for git, keeps three revisions', () => {
    const dir = tmp();
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) {
      const file = writeIndex(dir, { ...optionsIndex('web', ['x.y']), key });
      expect(file).toBe(indexPath(dir, key, 'web'));
      expect(readCachedIndex(file)?.options).toEqual([['x', 'y']]);
      const past = Date.now() / 1000 - 100 + i;
      utimesSync(join(dir, '.tappaas', 'options', key), past, past);
    }
    expect(readFileSync(join(dir, '.tappaas', '.gitignore'), 'utf8')).toBe('*\n');
    expect(readdirSync(join(dir, '.tappaas', 'options')).sort()).toEqual(['b', 'c', 'd']);
    expect(readCachedIndex(join(dir, 'nope.json'))).toBeUndefined();
  });
  it('host names become safe file names', () => {
    expect(indexPath('/r', 'k', 'a/b')).toBe('/r/.tappaas/options/k/a%2Fb.json');
  });
});

describe('locateOptionsIndex', () => {
  it('by default: the indexes cached for the current revision of the flake at the root', () => {
    const root = tmp();
    expect(locateOptionsIndex(root, {})).toBeUndefined();
    writeFileSync(join(root, 'flake.nix'), '{ }');
    expect(locateOptionsIndex(root, {})).toBeUndefined();
    const key = flakeKey(root)!.key;
    writeIndex(root, { ...optionsIndex('web', ['a']), key });
    writeIndex(root, { ...optionsIndex('db', ['b']), key });
    writeIndex(root, { ...optionsIndex('old', ['c']), key: 'stale' });
    const found = locateOptionsIndex(root, {});
    expect(found?.files).toEqual([indexPath(root, key, 'db'), indexPath(root, key, 'web')]);
    expect(found?.stamp).toMatch(/^\d+:\d+,\d+:\d+$/);
    // A new lock is a new revision: the old indexes no longer apply.
    writeFileSync(join(root, 'flake.lock'), '{}');
    expect(locateOptionsIndex(root, {})).toBeUndefined();
    expect(locateOptionsIndex(root, { lint: { optionsIndex: true } })).toBeUndefined();
  });
  it('follows fleet.flake to the flake directory', () => {
    const root = tmp();
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'flake.nix'), '{ }');
    writeIndex(join(root, 'sub'), { ...optionsIndex('web', ['a']), key: flakeKey(join(root, 'sub'))!.key });
    expect(locateOptionsIndex(root, { fleet: { flake: 'sub/flake.nix' } })?.files).toHaveLength(1);
  });
  it('a configured file or folder, false for none, a clear error for a wrong path', () => {
    const root = tmp();
    mkdirSync(join(root, 'idx'));
    writeFileSync(join(root, 'idx', 'a.json'), '{}');
    writeFileSync(join(root, 'idx', 'b.json'), '{}');
    writeFileSync(join(root, 'idx', 'notes.txt'), '');
    expect(locateOptionsIndex(root, { lint: { optionsIndex: 'idx' } })?.files).toEqual([
      join(root, 'idx', 'a.json'),
      join(root, 'idx', 'b.json'),
    ]);
    expect(locateOptionsIndex(root, { lint: { optionsIndex: 'idx/a.json' } })?.files).toEqual([
      join(root, 'idx', 'a.json'),
    ]);
    expect(locateOptionsIndex(root, { lint: { optionsIndex: false } })).toBeUndefined();
    expect(() => locateOptionsIndex(root, { lint: { optionsIndex: 'missing' } })).toThrow(ConfigError);
    expect(() => locateOptionsIndex(root, { lint: { optionsIndex: 'missing' } })).toThrow(
      /tappaas\.json.*missing, which does not exist/,
    );
    mkdirSync(join(root, 'empty'));
    expect(() => locateOptionsIndex(root, { lint: { optionsIndex: 'empty' } })).toThrow(/holds no index/);
  });
});

describe('withOptionsIndex', () => {
  const index = { files: ['/i/web.json'], stamp: '1:2' };
  it('hands the index to unknown-option and tells unknown-option-namespace', () => {
    expect(withOptionsIndex({ 'bool-comparison': 'off' }, index)).toEqual({
      'bool-comparison': 'off',
      'unknown-option': ['error', { index: ['/i/web.json'], stamp: '1:2' }],
      'unknown-option-namespace': ['error', { indexed: true }],
    });
  });
  it('keeps the levels and options set in tappaas.json', () => {
    const out = withOptionsIndex(
      {
        'unknown-option': ['warning', { extraNamespaces: ['sops'] }],
        'unknown-option-namespace': ['warning', { extraNamespaces: ['sops'] }],
      },
      index,
    );
    expect(out['unknown-option']).toEqual([
      'warning',
      { extraNamespaces: ['sops'], index: ['/i/web.json'], stamp: '1:2' },
    ]);
    expect(out['unknown-option-namespace']).toEqual([
      'warning',
      { extraNamespaces: ['sops'], indexed: true },
    ]);
  });
  it('changes nothing without an index or with unknown-option off', () => {
    const settings = { 'unknown-option': 'off' as const };
    expect(withOptionsIndex(settings, index)).toBe(settings);
    expect(withOptionsIndex({}, undefined)).toEqual({});
    expect(lintRuleSettings(tmp(), { lint: { rules: { 'empty-let': 'off' } } })).toEqual({
      'empty-let': 'off',
    });
  });
});
