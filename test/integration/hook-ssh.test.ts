// Plain git over SSH: a loopback sshd whose authorized_keys map two keys to two identities
// through the `tappaas git-shell --as` forced command; the hook tells them apart.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizedKeysLine } from '../../scripts/hook/git-shell.js';
import { GitFixture, run } from '../helpers/git.js';
import { startLoopbackSshd } from '../helpers/ports.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'tappaas.mjs');
let g: GitFixture;
let sshd: ChildProcess | undefined;
let port = 0;

function sshEnv(key: string): NodeJS.ProcessEnv {
  return {
    GIT_SSH_COMMAND: `ssh -i ${key} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR`,
  };
}

beforeAll(async () => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  g = new GitFixture('tappaas-ssh-');
  const dir = join(g.root, 'ssh');
  mkdirSync(dir);
  for (const name of ['host', 'alice', 'vm-web1']) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
  }
  const keys = ['alice', 'vm-web1'].map((id) =>
    authorizedKeysLine(process.execPath, CLI, id, readFileSync(join(dir, `${id}.pub`), 'utf8')),
  );
  writeFileSync(join(dir, 'authorized_keys'), `${keys.join('\n')}\n`);
  ({ port, sshd } = await startLoopbackSshd(dir));

  g.commit(undefined, {
    'tappaas.json': JSON.stringify({
      policy: {
        protectedBranches: [{ pattern: 'main', allow: ['alice'] }],
        registration: { hosts: { web1: ['vm-web1'] } },
      },
    }),
  });
  g.git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  expect(run(process.execPath, [CLI, 'hook', 'install', g.bare], { cwd: ROOT, env: g.env }).code).toBe(0);
  g.git(['remote', 'set-url', 'origin', `ssh://root@127.0.0.1:${port}${g.bare}`]);
});

afterAll(() => {
  sshd?.kill();
  g?.cleanup();
});

describe('git over SSH with keys mapped to identities', () => {
  const key = (id: string) => join(g.root, 'ssh', id);

  it('lets alice update main and keeps the VM key off it', () => {
    g.commit(undefined, { 'a.txt': 'a\n' });
    const vm = g.push(['HEAD:main'], sshEnv(key('vm-web1')));
    expect(vm.code).not.toBe(0);
    expect(vm.stderr).toContain('remote:   error [protected-branch]: vm-web1 may not update refs/heads/main');
    const ok = g.push(['HEAD:main'], sshEnv(key('alice')));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('pusher alice');
  });

  it('lets the VM key push its own registration only', () => {
    const main = g.git(['rev-parse', 'HEAD']);
    g.commit(main, { 'nix/hardware/web1-hw.nix': '{ }\n', 'registrations/web1.json': '{"hostname":"web1"}' });
    const ok = g.push(['HEAD:refs/heads/registration/web1'], sshEnv(key('vm-web1')));
    expect(ok.code, ok.stderr).toBe(0);
    const other = g.push(['HEAD:refs/heads/registration/db1'], sshEnv(key('vm-web1')));
    expect(other.stderr).toContain('[registration-identity]');
  });

  it('refuses a shell and fetches still work', () => {
    const shell = run(
      'ssh',
      [
        ...sshEnv(key('alice')).GIT_SSH_COMMAND!.split(' ').slice(1),
        '-p',
        String(port),
        'root@127.0.0.1',
        'id',
      ],
      {
        cwd: g.root,
        env: g.env,
      },
    );
    expect(shell.code).not.toBe(0);
    expect(shell.stderr).toContain('only git-receive-pack and git-upload-pack are allowed');
    const fetch = run('git', ['fetch', 'origin', 'main'], {
      cwd: g.work,
      env: { ...g.env, ...sshEnv(key('vm-web1')) },
    });
    expect(fetch.code, fetch.stderr).toBe(0);
  });
});
