// The husky pre-commit hook (hooks/client/pre-commit) in a real repository with real
// `git commit`: it lints the staged copies of .nix files, not the work tree's.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/git.js';
import { buildCli, CLI, REPO } from '../helpers/run-cli.js';

beforeAll(() => buildCli());

function repoWithHook() {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-pre-commit-'));
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'),
  };
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, env });
  git('init', '-q');
  // As husky runs it: `sh -e <hook>`, with the toolkit as the fleet repo's npm dependency.
  mkdirSync(join(dir, '.hooks'));
  writeFileSync(
    join(dir, '.hooks', 'pre-commit'),
    `#!/bin/sh\nexec sh -e '${join(REPO, 'hooks/client/pre-commit')}'\n`,
  );
  chmodSync(join(dir, '.hooks', 'pre-commit'), 0o755);
  git('config', 'core.hooksPath', '.hooks');
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', '.bin', 'tappaas'), `#!/bin/sh\nexec node '${CLI}' "$@"\n`);
  chmodSync(join(dir, 'node_modules', '.bin', 'tappaas'), 0o755);
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.hooks\n');
  return { dir, git };
}

describe('client pre-commit hook', () => {
  it('stops a commit whose staged .nix has an error, even when the work tree copy is fixed', () => {
    const { dir, git } = repoWithHook();
    writeFileSync(join(dir, 'good one.nix'), '{ a = 1; }\n');
    git('add', '.');
    expect(git('commit', '-qm', 'good').code).toBe(0);

    writeFileSync(join(dir, 'bad.nix'), '{ b = 1; b = 2; }\n');
    git('add', 'bad.nix');
    writeFileSync(join(dir, 'bad.nix'), '{ b = 1; }\n'); // fixed, but not staged
    const refused = git('commit', '-qm', 'bad');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('duplicate-attribute');
    expect(git('log', '--oneline').stdout.trim().split('\n')).toHaveLength(1);

    git('add', 'bad.nix');
    expect(git('commit', '-qm', 'fixed').code).toBe(0);
  });

  it('follows the staged tappaas.json (a rule turned off there does not stop the commit)', () => {
    const { dir, git } = repoWithHook();
    writeFileSync(
      join(dir, 'tappaas.json'),
      JSON.stringify({ lint: { rules: { 'duplicate-attribute': 'off' } } }),
    );
    writeFileSync(join(dir, 'a.nix'), '{ b = 1; b = 2; }\n');
    git('add', '.');
    expect(git('commit', '-qm', 'allowed by config').code).toBe(0);
  });

  it('does nothing when no .nix file is staged', () => {
    const { dir, git } = repoWithHook();
    writeFileSync(join(dir, 'README.md'), '# x\n');
    git('add', '.');
    expect(git('commit', '-qm', 'docs').code).toBe(0);
  });
});
