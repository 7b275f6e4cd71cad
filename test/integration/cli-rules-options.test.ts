// Rule options from tappaas.json on the built CLI: a misspelt option stops `tappaas lint` and
// `tappaas check` with exit 2 (as every config error) and a message naming the file, the rule,
// the key and the fix; valid options reach the rule.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, gitInit, runCli, tempTree } from '../helpers/run-cli.js';

beforeAll(() => buildCli());

const SERVICE = '{ ... }:\n{\n  systemd.services.api.serviceConfig.User = "ops";\n}\n';

function repo(rules: Record<string, unknown>): string {
  const dir = tempTree({ 'tappaas.json': JSON.stringify({ lint: { rules } }), 'nix/api.nix': SERVICE });
  gitInit(dir);
  return dir;
}

describe('rule options in tappaas.json', () => {
  for (const command of [['lint', '--format', 'json'], ['check']]) {
    it(`tappaas ${command[0]}: a misspelt option is an error naming the file, rule, key and fix`, () => {
      const dir = repo({ 'service-admin-user': ['warning', { adminUser: ['ops'] }] });
      const r = runCli(command, { cwd: dir, env: { XDG_CACHE_HOME: join(dir, '.cache') } });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `tappaas ${command[0]}: ${join(dir, 'tappaas.json')}: has rule options that do not match the rules' schemas:\n` +
          '  /lint/rules/service-admin-user/1/adminUser: `adminUser` is no option of service-admin-user; did you mean `adminUsers`? Its options: `adminUsers`\n' +
          'Fix the options at these JSON paths; `tappaas rules` lists the options of each rule.\n',
      );
    });
  }

  it('an ill-typed option and an option of a rule that takes none are errors too', () => {
    const dir = repo({
      'state-version': ['warning', { commonModule: 3 }],
      'bool-comparison': ['error', { strict: true }],
    });
    const r = runCli(['lint'], { cwd: dir, env: { XDG_CACHE_HOME: join(dir, '.cache') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '/lint/rules/state-version/1/commonModule: option `commonModule` of state-version must be string',
    );
    expect(r.stderr).toContain(
      '/lint/rules/bool-comparison/1/strict: bool-comparison takes no options: remove `strict`',
    );
    expect(r.stderr).not.toMatch(/This is a bug/);
  });

  it('valid options reach the rule', () => {
    const lint = (dir: string) =>
      JSON.parse(
        runCli(['lint', '--format', 'json'], { cwd: dir, env: { XDG_CACHE_HOME: join(dir, '.cache') } })
          .stdout,
      )
        .diagnostics.filter((d: { rule: string }) => d.rule === 'service-admin-user')
        .map((d: { line: number }) => d.line);
    expect(lint(repo({}))).toEqual([]);
    expect(lint(repo({ 'service-admin-user': ['warning', { adminUsers: ['ops'] }] }))).toEqual([3]);
  });
});
