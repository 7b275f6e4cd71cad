// The one hand-off of a commit to Nix (nixcli/commit-flake.ts) against the real git and nix:
// the committed files only, the flake where the layout puts it, and with `revision` the same
// self.rev, self.revCount and self.lastModified that a `git+file` flake of the commit has.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkoutFlake,
  flakeDirOf,
  flakeRelative,
  withCommitFlake,
} from '../../scripts/nixcli/commit-flake.js';
import { runNix } from '../../scripts/nixcli/run.js';
import { run } from '../helpers/git.js';
import { offlineNixEnv } from '../helpers/nix-fleet.js';

const env = offlineNixEnv();
const FLAKE = `{
  outputs = { self }: {
    facts = {
      rev = self.rev or "none";
      revCount = self.revCount or 0;
      lastModified = self.lastModified or 0;
      note = builtins.readFile ./note.txt;
    };
  };
}
`;

let root: string;
let first: string;
let second: string;

function git(...args: string[]): string {
  const r = run('git', args, {
    cwd: root,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t.invalid',
      GIT_COMMITTER_DATE: '1700000000 +0000',
    },
  });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

async function facts(ref: string): Promise<Record<string, unknown>> {
  const r = await runNix(['eval', '--json', `${ref}#facts`], { env });
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tappaas-commit-flake-'));
  git('init', '-q', '-b', 'main');
  mkdirSync(join(root, 'fleet'));
  writeFileSync(join(root, 'fleet/flake.nix'), FLAKE);
  writeFileSync(join(root, 'fleet/note.txt'), 'one');
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  first = git('rev-parse', 'HEAD');
  writeFileSync(join(root, 'fleet/note.txt'), 'two');
  git('commit', '-q', '-am', 'two');
  second = git('rev-parse', 'HEAD');
  // Work-tree edits and untracked files are not the commit.
  writeFileSync(join(root, 'fleet/note.txt'), 'edited');
  writeFileSync(join(root, 'fleet/untracked.nix'), '{ }');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('commit flakes', () => {
  it('finds the flake folder of a fleet.flake setting', () => {
    expect(flakeDirOf('flake.nix')).toBe('');
    expect(flakeDirOf('fleet/flake.nix')).toBe('fleet');
    expect(flakeRelative('fleet', 'fleet/nix/hosts')).toBe('nix/hosts');
    expect(flakeRelative('', 'nix/hosts')).toBe('nix/hosts');
    expect(flakeRelative('fleet', 'nix/hosts')).toBe('nix/hosts');
  });

  it('hands Nix the committed files of the flake the layout names, and removes them', async () => {
    const c = await checkoutFlake({ root, commit: first, flake: 'fleet/flake.nix' }, 'test');
    try {
      expect(c.flakeDir).toBe('fleet');
      expect(c.flake.ref).toBe(`path:${join(c.files, 'fleet')}`);
      expect(existsSync(join(c.files, 'fleet/untracked.nix'))).toBe(false);
      expect(await facts(c.flake.ref)).toMatchObject({ rev: 'none', note: 'one' });
    } finally {
      c.remove();
    }
    expect(existsSync(c.files)).toBe(false);
  });

  it('with revision, tells Nix the commit as a git+file flake of it does', async () => {
    const viaGit = await facts(`git+file://${root}?rev=${second}&dir=fleet`);
    const viaCheckout = await withCommitFlake(
      { root, commit: 'main', flake: 'fleet/flake.nix', revision: true },
      'test',
      (c) => facts(c.flake.ref),
    );
    expect(viaCheckout).toEqual(viaGit);
    expect(viaCheckout).toEqual({ rev: second, revCount: 2, lastModified: 1700000000, note: 'two' });
  });
});
