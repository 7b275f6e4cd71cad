import { describe, expect, it } from 'vitest';
import { authorizedKeysLine, planGitShell } from '../../../scripts/hook/git-shell.js';

describe('planGitShell', () => {
  it.each([
    ["git-receive-pack '/srv/fleet.git'"],
    ["git-upload-pack '/srv/fleet.git'"],
    ["git receive-pack 'fleet.git'"],
  ])('runs git-shell for %s as the identity', (cmd) => {
    const plan = planGitShell('alice', cmd, {
      PATH: '/bin',
      TAPPAAS_PUSHER: 'mallory',
      TAPPAAS_PUSHER_KEY: 'x',
    });
    expect(plan).toEqual({
      ok: true,
      argv: ['git-shell', '-c', cmd],
      env: { PATH: '/bin', TAPPAAS_PUSHER: 'alice' },
    });
  });

  it('records the key fingerprint when given', () => {
    const plan = planGitShell('vm-web1', "git-receive-pack 'f.git'", {}, 'SHA256:abc');
    expect(plan.ok && plan.env.TAPPAAS_PUSHER_KEY).toBe('SHA256:abc');
  });

  it.each([
    ['alice', undefined, 'this key is for git only'],
    ['alice', 'bash', 'only git-receive-pack and git-upload-pack are allowed'],
    ['alice', "git-upload-archive 'x'", 'only git-receive-pack and git-upload-pack are allowed'],
    ['alice', "git-receive-pack 'x'\nrm -rf /", 'only git-receive-pack and git-upload-pack are allowed'],
    ['al ice', "git-receive-pack 'x'", 'is not a valid identity'],
    ['', "git-receive-pack 'x'", 'is not a valid identity'],
  ])('refuses %j running %j', (identity, cmd, message) => {
    const plan = planGitShell(identity, cmd, {});
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.message).toContain(message);
  });
});

describe('authorizedKeysLine', () => {
  it('forces the command and restricts the key', () => {
    expect(
      authorizedKeysLine('/usr/bin/node', '/opt/t/dist/tappaas.mjs', 'alice', 'ssh-ed25519 AAAA a@b\n'),
    ).toBe(
      'command="/usr/bin/node /opt/t/dist/tappaas.mjs git-shell --as alice",restrict ssh-ed25519 AAAA a@b',
    );
  });
});
