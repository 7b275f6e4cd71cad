import { describe, expect, it } from 'vitest';
import { formatBytes, parseClosureSizes, parseDiffClosures } from '../../../scripts/plan/closure-diff.js';

describe('parseDiffClosures', () => {
  it('reads version changes, additions, removals and size-only lines', () => {
    const out = [
      'extra: ∅ → 0.5',
      'tool: 1.0 → 1.1',
      'linux: 6.6.30 → 6.6.32, +1.2 MiB',
      'old-lib: 2.0, 2.1 → ∅, -345.6 KiB',
      'glibc: +12.3 KiB',
      '\x1b[1mzlib\x1b[0m: ε → 1.3',
      '',
    ].join('\n');
    expect(parseDiffClosures(out)).toEqual({
      added: [{ name: 'extra', old: [], new: ['0.5'] }],
      removed: [{ name: 'old-lib', old: ['2.0', '2.1'], new: [], size: '-345.6 KiB' }],
      changed: [
        { name: 'tool', old: ['1.0'], new: ['1.1'] },
        { name: 'linux', old: ['6.6.30'], new: ['6.6.32'], size: '+1.2 MiB' },
        { name: 'zlib', old: [''], new: ['1.3'] },
      ],
      resized: [{ name: 'glibc', old: [], new: [], size: '+12.3 KiB' }],
    });
  });

  it('is empty for identical closures', () => {
    expect(parseDiffClosures('')).toEqual({ added: [], removed: [], changed: [], resized: [] });
  });
});

describe('parseClosureSizes', () => {
  it('reads the array form of Nix 2.8 and the object form of newer Nix', () => {
    const old = '[{"path":"/nix/store/a-x","closureSize":1448},{"path":"/nix/store/b-x","closureSize":1272}]';
    expect([...parseClosureSizes(old)]).toEqual([
      ['/nix/store/a-x', 1448],
      ['/nix/store/b-x', 1272],
    ]);
    const now = '{"/nix/store/a-x":{"closureSize":10,"narSize":5},"/nix/store/b-x":{"closureSize":20}}';
    expect(parseClosureSizes(now).get('/nix/store/b-x')).toBe(20);
  });
});

describe('formatBytes', () => {
  it('uses binary units and an optional sign', () => {
    expect(formatBytes(176, true)).toBe('+176 B');
    expect(formatBytes(-1536, true)).toBe('-1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });
});
