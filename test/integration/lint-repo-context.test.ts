// `tappaas lint` on a fleet shaped like the public ones (test/fixtures/fleets/mixed): what a
// file is comes from the repository's own import graph, so NixOS rules judge NixOS modules
// only, home-manager modules and packages are left alone, names the repository declares or
// a module flake among its inputs adds are known, and only certain findings are errors.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOST_OPTIONS, optionsIndex, writeOptionsIndexes } from '../helpers/options-index.js';
import { buildCli, gitInit, REPO, runCli } from '../helpers/run-cli.js';

interface Finding {
  file: string;
  line: number;
  rule: string;
  severity: string;
  message: string;
}

function fleet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-mixed-'));
  cpSync(join(REPO, 'test/fixtures/fleets/mixed'), dir, { recursive: true });
  gitInit(dir);
  return dir;
}

function lint(dir: string, args: string[] = []): { code: number; findings: string[] } {
  const r = runCli(['lint', '.', '--format', 'json', '--no-cache', ...args], {
    cwd: dir,
    env: { XDG_CACHE_HOME: join(dir, '.cache') },
  });
  if (r.code !== 0 && r.code !== 1) throw new Error(r.stderr);
  const found = (JSON.parse(r.stdout) as { diagnostics: Finding[] }).diagnostics;
  return {
    code: r.code,
    findings: found
      .filter(
        (d) => !['manual-inherit', 'useless-parens', 'unused-argument', 'eta-reduction'].includes(d.rule),
      )
      .map(
        (d) =>
          `${d.file}:${d.line} ${d.severity} ${d.rule}${d.rule === 'unknown-option-namespace' ? ` ${d.message.slice(0, 12)}` : ''}`,
      ),
  };
}

describe('lint with the repository context', () => {
  beforeAll(() => buildCli());

  it('without an options index: the lost prefix is a warning with its fix, nothing else is reported', () => {
    const { code, findings } = lint(fleet());
    expect(findings).toEqual([
      'hosts/web/gpu.nix:4 warning unknown-option-namespace `graphics` i',
      'unused.nix:3 warning unknown-option-namespace `graphics` i',
    ]);
    expect(code).toBe(0);
  });

  it('with an options index: an unknown option in a module a host imports is an error, elsewhere a warning', () => {
    const dir = fleet();
    const [index] = writeOptionsIndexes(
      optionsIndex('web', [
        ...HOST_OPTIONS,
        'sops.secrets!',
        'sops.secrets.<name>.sopsFile',
        'backup.enable',
        'home-manager.users',
        'services.restic.backups',
        'users.users.<name>.isNormalUser',
      ]),
    );
    writeFileSync(join(dir, 'tappaas.json'), JSON.stringify({ lint: { optionsIndex: index } }));
    const { code, findings } = lint(dir);
    expect(findings).toEqual([
      'hosts/web/gpu.nix:4 error unknown-option',
      'unused.nix:3 warning unknown-option',
    ]);
    expect(code).toBe(1);
  });

  it('a literal password in a password option is certain only in a module the flake loads', () => {
    const dir = fleet();
    const common = join(dir, 'hosts/common/default.nix');
    writeFileSync(
      common,
      readFileSync(common, 'utf8').replace(
        'isNormalUser = true;',
        'isNormalUser = true;\n  users.users.me.initialPassword = "hunter22";',
      ),
    );
    writeFileSync(join(dir, 'vm-test.nix'), '{ users.users.alice.password = "foobar"; }\n');
    const { code, findings } = lint(dir);
    expect(findings.filter((f) => f.includes('secret-in-store'))).toEqual([
      'hosts/common/default.nix:5 error secret-in-store',
      'vm-test.nix:1 warning secret-in-store',
    ]);
    expect(code).toBe(1);
  });

  it("the guide's bugs, in modules a host imports: certain ones are errors, renames warnings with the fix", () => {
    const dir = fleet();
    mkdirSync(join(dir, 'guide'));
    for (const f of ['configuration.nix', 'role-vllm.nix', 'role-litellm.nix', 'common.nix'])
      cpSync(join(REPO, 'test/fixtures/guide', f), join(dir, 'guide', f));
    const host = join(dir, 'hosts/web/default.nix');
    writeFileSync(
      host,
      readFileSync(host, 'utf8').replace(
        './gpu.nix',
        './gpu.nix\n    ../../guide/role-vllm.nix\n    ../../guide/role-litellm.nix\n    ../../guide/configuration.nix',
      ),
    );
    const r = runCli(['lint', 'guide', '--format', 'json', '--no-cache'], {
      cwd: dir,
      env: { XDG_CACHE_HOME: join(dir, '.cache') },
    });
    const found = (JSON.parse(r.stdout) as { diagnostics: Finding[] }).diagnostics;
    const show = (file: string, rules: string[]) =>
      found
        .filter((d) => d.file === file && rules.includes(d.rule))
        .map((d) => `${d.line} ${d.severity} ${d.rule} ${/`[^`]+`/.exec(d.message)?.[0]}`);
    expect(show('guide/role-vllm.nix', ['renamed-option', 'unknown-option-namespace'])).toEqual([
      '15 warning renamed-option `hardware.opengl.enable`',
      '16 error renamed-option `hardware.opengl.driSupport`',
      '17 warning renamed-option `hardware.opengl.driSupport32Bit`',
      '20 warning unknown-option-namespace `graphics`',
    ]);
    expect(
      show('guide/role-litellm.nix', ['systemd-exec-command']).map((l) => l.split(' ').slice(0, 3).join(' ')),
    ).toEqual(['18 error systemd-exec-command', '20 error systemd-exec-command']);
    expect(
      show('guide/configuration.nix', ['imports-config']).map((l) => l.split(' ').slice(0, 3).join(' ')),
    ).toEqual(['6 error imports-config', '7 error imports-config']);
    expect(r.code).toBe(1);
  });

  it("check settles a revision (--to) by that revision's own import graph, as lint settles the work tree", () => {
    const dir = fleet();
    writeFileSync(join(dir, 'tappaas.json'), JSON.stringify({ fleet: { root: 'home' } }));
    // A NixOS-only finding in a home-manager module: settled away in the work tree and at HEAD.
    writeFileSync(
      join(dir, 'home/me/cli.nix'),
      '{ ... }:\n{\n  home.sessionVariables.EDITOR = "vi";\n  xsession.enable = true;\n}\n',
    );
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'add', '-A'], {
      cwd: dir,
    });
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'fleet'],
      { cwd: dir },
    );
    const lintRules = (args: string[]) => {
      const r = runCli(['check', ...args, '--format', 'json', '--no-cache'], {
        cwd: dir,
        env: { XDG_CACHE_HOME: join(dir, '.cache') },
      });
      return (JSON.parse(r.stdout) as { diagnostics: Finding[] }).diagnostics
        .filter((d) => !d.rule.startsWith('fleet-'))
        .map((d) => `${d.file}:${d.line} ${d.rule}`);
    };
    expect(lintRules([])).toEqual([]);
    expect(lintRules(['--to', 'HEAD'])).toEqual([]);
  });
});
