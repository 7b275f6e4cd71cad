import { execFileSync } from 'node:child_process';
// `tappaas options-index` end to end with real Nix (offline, no nixpkgs): the fixture flake
// (test/fixtures/options-flake) has hosts whose options tree looks like NixOS's. Then
// `tappaas lint` finds the index by itself and reports definitions that are no option, and
// the idiomatic fleet (test/fixtures/idiomatic) stays clean against it.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, REPO, runCli, tempTree } from '../helpers/run-cli.js';

const NIX_CONFIG = 'experimental-features = nix-command flakes\nsubstituters =';
const env = (dir: string, extra: Record<string, string> = {}) => ({
  NIX_CONFIG,
  XDG_CACHE_HOME: join(dir, '.cache'),
  ...extra,
});

const BAD: Record<string, string> = {
  'bad/nested.nix':
    '{ config, lib, ... }:\n{\n  networking = {\n    firewall = {\n      enabel = true;\n    };\n  };\n}\n',
  'bad/dotted.nix': '{ ... }:\n{\n  networking.hostNme = "gpu1";\n  graphics.enable = true;\n}\n',
  'bad/explicit.nix':
    '{ config, lib, ... }:\n{\n  options.tappaas.extra = lib.mkOption { };\n  config = {\n    tappaas.extra = 1;\n    users.users.alice.isNormalUsr = true;\n    services.openssh.settings.UseDns = false;\n  };\n}\n',
  'bad/wrapped.nix':
    '{ config, lib, ... }:\n{\n  config = lib.mkIf config.tappaas.roles.vllm.enable (lib.mkMerge [\n    { systemd.services.vllm.serviceConfg.DynamicUser = true; }\n    (lib.mkIf true { time.timeZon = "UTC"; })\n  ]);\n}\n',
};

/** The fixture flake with the idiomatic fleet's nix/ and the bad modules beside it. */
function fleet(): string {
  const dir = tempTree(BAD, 'tappaas-options-');
  cpSync(join(REPO, 'test/fixtures/options-flake'), dir, { recursive: true });
  cpSync(join(REPO, 'test/fixtures/idiomatic/nix'), join(dir, 'nix'), { recursive: true });
  return dir;
}

interface Finding {
  file: string;
  line: number;
  column: number;
  rule: string;
  message: string;
  severity: string;
}

function lint(dir: string, paths: string[], extra: Record<string, string> = {}) {
  const r = runCli(['lint', ...paths, '--format', 'json', '--no-cache'], { cwd: dir, env: env(dir, extra) });
  if (r.code === 2) throw new Error(r.stderr);
  return { code: r.code, diagnostics: JSON.parse(r.stdout).diagnostics as Finding[] };
}

beforeAll(() => buildCli());

