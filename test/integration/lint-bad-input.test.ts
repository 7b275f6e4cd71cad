// Bad input through the built CLI, as a user meets it: each case gives a message that names
// the file and what to do, and the exit code of the contract (0 ok or warnings only, 1 an
// error, 2 a usage error). Never a crash (exit 2 with a stack) and never a hang.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, type CliRun, runCli, tempTree } from '../helpers/run-cli.js';

interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  rule: string;
  severity: string;
  message: string;
}

const dirs: string[] = [];
function tree(files: Record<string, string | Buffer>): string {
  const dir = tempTree(files, 'tappaas-bad-input-');
  dirs.push(dir);
  return dir;
}

function lintJson(cwd: string, args: string[], env?: Record<string, string>) {
  const r = runCli(['lint', ...args, '--format', 'json', '--no-cache'], { cwd, env });
  expect(r.stderr).not.toContain('internal error');
  return {
    ...r,
    json: r.stdout ? (JSON.parse(r.stdout) as { files: number; diagnostics: JsonDiagnostic[] }) : undefined,
  };
}

beforeAll(() => buildCli(), 180_000);
afterAll(() => {
  for (const d of dirs) {
    chmodSync(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});

describe('tappaas lint on bad input', () => {
  it('a binary file named .nix: an error naming the file and what to do', () => {
    const cwd = tree({ 'bin.nix': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x41]) });
    const r = lintJson(cwd, ['.']);
    expect(r.code).toBe(1);
    expect(r.json!.diagnostics).toMatchObject([
      { file: 'bin.nix', rule: 'unreadable-file', severity: 'error', line: 1, column: 8 },
    ]);
    expect(r.json!.diagnostics[0]!.message).toMatch(/^binary file .*not Nix source\. Remove it/);
  });

  it('bytes that are not UTF-8: a warning at the bad byte (Nix may accept them)', () => {
    const cwd = tree({
      'latin1.nix': Buffer.concat([
        Buffer.from('{\n  a = "caf'),
        Buffer.from([0xe9]),
        Buffer.from('";\n}\n'),
      ]),
    });
    const r = lintJson(cwd, ['latin1.nix']);
    expect(r.code).toBe(0);
    expect(r.json!.diagnostics).toMatchObject([
      { file: 'latin1.nix', rule: 'unreadable-file', severity: 'warning', line: 2, column: 11 },
    ]);
    expect(r.json!.diagnostics[0]!.message).toContain('first bad byte 0xe9 at line 2, column 11');
    expect(r.json!.diagnostics[0]!.message).toContain('Re-save the file as UTF-8');
  });

  it('a 50 MB file: reported as over the size limit, quickly', () => {
    const line = `  "${'x'.repeat(97)}"\n`;
    const big = `[\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))}]\n`;
    const cwd = tree({ 'big.nix': big, 'ok.nix': '{ a = 1; }\n' });
    const started = Date.now();
    const r = lintJson(cwd, ['.']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.code).toBe(0);
    expect(r.json!.files).toBe(2);
    expect(r.json!.diagnostics).toMatchObject([
      { file: 'big.nix', rule: 'unreadable-file', severity: 'warning' },
    ]);
    expect(r.json!.diagnostics[0]!.message).toMatch(
      /^file is 50\.0 MiB, over the 10\.0 MiB limit: not linted\. Raise lint\.maxFileBytes/,
    );
  });

  it('an empty file: Nix rejects it, so one syntax error that says why', () => {
    const nix = spawnSync('nix-instantiate', ['--parse', '-'], { input: '', encoding: 'utf8' });
    expect(nix.status).not.toBe(0);
    expect(nix.stderr).toContain('unexpected end of file');
    const cwd = tree({ 'empty.nix': '' });
    const r = lintJson(cwd, ['empty.nix']);
    expect(r.code).toBe(1);
    expect(r.json!.diagnostics).toMatchObject([
      { file: 'empty.nix', rule: 'syntax-error', severity: 'error', line: 1, column: 1 },
    ]);
    expect(r.json!.diagnostics[0]!.message).toContain('no Nix expression in this file');
  });

  it('a folder loop through a symlink: walked once, the loop reported as a warning', () => {
    const cwd = tree({ 'a/x.nix': '{ a = 1; }\n', 'a/b/y.nix': '{ b = 2; }\n' });
    symlinkSync('..', join(cwd, 'a/b/up'));
    symlinkSync('.', join(cwd, 'a/self'));
    const r = lintJson(cwd, ['a']);
    expect(r.code).toBe(0);
    expect(r.json!.files).toBe(2);
    expect(r.json!.diagnostics.map((d) => [d.file, d.rule, d.severity])).toEqual([
      ['a/b/up', 'unreadable-file', 'warning'],
      ['a/self', 'unreadable-file', 'warning'],
    ]);
    expect(r.json!.diagnostics[0]!.message).toBe(
      'symlink loop: this folder leads back to a, which is being linted already; not walked again. Remove the link or add it to lint.ignore.',
    );
  });

  it('a dangling symlink: a warning inside a folder, a usage error when named', () => {
    const cwd = tree({ 'ok.nix': '{ }\n' });
    symlinkSync('gone.nix', join(cwd, 'link.nix'));
    symlinkSync('gone', join(cwd, 'notnix')); // not a .nix name: not ours to judge
    const r = lintJson(cwd, ['.']);
    expect(r.code).toBe(0);
    expect(r.json!.diagnostics).toMatchObject([
      { file: 'link.nix', rule: 'unreadable-file', severity: 'warning' },
    ]);
    expect(r.json!.diagnostics[0]!.message).toBe(
      'dangling symlink to gone.nix, which does not exist: not linted. Fix or remove the link.',
    );
    const named = runCli(['lint', 'link.nix', '--format', 'json'], { cwd });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('no such file or folder: link.nix (a dangling symlink to gone.nix)');
  });

  it('a file name that is not UTF-8: a warning that asks to rename it', () => {
    const cwd = tree({ 'ok.nix': '{ }\n' });
    const bad = Buffer.concat([Buffer.from(`${cwd}/caf`), Buffer.from([0xe9]), Buffer.from('.nix')]);
    writeFileSync(bad, '{ a = 1; }\n');
    const r = lintJson(cwd, ['.']);
    expect(r.code).toBe(0);
    expect(r.json!.files).toBe(1);
    expect(r.json!.diagnostics).toMatchObject([
      { file: 'caf\uFFFD.nix', rule: 'unreadable-file', severity: 'warning' },
    ]);
    expect(r.json!.diagnostics[0]!.message).toContain('not valid UTF-8');
    expect(r.json!.diagnostics[0]!.message).toContain('Rename it to UTF-8');
  });

  it('a file that cannot be read (chmod 000, run as an unprivileged user): an error', () => {
    const cwd = tree({ 'secret.nix': '{ a = 1; }\n', 'ok.nix': '{ }\n' });
    chmodSync(join(cwd, 'secret.nix'), 0o000);
    chmodSync(cwd, 0o755);
    // root reads anything, so as root the CLI runs as `nobody` through setpriv (util-linux).
    const args = [CLI, 'lint', '.', '--format', 'json', '--no-cache'];
    const asRoot = process.getuid?.() === 0;
    const run = asRoot
      ? spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args],
          {
            cwd,
            encoding: 'utf8',
            env: { ...process.env, HOME: cwd },
            timeout: 60_000,
          },
        )
      : spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(run.error).toBeUndefined();
    const r: CliRun = { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics).toMatchObject([
      {
        file: 'secret.nix',
        rule: 'unreadable-file',
        severity: 'error',
        message: "cannot be read (EACCES): not linted. Check the file's permissions.",
      },
    ]);
  });

  it('a named pipe called .nix is reported, never read (reading it would hang)', () => {
    const cwd = tree({ 'ok.nix': '{ }\n' });
    const made = spawnSync('mkfifo', [join(cwd, 'pipe.nix')]);
    expect(made.status).toBe(0);
    for (const args of [['.'], ['pipe.nix']]) {
      const r = lintJson(cwd, args);
      expect(r.code).toBe(0);
      expect(r.json!.diagnostics).toMatchObject([
        { file: 'pipe.nix', rule: 'unreadable-file', severity: 'warning' },
      ]);
      expect(r.json!.diagnostics[0]!.message).toContain('a named pipe (FIFO), not a file');
    }
  });

  it('a path that does not exist: a usage error (exit 2) that names it', () => {
    const cwd = tree({ 'ok.nix': '{ }\n' });
    const r = runCli(['lint', 'ok.nix', 'missing.nix', '--format', 'json'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `tappaas lint: no such file or folder: missing.nix (from ${cwd}); give existing paths`,
    );
  });

  it('a path outside the working directory is shown absolute, not as ../../', () => {
    const outside = tree({ 'x.nix': '{ a = 1 }\n' });
    const cwd = tree({ 'ok.nix': '{ }\n' });
    const r = lintJson(cwd, [join(outside, 'x.nix')]);
    expect(r.code).toBe(1);
    expect(r.json!.diagnostics).toMatchObject([
      { file: join(outside, 'x.nix'), rule: 'syntax-error', line: 1 },
    ]);
  });

  it('without nix-instantiate on PATH: one note for the run, gaps are warnings, real errors stay errors', () => {
    const bin = mkdtempSync(join(tmpdir(), 'tappaas-no-nix-'));
    dirs.push(bin);
    mkdirSync(join(bin, 'bin'));
    const cwd = tree({
      'a.nix': '{ a, }: a\n',
      'b.nix': '{\n  b,\n}:\nb\n',
      'bad.nix': '{ a = 1 }\n',
    });
    const r = lintJson(cwd, ['.'], { PATH: join(bin, 'bin') });
    expect(r.code).toBe(1);
    expect(r.json!.diagnostics.map((d) => [d.file, d.rule, d.severity])).toEqual([
      ['a.nix', 'syntax-error', 'warning'],
      ['b.nix', 'syntax-error', 'warning'],
      ['bad.nix', 'syntax-error', 'error'],
    ]);
    expect(r.json!.diagnostics[0]!.message).toContain(
      'is valid in Nix but not confirmed: nix-instantiate not found',
    );
    expect(r.stderr.match(/nix-instantiate not found/g)).toHaveLength(1);
    expect(r.stderr).toContain('tappaas lint: note: nix-instantiate not found');
  });
});
