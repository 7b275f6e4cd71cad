// `tappaas check` through the built CLI on real git repositories: the bundled fleet is clean,
// the broken fixture reports each structure problem, --from reports only what a change
// introduced, and a changed system.stateVersion needs its commit trailer (or the policy).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO, runCli } from '../helpers/run-cli.js';

beforeAll(() => buildCli());

interface Finding {
  file: string;
  line: number;
  column: number;
  rule: string;
  severity: string;
  message: string;
}

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A new repository holding the bundled fleet (nix/, flake.nix) or a fixture fleet. */
function repoWith(fleet: 'bundled' | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-check-'));
  if (fleet === 'bundled') {
    cpSync(join(REPO, 'nix'), join(dir, 'nix'), { recursive: true });
    cpSync(join(REPO, 'flake.nix'), join(dir, 'flake.nix'));
  } else {
    cpSync(join(REPO, 'test', 'fixtures', 'fleets', fleet), dir, { recursive: true });
  }
  git(dir, 'init', '-q', '-b', 'main');
  commit(dir, {}, 'fleet');
  return dir;
}

function commit(dir: string, files: Record<string, string | null>, message: string): string {
  for (const [path, text] of Object.entries(files)) {
    const abs = join(dir, path);
    if (text === null) rmSync(abs);
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

function check(dir: string, ...args: string[]) {
  const r = runCli(['check', '--format', 'json', ...args], {
    cwd: dir,
    env: { XDG_CACHE_HOME: join(dir, '.git', 'cache') },
  });
  const json = r.stdout ? (JSON.parse(r.stdout) as { files: number; diagnostics: Finding[] }) : undefined;
  return { ...r, json, shown: (json?.diagnostics ?? []).map((d) => `${d.rule} ${d.file}:${d.line}`).sort() };
}

const COMMON = 'nix/common.nix';

describe('tappaas check', () => {
  it('passes the bundled fleet with no finding at all, from the work tree and from a revision', () => {
    const dir = repoWith('bundled');
    // Every Nix file of the fleet (roles, template, cicd server, package, hosts, hardware) and the flake.
    const nixFiles = git(dir, 'ls-files', 'nix', 'flake.nix')
      .split('\n')
      .filter((f) => f.endsWith('.nix'));
    expect(nixFiles).toEqual(
      expect.arrayContaining([
        'nix/modules/roles/cicd.nix',
        'nix/modules/template.nix',
        'nix/pkgs/tappaas-cicd.nix',
        'nix/hosts/tappaas-cicd.nix',
        'nix/hardware/tappaas-cicd-hw.nix',
      ]),
    );
    for (const args of [[], ['--to', 'HEAD']]) {
      const r = check(dir, ...args);
      expect(r.stderr).toBe('');
      expect(r.json!.diagnostics).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.json!.files).toBe(nixFiles.length);
    }
    const lint = runCli(['lint', '--format', 'json'], {
      cwd: dir,
      env: { XDG_CACHE_HOME: join(dir, '.git', 'cache') },
    });
    expect(lint.code, lint.stderr).toBe(0);
    expect(JSON.parse(lint.stdout)).toEqual({ files: nixFiles.length, diagnostics: [] });
  });

  it('reports each problem of the broken fleet, with its fix', () => {
    const r = check(repoWith('broken'));
    expect(r.code).toBe(1);
    expect(r.shown).toEqual([
      'fleet-flake-hosts flake.nix:20',
      'fleet-flake-hosts flake.nix:24',
      'fleet-host-name nix/hosts/Bad_Host.nix:1',
      'fleet-host-name nix/hosts/WEB1.nix:1',
      'fleet-host-name-collision nix/hosts/web1.nix:1',
      'fleet-hostname-mismatch nix/hosts/web1.nix:3',
      'fleet-missing-hardware nix/hosts/db1.nix:1',
      'fleet-orphan-hardware nix/hardware/old-hw.nix:1',
      'fleet-role-count nix/hosts/WEB1.nix:3',
      'fleet-role-count nix/hosts/db1.nix:1',
      'fleet-unimported-file nix/modules/unused.nix:1',
    ]);
    const byRule = new Map(r.json!.diagnostics.map((d) => [d.rule, d]));
    expect(byRule.get('fleet-missing-hardware')!.message).toContain('Add nix/hardware/db1-hw.nix');
    expect(byRule.get('fleet-orphan-hardware')!.severity).toBe('warning');
    expect(byRule.get('fleet-hostname-mismatch')!.message).toContain('Set networking.hostName = "web1"');
  });

  it('names files relative to where it runs, and renders text and SARIF', () => {
    const dir = repoWith('broken');
    const sub = check(join(dir, 'nix'));
    expect(sub.shown).toContain('fleet-unimported-file modules/unused.nix:1');
    const text = runCli(['check', '--no-color'], {
      cwd: dir,
      env: { XDG_CACHE_HOME: join(dir, '.git', 'cache') },
    });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('nix/hosts/web1.nix:3:25 error networking.hostName is "web-1"');
    const sarif = runCli(['check', '--format', 'sarif'], {
      cwd: dir,
      env: { XDG_CACHE_HOME: join(dir, '.git', 'cache') },
    });
    const results = JSON.parse(sarif.stdout).runs[0].results as { ruleId: string }[];
    expect(results.map((x) => x.ruleId)).toContain('fleet-role-count');
  });

  it('with --from reports only what the change introduced, whatever moved', () => {
    const dir = repoWith('broken');
    const base = git(dir, 'rev-parse', 'HEAD');
    const web1 = readFileSync(join(dir, 'nix/hosts/web1.nix'), 'utf8');
    commit(
      dir,
      {
        // The old mismatch moves down three lines: still old.
        'nix/hosts/web1.nix': `# moved\n# down\n# three\n${web1}`,
        // New: a host without hardware, and a lint finding.
        'nix/hosts/cache1.nix': '{ x = y: y == true; tappaas.roles.web.enable = true; }\n',
        // Fixed: the orphan hardware file gets its host... which is a new problem-free host.
        'nix/hosts/old.nix': '{ tappaas.roles.db.enable = true; }\n',
      },
      'add cache1 and old',
    );
    const r = check(dir, '--from', base, '--to', 'HEAD');
    expect(r.shown).toEqual([
      'bool-comparison nix/hosts/cache1.nix:1',
      'fleet-flake-hosts flake.nix:20',
      'fleet-flake-hosts flake.nix:20',
      'fleet-missing-hardware nix/hosts/cache1.nix:1',
    ]);
    expect(
      r
        .json!.diagnostics.filter((d) => d.rule === 'fleet-flake-hosts')
        .map((d) => d.message)
        .join('\n'),
    ).toMatch(/host "cache1"[\s\S]*host "old"|host "old"[\s\S]*host "cache1"/);
    expect(r.code).toBe(1);
    // The same from the work tree (FROM against what is on disk), and nothing new: exit 0.
    expect(check(dir, '--from', base).shown).toEqual(r.shown);
    const same = check(dir, '--from', 'HEAD');
    expect(same.json!.diagnostics).toEqual([]);
    expect(same.code).toBe(0);
  });

  it('rejects a changed system.stateVersion unless a commit in FROM..TO allows it', () => {
    const dir = repoWith('bundled');
    const base = git(dir, 'rev-parse', 'HEAD');
    const common = readFileSync(join(dir, COMMON), 'utf8');
    const changed = common.replace('system.stateVersion = "25.05"', 'system.stateVersion = "25.11"');
    expect(changed).not.toBe(common);
    const head = commit(dir, { [COMMON]: changed }, 'Bump the release');
    const r = check(dir, '--from', base, '--to', head);
    expect(r.code).toBe(1);
    expect(r.shown).toEqual([
      `state-version-change ${COMMON}:${common.split('\n').findIndex((l) => l.includes('stateVersion')) + 1}`,
    ]);
    expect(r.json!.diagnostics[0]!.message).toContain('from "25.05" to "25.11"');

    const allowed = commit(
      dir,
      {},
      'Note the migration\n\nAllow-State-Version-Change: PostgreSQL dumped and restored',
    );
    const ok = check(dir, '--from', base, '--to', allowed);
    expect(ok.json!.diagnostics).toEqual([]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('system.stateVersion change allowed (PostgreSQL dumped and restored)');
  });

  it('allows a stateVersion change by the policy at FROM, never by the change itself', () => {
    const dir = repoWith('bundled');
    const common = readFileSync(join(dir, COMMON), 'utf8');
    const changed = common.replace('system.stateVersion = "25.05"', 'system.stateVersion = "25.11"');
    const policy = JSON.stringify({ fleet: { allowStateVersionChange: 'fleet reinstalled' } });
    // The change brings its own permission: not taken.
    const base = git(dir, 'rev-parse', 'HEAD');
    commit(dir, { [COMMON]: changed, 'tappaas.json': policy }, 'bump and allow');
    expect(check(dir, '--from', base, '--to', 'HEAD').code).toBe(1);
    // The permission was there before the change: taken.
    const allowedBase = commit(dir, { [COMMON]: common }, 'revert, policy stays');
    commit(dir, { [COMMON]: changed }, 'bump again');
    const r = check(dir, '--from', allowedBase, '--to', 'HEAD');
    expect(r.json!.diagnostics).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('exits 2 with a clear message on a bad revision or argument', () => {
    const dir = repoWith('bundled');
    const r = runCli(['check', '--from', 'no-such-branch'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--from "no-such-branch": no such commit');
    expect(runCli(['check', 'nix'], { cwd: dir }).code).toBe(2);
    const empty = mkdtempSync(join(tmpdir(), 'tappaas-check-empty-'));
    git(empty, 'init', '-q');
    const none = runCli(['check'], { cwd: empty });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nothing to check: no .nix file under nix/ and no flake.nix');
    expect(runCli(['check', '--format', 'xml'], { cwd: dir }).code).toBe(2);
  });
});