describe('tappaas options-index', () => {
  let dir: string;
  beforeAll(() => {
    dir = fleet();
  });

  it('evaluates each named host once, then answers from the cache without Nix', () => {
    const first = runCli(['options-index', 'gpu1', 'gw1'], { cwd: dir, env: env(dir) });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^gpu1: \d+ options, evaluated in [\d.]+ s: \.tappaas\/options\/[0-9a-f]{16}\/gpu1\.json/m,
    );
    expect(first.stdout).toMatch(/^gw1: \d+ options, evaluated in/m);
    expect(first.stdout).toMatch(
      /options index of 2 host\(s\) for flake\.nix [0-9a-f]{16}: 0 cached, 2 evaluated$/m,
    );
    // No Nix at all the second time: the program it would run does not exist.
    const again = runCli(['options-index', 'gpu1', 'gw1'], {
      cwd: dir,
      env: env(dir, { TAPPAAS_NIX: '/nonexistent/nix' }),
    });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^gpu1: \d+ options, cache hit \(nothing evaluated\)/m);
    expect(again.stdout).toMatch(/2 cached, 0 evaluated$/m);
  });

  it('indexes submodules with placeholders, freeform ones open, and survives recursion and throws', () => {
    const r = runCli(['options-index', 'gpu1', '--json'], { cwd: dir, env: env(dir) });
    const out = JSON.parse(r.stdout);
    const index = JSON.parse(readFileSync(join(dir, out.hosts[0].file), 'utf8'));
    const paths = index.options.map((p: string[]) => p.join('.'));
    expect(paths).toContain('users.users.<name>.openssh.authorizedKeys.keys');
    expect(paths).toContain('swapDevices.*.device');
    expect(paths).toContain('services.openssh.settings.PermitRootLogin');
    const closed = index.closed.map((p: string[]) => p.join('.'));
    expect(closed).toContain('users.users');
    expect(closed).not.toContain('services.openssh.settings');
    // A shallow submodule is not descended; a recursive type stops; throws are kept open.
    expect(paths).toContain('specialisation.<name>.configuration');
    expect(paths.some((p: string) => p.startsWith('specialisation.<name>.configuration.'))).toBe(false);
    expect(paths.filter((p: string) => p.startsWith('fixture.recursive')).length).toBeLessThan(10);
    expect(index.errors.map((p: string[]) => p.join('.')).sort()).toEqual([
      'fixture.brokenType',
      'fixture.throwing.value',
    ]);
    expect(out.hosts[0]).toMatchObject({ name: 'gpu1', status: 'cached', skipped: 2 });
  });

  it('every host: a host that does not evaluate fails alone, with its file and line (exit 1)', () => {
    const r = runCli(['options-index', '--json'], { cwd: dir, env: env(dir) });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.keySource).toBe('flake.nix');
    expect(out.hosts.map((h: { name: string; status: string }) => `${h.name} ${h.status}`)).toEqual([
      'broken eval-error',
      'gpu1 cached',
      'gw1 cached',
    ]);
    expect(out.hosts[0].error).toEqual({
      message: "undefined variable 'missingFunction'",
      file: 'broken-options.nix',
      line: 2,
      column: 16,
    });
    const text = runCli(['options-index'], { cwd: dir, env: env(dir) });
    expect(text.stdout).toContain(
      "broken: eval error: broken-options.nix:2:16: undefined variable 'missingFunction'",
    );
  });

  it('an unknown host is a usage error naming the hosts there are (exit 2)', () => {
    const r = runCli(['options-index', 'gpu2'], { cwd: dir, env: env(dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `tappaas options-index: no host "gpu2" in nixosConfigurations of ${dir}; its hosts: broken, gpu1, gw1\n`,
    );
  });

  it('a flake that does not evaluate, or no flake: a clean error (exit 2)', () => {
    const broken = tempTree({
      'flake.nix':
        '{\n  outputs = { self }: {\n    nixosConfigurations.a = { options = { x = 1 }; };\n  };\n}\n',
    });
    const r = runCli(['options-index', '--flake', broken], { cwd: dir, env: env(dir) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^tappaas options-index: cannot list nixosConfigurations of .*: .*flake\.nix:3:49: syntax error/,
    );
    expect(r.stderr).not.toContain('internal error');
    const json = runCli(['options-index', '--flake', broken, '--json'], { cwd: broken, env: env(dir) });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      kind: 'flake-error',
      file: 'flake.nix',
      line: 3,
      column: 49,
    });
    const none = runCli(['options-index', '--flake', join(dir, 'nix')], { cwd: dir, env: env(dir) });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no flake.nix in');
    const usage = runCli(['options-index', '--timeout', 'soon'], { cwd: dir, env: env(dir) });
    expect(usage.code).toBe(2);
  });
});

