// `tappaas eval` as a user and a CI job run it: the built CLI, real nix, the 20-host fixture.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostResult } from '../../scripts/nixcli/types.js';
import { breakTwoHosts, type NixFleet, offlineNixEnv, writeNixFleet } from '../helpers/nix-fleet.js';
import { buildCli, gitInit, runCli } from '../helpers/run-cli.js';

const env = offlineNixEnv();

function fleet(hosts: number): NixFleet {
  const f = writeNixFleet(mkdtempSync(join(tmpdir(), 'tappaas-cli-eval-')), { hosts });
  return f;
}

beforeAll(() => buildCli());

describe('tappaas eval on a 20-host fleet with an eval error and a build error', () => {
  let f: NixFleet;
  beforeAll(() => {
    f = fleet(20);
    breakTwoHosts(f);
  });

  it('--build --json: both failures at the file:line of their cause, the other 18 ok, exit 1', () => {
    const r = runCli(['eval', '--build', '--json', '--jobs', '2'], { cwd: f.dir, env });
    expect(r.code).toBe(1);
    const { hosts } = JSON.parse(r.stdout) as { hosts: HostResult[] };
    expect(hosts.map((h) => h.name)).toEqual(f.hosts);
    for (const h of hosts)
      expect(Object.keys(h).slice(0, 5)).toEqual(['name', 'status', 'drvPath', 'outPath', 'error']);
    expect(hosts.find((h) => h.name === 'db1')).toMatchObject({
      status: 'eval-error',
      drvPath: null,
      outPath: null,
      file: 'nix/hosts/db1.nix',
      line: 7,
      column: 25,
      message: "undefined variable 'portBase'",
    });
    const cache2 = hosts.find((h) => h.name === 'cache2')!;
    expect(cache2).toMatchObject({ status: 'build-error', file: 'nix/hosts/cache2.nix', line: 8 });
    expect(cache2.drvPath).toMatch(/-nixos-system-cache2\.drv$/);
    expect(cache2.error).toContain('broken-tool: self-test failed');
    const ok = hosts.filter((h) => h.status === 'ok');
    expect(ok).toHaveLength(18);
    for (const h of ok) expect(h.error).toBeNull();
    // The log (stderr under --json) has the plain table.
    expect(r.stderr).toContain(
      'tappaas eval: 20 hosts evaluated and built: 18 ok, 1 eval-error, 1 build-error',
    );
    expect(r.stderr).toMatch(
      /\| db1 \| eval-error \| nix\/hosts\/db1\.nix:7 \| undefined variable 'portBase' \|/,
    );
  });

  it('in GitHub Actions: a group per host, annotations at file:line, the job summary and the plain table', () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'tappaas-summary-')), 'summary.md');
    writeFileSync(summary, '');
    const r = runCli(['eval', 'db1', 'web0', 'cache2', '--build'], {
      cwd: f.dir,
      env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::group::✗ db1 eval-error$/m);
    expect(r.stdout).toMatch(/^::group::✓ web0 ok$/m);
    expect(r.stdout).toMatch(/^::endgroup::$/m);
    expect(r.stdout).toMatch(
      /^::error file=nix\/hosts\/db1\.nix,title=tappaas eval%3A db1 eval-error,line=7,col=25::nix\/hosts\/db1\.nix:7:25: undefined variable 'portBase'%0A/m,
    );
    expect(r.stdout).toMatch(
      /^::error file=nix\/hosts\/cache2\.nix,title=tappaas eval%3A cache2 build-error,line=8,/m,
    );
    expect(r.stdout).toContain('| web0 | ok |');
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### ❌ tappaas eval');
    expect(md).toContain('| <code>db1</code> | ❌ eval-error | <code>nix/hosts/db1.nix:7</code> |');
    expect(md).toMatch(/<details><summary>cache2: build-error at nix\/hosts\/cache2\.nix:8<\/summary>/);
  });
});

