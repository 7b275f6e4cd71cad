// Pure builders of the fleet side: ssh argv and the remote lock command, flake references and
// the batched evaluation expression, drift verdicts, result tables.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { driftExitCode, driftOf } from '../../../scripts/deploy/drift.js';
import { lockCommand, lockFileOf, shellQuote, sshArgv } from '../../../scripts/deploy/fleet-lock.js';
import { flakeAt } from '../../../scripts/deploy/toplevels.js';
import type { DeployTarget } from '../../../scripts/deploy/types.js';
import {
  deploySummaryMarkdown,
  deployTableText,
  shortStorePath,
} from '../../../scripts/report/deploy-table.js';

const target: DeployTarget = {
  name: 'web1',
  address: '10.0.0.5',
  sshUser: 'deploy',
  sshPort: 2222,
  sshOptions: ['StrictHostKeyChecking=yes'],
  health: [],
  profile: "/srv/it's/system",
  currentSystem: '/run/current-system',
};

describe('ssh and lock commands', () => {
  it('builds the ssh argv with options before the destination and `--`', () => {
    expect(sshArgv(target, 'true')).toEqual([
      'ssh',
      '-T',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      '-o',
      'StrictHostKeyChecking=yes',
      '-p',
      '2222',
      '-l',
      'deploy',
      '--',
      '10.0.0.5',
      'true',
    ]);
    expect(sshArgv({ ...target, sshOptions: ['ConnectTimeout=3'] }, 'x')).not.toContain('ConnectTimeout=10');
  });

  it('quotes words for the remote shell', () => {
    expect(shellQuote('/nix/store/abc-x')).toBe('/nix/store/abc-x');
    expect(shellQuote("it's; rm -rf /")).toBe(`'it'\\''s; rm -rf /'`);
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote("a b'c$(x)")}`], { encoding: 'utf8' })).toBe(
      "a b'c$(x)",
    );
  });

  it('locks a file beside the profile, with the holder quoted', () => {
    expect(lockFileOf(target)).toBe("/srv/it's/system-tappaas-deploy.lock");
    const cmd = lockCommand(target, 'run $(evil)');
    expect(cmd).toContain(`flock -n -E 75 '/srv/it'\\''s/system-tappaas-deploy.lock'`);
    expect(cmd).toContain(`'run $(evil)'`);
    // It is valid POSIX shell.
    execFileSync('sh', ['-n', '-c', cmd]);
  });
});

describe('flake references', () => {
  it('names the work tree, or a commit to check out with the flake where the layout puts it', () => {
    expect(flakeAt('/repo', '/repo')).toMatchObject({ ref: '/repo', dir: '/repo' });
    const at = { root: '/repo', commit: 'abc', revision: true };
    expect(flakeAt('/repo', '/repo', 'abc')).toEqual({ ...at, flake: 'flake.nix' });
    expect(flakeAt('/repo', '/repo/fleet', 'abc')).toEqual({ ...at, flake: 'fleet/flake.nix' });
  });
});

describe('drift', () => {
  it('tells in-sync, drift, unreachable and unknown apart', () => {
    expect(driftOf({ name: 'a', running: '/x', expected: '/x' }).status).toBe('in-sync');
    expect(driftOf({ name: 'a', running: '/x', expected: '/y', deployedCommit: 'c' })).toEqual({
      name: 'a',
      status: 'drift',
      running: '/x',
      expected: '/y',
      deployedCommit: 'c',
    });
    expect(driftOf({ name: 'a', runningError: 'refused', expected: '/y' })).toMatchObject({
      status: 'unreachable',
      error: 'refused',
    });
    expect(driftOf({ name: 'a', running: '/x', expectedError: 'eval failed' })).toMatchObject({
      status: 'unknown',
      error: 'eval failed',
    });
    expect(driftExitCode([driftOf({ name: 'a', running: '/x', expected: '/x' })])).toBe(0);
    expect(driftExitCode([driftOf({ name: 'a', running: '/x', expected: '/y' })])).toBe(1);
  });
});

describe('result tables', () => {
  const results = [
    {
      name: 'web1',
      status: 'deployed' as const,
      from: `/nix/store/${'a'.repeat(32)}-nixos-system-web1`,
      to: `/nix/store/${'b'.repeat(32)}-nixos-system-web1`,
    },
    {
      name: 'web2',
      status: 'rolled-back' as const,
      phase: 'health',
      error: 'GET :8000/health | 500\nsecond line',
    },
  ];

  it('shortens store paths', () => {
    expect(shortStorePath(results[0]!.from)).toBe('aaaaaaaa…-nixos-system-web1');
    expect(shortStorePath(undefined)).toBe('-');
  });

  it('prints one aligned row per host and the counts', () => {
    expect(deployTableText(results)).toBe(
      [
        `host  status       phase   ${'from'.padEnd(27)}  ${'to'.padEnd(27)}  error`,
        'web1  deployed             aaaaaaaa…-nixos-system-web1  bbbbbbbb…-nixos-system-web1',
        `web2  rolled-back  health  ${'-'.padEnd(27)}  ${'-'.padEnd(27)}  GET :8000/health | 500 second line`,
        '1 deployed, 1 rolled-back',
        '',
      ].join('\n'),
    );
  });

  it('writes the same rows as a Markdown table, pipes escaped', () => {
    const md = deploySummaryMarkdown(results, 'tappaas deploy abc');
    expect(md).toContain('### tappaas deploy abc');
    expect(md).toContain('| web2 | rolled-back | health | - | - | GET :8000/health \\| 500 second line |');
    expect(md).toContain('`aaaaaaaa…-nixos-system-web1`');
  });
});
