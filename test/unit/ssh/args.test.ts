import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nixSshOpts, nixStoreUri, sshArgv, sshDestination } from '../../../scripts/ssh/args.js';
import { shCommand, shq } from '../../../scripts/ssh/quote.js';

const target = {
  name: 'web1',
  address: '10.0.0.5',
  sshUser: 'root',
  sshPort: 2222,
  sshOptions: ['IdentityFile=/k'],
};

describe('ssh argv', () => {
  it('puts the target options first (ssh keeps the first value), then batch mode, timeouts and the port', () => {
    expect(sshArgv(target, 'true', { connectTimeoutSeconds: 3 })).toEqual([
      '-T',
      '-a',
      '-x',
      '-o',
      'IdentityFile=/k',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=3',
      '-o',
      'ServerAliveInterval=5',
      '-o',
      'ServerAliveCountMax=3',
      '-p',
      '2222',
      '--',
      'root@10.0.0.5',
      'true',
    ]);
  });

  it('leaves user and port to ~/.ssh/config when the inventory has none', () => {
    const bare = { name: 'db', address: 'db.lan' };
    expect(sshDestination(bare)).toBe('db.lan');
    expect(sshArgv(bare, 'true')).not.toContain('-p');
    expect(nixStoreUri(bare)).toBe('ssh://db.lan');
  });

  it('gives nix copy the same options through NIX_SSHOPTS and the user in the store URI', () => {
    expect(nixStoreUri(target)).toBe('ssh://root@10.0.0.5');
    expect(nixSshOpts(target)).toBe(
      '-o IdentityFile=/k -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -p 2222',
    );
  });

  it('shares a connection master when given one, and forces a fresh connection with none', () => {
    const shared = sshArgv(target, 'true', { controlPath: '/tmp/m/master' });
    // Before the target's options: they cannot turn the choice around (ssh keeps the first value).
    expect(shared.slice(3, 8)).toEqual(['-o', 'ControlMaster=no', '-o', 'ControlPath=/tmp/m/master', '-o']);
    const fresh = sshArgv({ ...target, sshOptions: ['ControlPath=/mine'] }, 'true', { controlPath: 'none' });
    expect(fresh.indexOf('ControlPath=none')).toBeLessThan(fresh.indexOf('ControlPath=/mine'));
    expect(nixSshOpts(target, { controlPath: '/tmp/m/master' })).toContain('-o ControlPath=/tmp/m/master');
    // A socket path NIX_SSHOPTS would split: nix copy connects afresh instead of failing.
    expect(nixSshOpts(target, { controlPath: '/tmp/a b/master' })).not.toContain('ControlPath');
  });

  it('refuses an option that NIX_SSHOPTS would split, naming the host', () => {
    expect(() => nixSshOpts({ ...target, sshOptions: ['ProxyCommand=nc %h %p'] })).toThrow(
      /host web1: ssh option "ProxyCommand=nc %h %p" contains whitespace/,
    );
  });
});

describe('shell quoting', () => {
  it.each(['plain', "it's", 'a b', '$(rm -rf /)', '`x`', '"q"', 'new\nline', ''])(
    'round-trips %j through sh',
    (word) => {
      const out = execFileSync('/bin/sh', ['-c', `printf %s ${shq(word)}`], { encoding: 'utf8' });
      expect(out).toBe(word);
    },
  );

  it('runs a script with arguments under sh -c whatever the login shell', () => {
    const cmd = shCommand('printf "%s|%s" "$1" "$2"', ["a'b", 'c d']);
    expect(execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' })).toBe("a'b|c d");
  });
});
