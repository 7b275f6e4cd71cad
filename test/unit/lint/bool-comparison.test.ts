import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';

describe('bool-comparison', () => {
  it('flags comparisons with boolean literals and fixes them', async () => {
    const d = await lintSource('a.nix', '{ a = x == true; b = y != true; c = f y == false; }\n');
    const found = d.filter((x) => x.rule === 'bool-comparison');
    expect(found.map((x) => [x.line, x.column, x.fix?.text])).toEqual([
      [1, 7, 'x'],
      [1, 22, '!y'],
      [1, 37, '!(f y)'],
    ]);
  });

  it('leaves other comparisons alone', async () => {
    const d = await lintSource('a.nix', '{ a = x == y; b = x == "true"; c = true; }\n');
    expect(d.filter((x) => x.rule === 'bool-comparison')).toEqual([]);
  });
});
