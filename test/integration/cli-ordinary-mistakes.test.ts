// Ordinary mistakes get one line with the fix and exit 2, never a stack trace: a folder that is
// no git repository, a revision that names no commit, no nix (or no git) on PATH.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/git.js';
import { buildCli, runCli } from '../helpers/run-cli.js';

let root: string;
let plain: string;
let repo: string;
let onlyGit: string;

const INVENTORY = JSON.stringify({ hosts: { web1: { address: '127.0.0.1' } } });

beforeAll(() => {
  buildCli();
  root = mkdtempSync(join(tmpdir(), 'tappaas-mistakes-'));
  plain = join(root, 'plain');
  repo = join(root, 'repo');
  onlyGit = join(root, 'bin');
  for (const d of [plain, repo, onlyGit]) mkdirSync(d);
  writeFileSync(join(plain, 'tappaas.json'), INVENTORY);
  writeFileSync(join(repo, 'tappaas.json'), INVENTORY);
  const git = (args: string[]) =>
    run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
      cwd: repo,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: root },
    });
  git(['init', '-q']);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'fleet']);
  // A PATH with git (and ssh) but no nix.
  const which = (p: string) => run('sh', ['-c', `command -v ${p}`], { cwd: root }).stdout.trim();
  for (const p of ['git', 'ssh']) symlinkSync(which(p), join(onlyGit, p));
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectOneLine(args: string[], cwd: string, want: string, env: Record<string, string> = {}) {
  const r = runCli(args, { cwd, env: { HOME: root, ...env } });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(want);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack frame
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr.trim().split('\n').length, r.stderr).toBeLessThanOrEqual(2);
}

describe('ordinary mistakes: one line with the fix, exit 2, no stack trace', () => {
  it.each([['status'], ['deploy', '--dry-run']])('%s in a folder that is no git repository', (...args) => {
    expectOneLine(args, plain, 'is not inside a git repository');
  });

  it.each([
    ['status', '--rev', 'nosuch'],
    ['deploy', '--dry-run', '--changed-from', 'nosuch'],
  ])('%s %s %s: a revision that names no commit', (...args) => {
    expectOneLine(args, repo, '"nosuch" is not a commit of this repository');
  });

  it.each([['status'], ['deploy', '--dry-run']])('%s without nix on PATH', (...args) => {
    expectOneLine(args, repo, 'cannot run nix', { PATH: onlyGit });
  });

  it('status without git on PATH', () => {
    expectOneLine(['status'], repo, 'cannot run git', { PATH: join(root, 'nothing') });
  });
});
