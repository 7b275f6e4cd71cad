// The push's one walk, split per ref, must give every ref exactly the commits
// `git rev-list <tip> --not <bases>` gives it alone: checked on a random history with random
// refs, and on the shapes where a shared walk cannot settle a ref by itself.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CommitChanges } from '../../../scripts/git/log.js';
import { PushWalk, type RangeJob, splitWalk } from '../../../scripts/hook/push-walk.js';
import { GitFixture } from '../../helpers/git.js';

function c(oid: string, parents: string[], boundary = false): CommitChanges {
  return { oid, boundary, changes: [], parents };
}

describe('splitWalk', () => {
  // a <- b <- c (main) ; c <- d <- e (feature) ; b <- x (side)
  it('gives each ref the commits its own bases do not reach', () => {
    const walked = [c('e', ['d']), c('d', ['c']), c('x', ['b']), c('c', ['b'], true), c('b', ['a'], true)];
    const [feature, side] = splitWalk(
      walked,
      [
        { tip: 'e', bases: ['c'] },
        { tip: 'x', bases: ['c'] },
      ],
      ['c'],
    );
    expect(feature!.commits.map((x) => x.oid)).toEqual(['e', 'd']);
    expect([...feature!.stops]).toEqual(['c']);
    expect(side!.commits.map((x) => x.oid)).toEqual(['x']);
    expect([...side!.stops]).toEqual(['b']);
  });

  it('leaves a ref unsettled when its range runs into a commit excluded for another ref', () => {
    // Ref 1 moves from c to e; ref 2 is new at e against main at a: d and c are excluded by ref 1.
    const walked = [c('e', ['d']), c('d', ['c']), c('c', ['b'], true)];
    const [one, two] = splitWalk(
      walked,
      [
        { tip: 'e', bases: ['c'] },
        { tip: 'e', bases: ['a'] },
      ],
      ['c', 'a'],
    );
    expect(one!.commits.map((x) => x.oid)).toEqual(['e', 'd']);
    expect(two).toBeUndefined();
  });

  it('has no commits for a tip its base already reaches, and stops at the tip', () => {
    const [r] = splitWalk([], [{ tip: 'b', bases: ['c'] }], ['c']);
    expect(r).toEqual({ commits: [], stops: new Set(['b']) });
  });
});

/** A random history of `n` commits (merges included) on refs/heads/h<i>, via fast-import. */
function randomHistory(g: GitFixture, n: number, seed: number): string[] {
  let s = seed;
  const rand = (k: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % k;
  };
  let stream = '';
  for (let i = 1; i <= n; i++) {
    stream += `commit refs/heads/h${i}\nmark :${i}\ncommitter T <t@example.invalid> ${1_700_000_000 + i} +0000\ndata 2\nc\n`;
    if (i > 1) {
      stream += `from :${1 + rand(i - 1)}\n`;
      if (i > 3 && rand(3) === 0) stream += `merge :${1 + rand(i - 1)}\n`;
    }
    stream += `M 100644 inline f${i % 7}.txt\ndata ${String(i).length}\n${i}\n\n`;
  }
  const r = spawnSync('git', ['fast-import', '--quiet'], { cwd: g.work, env: g.env, input: stream });
  expect(r.status, r.stderr?.toString()).toBe(0);
  return Array.from({ length: n }, (_, i) => g.git(['rev-parse', `refs/heads/h${i + 1}`]));
}

describe('PushWalk', () => {
  it('equals one rev-list per ref, on a random history with random refs and bases', async () => {
    const g = new GitFixture('tappaas-push-walk-');
    try {
      const commits = randomHistory(g, 120, 7);
      let s = 42;
      const pick = () => {
        s = (s * 69069 + 1) % 2 ** 32;
        return commits[s % commits.length]!;
      };
      for (let round = 0; round < 6; round++) {
        const jobs = new Map<string, RangeJob>();
        for (let i = 0; i < 12; i++) {
          const bases = i % 5 === 0 ? [] : i % 3 === 0 ? [pick(), pick()] : [pick()];
          jobs.set(`refs/heads/r${i}`, { tip: pick(), bases });
        }
        const walk = new PushWalk({ cwd: g.work, env: g.env });
        walk.plan(Promise.resolve(jobs));
        for (const [ref, job] of jobs) {
          const range = (await walk.range(ref))!;
          const expected = g
            .git(['rev-list', job.tip, ...job.bases.map((b) => `^${b}`)])
            .split('\n')
            .filter(Boolean);
          expect(new Set(range.commits.map((x) => x.oid)), `${ref} round ${round}`).toEqual(
            new Set(expected),
          );
          // With one base (a branch's old tip), it is a stop exactly when it is an ancestor.
          for (const base of job.bases.length === 1 ? job.bases : []) {
            const ancestor = spawnSync('git', ['merge-base', '--is-ancestor', base, job.tip], {
              cwd: g.work,
              env: g.env,
            });
            expect(range.stops.has(base) || base === job.tip, `${ref} stops at ${base}`).toBe(
              ancestor.status === 0,
            );
          }
        }
      }
    } finally {
      g.cleanup();
    }
  });

  it('starts git before it has refs, and stops it when there are none', async () => {
    const g = new GitFixture('tappaas-push-walk-');
    try {
      g.commit(undefined, { 'a.txt': 'a\n' });
      const walk = new PushWalk({ cwd: g.work, env: g.env });
      walk.plan(Promise.resolve(new Map()));
      expect(await walk.range('refs/heads/x')).toBeUndefined();
      expect(await walk.commits()).toEqual([]);
      const unplanned = new PushWalk({ cwd: g.work, env: g.env });
      unplanned.close();
    } finally {
      g.cleanup();
    }
  });
});
