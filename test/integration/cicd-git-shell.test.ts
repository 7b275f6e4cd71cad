// The git server of nix/modules/roles/cicd.nix, minus NixOS: the `git` user's login shell is
// git-shell, and each authorized key forces `tappaas git-shell --as <identity>`. sshd runs a
// forced command through the login shell (`git-shell -c '<command>'`), and git-shell runs only
// commands found in ~/git-shell-commands/, where the module links `tappaas`. Here a small
// stand-in for sshd does exactly that step (the real git-shell, the real toolkit, the real
// hook installed twice as the module's oneshot does on each activation); the sshd part itself
// is covered by hook-ssh.test.ts.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, run } from '../helpers/git.js';
import { buildCli, CLI, REPO } from '../helpers/run-cli.js';

let g: GitFixture;
let home = '';

/** What sshd does for a key whose forced command is `tappaas git-shell --as <identity>`. */
function sshAs(identity: string): NodeJS.ProcessEnv {
  return { GIT_SSH_COMMAND: join(g.root, 'sshd-login'), GIT_SSH_VARIANT: 'simple', IDENTITY: identity };
}

beforeAll(() => {
  buildCli();
  g = new GitFixture('tappaas-cicd-');
  home = join(g.root, 'git-home');
  mkdirSync(join(home, 'git-shell-commands'), { recursive: true });
  // The package's bin/tappaas is a wrapper that runs node on dist/tappaas.mjs; link it as the module does.
  const bin = join(g.root, 'bin-tappaas');
  writeFileSync(bin, `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  chmodSync(bin, 0o755);
  symlinkSync(bin, join(home, 'git-shell-commands', 'tappaas'));
  // sshd with a forced command: SSH_ORIGINAL_COMMAND is what the client asked for, and the
  // forced command runs through the user's login shell, from the home directory.
  const login = join(g.root, 'sshd-login');
  writeFileSync(
    login,
    `#!/bin/sh
shift # the [user@]host argument
export SSH_ORIGINAL_COMMAND="$1" HOME='${home}'
cd "$HOME" || exit 1
exec git-shell -c "tappaas git-shell --as $IDENTITY"
`,
  );
  chmodSync(login, 0o755);

  g.commit(undefined, {
    'tappaas.json': JSON.stringify({
      policy: { protectedBranches: [{ pattern: 'main', allow: ['admin'] }] },
    }),
  });
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  for (let i = 0; i < 2; i++) {
    const r = run(process.execPath, [CLI, 'hook', 'install', g.bare], { cwd: REPO, env: g.env });
    expect(r.code, r.stderr).toBe(0);
  }
  g.git(['remote', 'set-url', 'origin', `ssh://git@tappaas-cicd${g.bare}`]);
}, 120_000);

afterAll(() => g?.cleanup());

describe('git user with git-shell and per-key forced commands', () => {
  it('tells identities apart through git-shell-commands/tappaas: admin may update main, others not', () => {
    g.commit(undefined, { 'a.txt': 'a\n' });
    const other = g.push(['HEAD:main'], sshAs('tappaas-registration'));
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('tappaas-registration may not update refs/heads/main');
    const admin = g.push(['HEAD:main'], sshAs('admin'));
    expect(admin.code, admin.stderr).toBe(0);
    expect(admin.stderr).toContain('pusher admin');
    const fetch = run('git', ['fetch', 'origin', 'main'], {
      cwd: g.work,
      env: { ...g.env, ...sshAs('admin') },
    });
    expect(fetch.code, fetch.stderr).toBe(0);
  });

  it('gives a key no shell: the forced command refuses anything but git transfers', () => {
    const shell = run(join(g.root, 'sshd-login'), ['git@tappaas-cicd', 'id'], {
      cwd: g.root,
      env: { ...g.env, IDENTITY: 'admin' },
    });
    expect(shell.code).not.toBe(0);
    expect(shell.stderr).toContain('only git-receive-pack and git-upload-pack are allowed');
  });

  it('runs nothing that is not in git-shell-commands, even as a forced command', () => {
    const r = run('git-shell', ['-c', 'sh -c id'], { cwd: home, env: { ...g.env, HOME: home } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unrecognized command');
  });
});