describe('tappaas eval, good runs and bad input', () => {
  it('evaluates the named hosts of a git repository and exits 0', () => {
    const f = fleet(3);
    gitInit(f.dir);
    // A git flake sees tracked files only.
    runGit(f.dir, ['add', '-A']);
    const r = runCli(['eval', 'web0', '--json'], { cwd: join(f.dir, 'nix'), env });
    expect(r.code).toBe(0);
    const { hosts } = JSON.parse(r.stdout) as { hosts: HostResult[] };
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({ name: 'web0', status: 'ok', error: null });
  });

  it.each([['nosuch'], ['../x'], ['web0"; builtins.abort "x'], ['--']])(
    'rejects unknown host %j with exit 2',
    (host) => {
      const f = fleet(2);
      const r = runCli(['eval', '--', host], { cwd: f.dir, env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`unknown host ${JSON.stringify(host)}; the flake defines: db1, web0`);
    },
  );

  it('a flake with broken syntax: exit 1 and the place in flake.nix', () => {
    const f = fleet(2);
    f.write('flake.nix', '{\n  outputs = { self }: {\n    nixosConfigurations = { ;\n  };\n}\n');
    const r = runCli(['eval', '--json'], { cwd: f.dir, env });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { hosts: unknown[]; error: { file: string; line: number } };
    expect(out.hosts).toEqual([]);
    expect(out.error).toMatchObject({ file: 'flake.nix', line: 3 });
    expect(r.stderr).toMatch(/flake\.nix:3:\d+: syntax error/);
  });

  it.each([
    [['--jobs', '0'], '--jobs wants a positive number'],
    [['--timeout', 'soon'], '--timeout wants a positive number'],
    [['--evaluator', 'magic'], '--evaluator wants auto, nix or nix-eval-jobs'],
    [['--flake', '/nonexistent/dir'], 'no such folder'],
  ])('usage error %j', (args, message) => {
    const f = fleet(1);
    const r = runCli(['eval', ...args], { cwd: f.dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('no flake.nix: usage error naming the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tappaas-noflake-'));
    const r = runCli(['eval'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no flake.nix in ${dir}`);
  });

  it('a timeout is a per-host result in the CLI too', () => {
    const f = fleet(3);
    f.writeHost('db1', 1, {
      lines: ["  settings.slow = builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: i) 20000000);"],
    });
    const r = runCli(['eval', '--json', '--timeout', '1'], { cwd: f.dir, env });
    expect(r.code).toBe(1);
    const { hosts } = JSON.parse(r.stdout) as { hosts: HostResult[] };
    expect(hosts.map((h) => [h.name, h.status, h.cause ?? null])).toEqual([
      ['cache2', 'ok', null],
      ['db1', 'eval-error', 'timeout'],
      ['web0', 'ok', null],
    ]);
  });
});

describe('tappaas eval when nix is killed', () => {
  it('reports the host nix was on as killed, evaluates the others, exit 1, no crash', () => {
    const f = fleet(4);
    f.writeHost('db1', 1, {
      lines: ["  settings.slow = builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: i) 20000000);"],
    });
    // `nix` on PATH is a wrapper that runs the real one and, once db1 starts evaluating,
    // kills it and itself with SIGKILL (as the OOM killer would).
    const bin = mkdtempSync(join(tmpdir(), 'tappaas-killer-bin-'));
    const realNix = execFileSync('sh', ['-c', 'command -v nix'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'nix'),
      [
        '#!/bin/sh',
        `${realNix} "$@" 2> "$0.$$.err" &`,
        'pid=$!',
        'while kill -0 $pid 2>/dev/null; do',
        `  if grep -q '"start":"db1"' "$0.$$.err"; then kill -9 $pid; cat "$0.$$.err" >&2; kill -9 $$; fi`,
        '  sleep 0.05',
        'done',
        'cat "$0.$$.err" >&2',
        'wait $pid',
      ].join('\n'),
      { mode: 0o755 },
    );
    const r = runCli(['eval', '--json'], { cwd: f.dir, env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('internal error');
    const { hosts } = JSON.parse(r.stdout) as { hosts: HostResult[] };
    expect(hosts.map((h) => [h.name, h.status, h.cause ?? null])).toEqual([
      ['cache2', 'ok', null],
      ['db1', 'eval-error', 'killed'],
      ['proxy3', 'ok', null],
      ['web0', 'ok', null],
    ]);
    expect(hosts[1]?.error).toBe('nix was killed by SIGKILL while evaluating db1');
  });
});

function runGit(cwd: string, args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'pipe' });
}