describe('tappaas lint with an options index', () => {
  let dir: string;
  beforeAll(() => {
    dir = fleet();
    const r = runCli(['options-index', 'gpu1', 'gw1'], { cwd: dir, env: env(dir) });
    if (r.code !== 0) throw new Error(r.stderr);
  });

  it('the idiomatic fleet has no definition that is no option', () => {
    const r = lint(dir, ['nix']);
    expect(r.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('reports each unknown path at its key, with a did-you-mean, in every spelling', () => {
    const r = lint(dir, ['bad']);
    // No host of this flake imports bad/ (it builds no nixosSystem): the findings are warnings,
    // not errors (test/integration/lint-repo-context.test.ts has the certain case).
    expect(r.code).toBe(0);
    expect(new Set(r.diagnostics.map((d) => d.severity))).toEqual(new Set(['warning']));
    const shown = r.diagnostics.map((d) => {
      const line = readFileSync(join(dir, d.file), 'utf8').split('\n')[d.line - 1]!;
      const key = /^[\w-]+/.exec(line.slice(d.column - 1))?.[0];
      return `${d.file}:${d.line} ${d.rule} ${key}: ${/Did you mean `([^`]+)`/.exec(d.message)?.[1]}`;
    });
    expect(shown).toEqual([
      'bad/dotted.nix:3 unknown-option hostNme: networking.hostName',
      'bad/dotted.nix:4 unknown-option graphics: hardware.graphics.enable',
      'bad/explicit.nix:6 unknown-option isNormalUsr: users.users.alice.isNormalUser',
      'bad/nested.nix:5 unknown-option enabel: networking.firewall.enable',
      'bad/wrapped.nix:4 unknown-option serviceConfg: systemd.services.vllm.serviceConfig.DynamicUser',
      'bad/wrapped.nix:5 unknown-option timeZon: time.timeZone',
    ]);
    expect(r.diagnostics[0]!.message).toContain('is no NixOS option of any host indexed (gpu1, gw1)');
  });

  it('lint.optionsIndex: false goes back to the namespace check; a path to an index is used as given', () => {
    writeFileSync(join(dir, 'tappaas.json'), JSON.stringify({ lint: { optionsIndex: false } }));
    const off = lint(dir, ['bad']);
    expect(off.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`)).toEqual([
      'bad/dotted.nix:4 unknown-option-namespace',
    ]);
    const indexDir = join(dir, 'index-copy');
    mkdirSync(indexDir);
    cpSync(join(dir, '.tappaas/options'), indexDir, { recursive: true });
    const [key] = readdirSync(indexDir);
    writeFileSync(
      join(dir, 'tappaas.json'),
      JSON.stringify({ lint: { optionsIndex: `index-copy/${key}/gpu1.json` } }),
    );
    const given = lint(dir, ['bad']);
    expect(given.diagnostics.filter((d) => d.rule === 'unknown-option')).toHaveLength(6);
    expect(given.diagnostics[0]!.message).toContain('of host gpu1');
    writeFileSync(join(dir, 'tappaas.json'), JSON.stringify({ lint: { optionsIndex: 'nowhere' } }));
    const wrong = runCli(['lint', 'bad'], { cwd: dir, env: env(dir) });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('lint.optionsIndex names');
    rmSync(join(dir, 'tappaas.json'));
  });

  it('a new flake.lock is a new revision: the old index is not used, and is evaluated anew', () => {
    writeFileSync(
      join(dir, 'flake.lock'),
      '{\n  "nodes": { "root": {} },\n  "root": "root",\n  "version": 7\n}\n',
    );
    const stale = lint(dir, ['bad']);
    expect(stale.diagnostics.map((d) => d.rule)).toEqual(['unknown-option-namespace']);
    const r = runCli(['options-index', 'gpu1'], { cwd: dir, env: env(dir) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/gpu1: \d+ options, evaluated in/);
    expect(r.stdout).toMatch(/for flake\.lock [0-9a-f]{16}: 0 cached, 1 evaluated/);
    expect(lint(dir, ['bad']).diagnostics.filter((d) => d.rule === 'unknown-option')).toHaveLength(6);
    expect(existsSync(join(dir, '.tappaas/.gitignore'))).toBe(true);
  });
});

describe('tappaas options-index --publish', () => {
  it("--publish pushes the revision's indexes as refs/tappaas/options-index/<key>, only when every host indexed", () => {
    // A checkout, as in CI (Nix then sees the files git tracks), with a remote to publish to.
    const dir = fleet();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'fleet');
    const bare = join(dir, '..', `${basename(dir)}-server.git`);
    execFileSync('git', ['init', '-q', '--bare', bare]);
    git('remote', 'add', 'server', bare);
    const r = runCli(['options-index', 'gpu1', 'gw1', '--publish', 'server', '--json'], {
      cwd: dir,
      env: env(dir),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.published.ref).toBe(`refs/tappaas/options-index/${out.key}`);
    const listed = execFileSync('git', ['-C', bare, 'ls-tree', '--name-only', out.published.ref], {
      encoding: 'utf8',
    });
    expect(listed.trim().split('\n')).toEqual(['gpu1.json', 'gw1.json']);
    const stored = execFileSync('git', ['-C', bare, 'show', `${out.published.ref}:gpu1.json`], {
      encoding: 'utf8',
    });
    expect(JSON.parse(stored)).toMatchObject({ host: 'gpu1', key: out.key });
    // On an Actions runner the push streams into the job's log (stderr; stdout stays JSON).
    const inCi = runCli(['options-index', 'gpu1', 'gw1', '--publish', 'server', '--json'], {
      cwd: dir,
      env: env(dir, { GITHUB_ACTIONS: 'true' }),
    });
    expect(inCi.code, inCi.stderr).toBe(0);
    expect(inCi.stderr).toMatch(
      /^\[command\]\S*git push --quiet server [0-9a-f]{40}:refs\/tappaas\/options-index\//m,
    );
    expect(JSON.parse(inCi.stdout).published).toEqual(out.published);
    // A host that fails: nothing is published, and the exit code says so.
    const failed = runCli(['options-index', '--publish', 'server'], { cwd: dir, env: env(dir) });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('not published: a host failed to evaluate');
    const wrong = runCli(['options-index', 'gpu1', '--publish', 'nowhere'], { cwd: dir, env: env(dir) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not published:');
  });
});
