import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../scripts/util/map-limit.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('mapLimit', () => {
  it('runs at most `limit` at a time and keeps the order of the answers', async () => {
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
      started.push(i);
      most = Math.max(most, ++active);
      for (let k = 0; k < n; k++) await tick();
      active--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('runs one at a time for a limit below one, and nothing for no items', async () => {
    expect(await mapLimit([1, 2], 0, async (n) => n)).toEqual([1, 2]);
    expect(await mapLimit([], 3, async () => 1)).toEqual([]);
  });

  it('starts nothing more once `stop` says so; those items have no answer', async () => {
    let stopped = false;
    const out = await mapLimit(
      ['a', 'b', 'c', 'd'],
      1,
      async (s) => {
        if (s === 'b') stopped = true;
        return s.toUpperCase();
      },
      () => stopped,
    );
    expect(out).toEqual(['A', 'B', undefined, undefined]);
  });
});
