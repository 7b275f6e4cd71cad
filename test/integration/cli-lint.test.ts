// The `tappaas lint` contract of ARCHITECTURE.md, checked on the built CLI in temp trees:
// JSON shape, exit codes, default paths, config errors, the cache, --fix and each format.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, gitInit, REPO, runCli, tempTree } from '../helpers/run-cli.js';

const WARN = '{ x = y: y == true; }\n'; // bool-comparison (warning) at 2:10..2:19 of line 1
const CLEAN = '{ a = 1; }\n';
const BROKEN = '{ a = 1 }\n';

beforeAll(() => buildCli());

function lintJson(args: string[], cwd: string, env?: Record<string, string>) {
  const r = runCli(['lint', ...args, '--format', 'json'], {
    cwd,
    env: { XDG_CACHE_HOME: join(cwd, '.cache'), ...env },
  });
  return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('tappaas lint --format json', () => {
  it('follows the contract exactly: files, diagnostics with 1-based positions; exit 0 on warnings only', () => {
    const dir = tempTree({ 'a.nix': WARN, 'sub/b.nix': CLEAN });
    const r = lintJson(['.'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(Object.keys(r.json)).toEqual(['files', 'diagnostics']);
    expect(r.json.files).toBe(2);
    const ours = r.json.diagnostics.filter((d: { rule: string }) => d.rule === 'bool-comparison');
    expect(ours).toEqual([
      {
        file: 'a.nix',
        line: 1,
        column: 10,
        endLine: 1,
        endColumn: 19,
        rule: 'bool-comparison',
        severity: 'warning',
        message: 'Comparison with `== true` is redundant: use `y`.',
      },
    ]);
    for (const d of r.json.diagnostics) {
      expect(Object.keys(d)).toEqual([
        'file',
        'line',
        'column',
        'endLine',
        'endColumn',
        'rule',
        'severity',
        'message',
      ]);
      expect(['error', 'warning', 'info']).toContain(d.severity);
      expect(d.severity).not.toBe('error');
    }
  });

  it('exits 0 with no diagnostics on clean files', () => {
    const dir = tempTree({ 'a.nix': CLEAN, 'b.nix': '{ b = [ 1 2 ]; }\n' });
    const r = lintJson(['a.nix', 'b.nix'], dir);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ files: 2, diagnostics: [] });
  });

  it('exits 1 with an error; a file that does not parse gives a syntax-error', () => {
    const dir = tempTree({ 'ok.nix': CLEAN, 'bad.nix': BROKEN });
    const r = lintJson(['.'], dir);
    expect(r.code).toBe(1);
    expect(r.json.files).toBe(2);
    const syntax = r.json.diagnostics.filter((d: { rule: string }) => d.rule === 'syntax-error');
    expect(syntax).toHaveLength(1);
    expect(syntax[0]).toMatchObject({ file: 'bad.nix', line: 1, severity: 'error' });
    expect(syntax[0].column).toBeGreaterThanOrEqual(1);
  });

  it('lints the repository nix/ and flake.nix by default, from any folder in it', () => {
    const dir = tempTree({
      'flake.nix': CLEAN,
      'nix/hosts/web1.nix': WARN,
      'nix/common.nix': CLEAN,
      'other/skip.nix': BROKEN,
      'docs/readme.md': '# not nix\n',
    });
    gitInit(dir);
    const r = lintJson([], join(dir, 'docs'));
    expect(r.code).toBe(0);
    expect(r.json.files).toBe(3);
    const files = new Set(r.json.diagnostics.map((d: { file: string }) => d.file));
    expect(files.size).toBe(1);
    expect([...files][0]).toMatch(/(^|\/)nix\/hosts\/web1\.nix$/);
  });

  it('says so, with exit 2, when there is nothing to lint by default', () => {
    const dir = tempTree({ 'README.md': 'x' });
    gitInit(dir);
    const r = runCli(['lint'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to lint: no nix\/ or flake\.nix in .*; give a PATH/);
  });

  it('refuses a path that does not exist with exit 2, naming it', () => {
    const dir = tempTree({ 'a.nix': CLEAN });
    const r = lintJson(['a.nix', 'missing.nix'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.nix');
    expect(r.stderr).not.toMatch(/This is a bug/);
  });
});

describe('usage and configuration errors exit 2', () => {
  const dir = tempTree({ 'a.nix': CLEAN });

  it('on an unknown flag', () => {
    const r = runCli(['lint', '.', '--frmat', 'json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tappaas lint: .*--frmat/);
    expect(r.stderr).toContain('Usage: tappaas lint');
    expect(r.stdout).toBe('');
  });

  it('on an unknown format', () => {
    const r = runCli(['lint', '.', '--format', 'xml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown --format "xml"; use one of text, json, sarif, github');
  });

  it('on an unknown command', () => {
    const r = runCli(['lnt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "lnt"');
  });

  it('on a tappaas.json that is not JSON, naming the file and the problem', () => {
    const repo = tempTree({ 'tappaas.json': '{ "lint": { "rules": { } }', 'nix/a.nix': CLEAN });
    gitInit(repo);
    const r = runCli(['lint', '--format', 'json'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(join(repo, 'tappaas.json'));
    expect(r.stderr).toMatch(/not valid JSON/);
    expect(r.stderr).not.toMatch(/This is a bug/);
  });

  it('on a tappaas.json that breaks the schema, naming the file and the bad setting', () => {
    const repo = tempTree({
      'tappaas.json': JSON.stringify({ lint: { rules: { 'bool-comparison': 'loud' } } }),
      'nix/a.nix': CLEAN,
    });
    gitInit(repo);
    const r = runCli(['lint'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(repo, 'tappaas.json'));
    expect(r.stderr).toMatch(/does not match schemas\/tappaas\.schema\.json/);
    expect(r.stderr).toContain('/lint/rules/bool-comparison');
  });

  it('applies rule levels from a valid tappaas.json', () => {
    const repo = tempTree({
      'tappaas.json': JSON.stringify({ lint: { rules: { 'bool-comparison': 'error' } } }),
      'nix/a.nix': WARN,
    });
    gitInit(repo);
    const r = lintJson([], repo);
    expect(r.code).toBe(1);
    expect(r.json.diagnostics.find((d: { rule: string }) => d.rule === 'bool-comparison').severity).toBe(
      'error',
    );
  });
});

describe('cache', () => {
  it('reuses results of unchanged files, and --no-cache neither reads nor writes it', () => {
    const dir = tempTree({ 'a.nix': WARN });
    const cacheDir = join(dir, '.cache', 'tappaas');
    const fresh = lintJson(['a.nix', '--no-cache'], dir);
    expect(existsSync(cacheDir)).toBe(false);
    const cold = lintJson(['a.nix'], dir);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const warm = lintJson(['a.nix'], dir);
    expect(cold.json).toEqual(fresh.json);
    expect(warm.json).toEqual(fresh.json);
    // A changed file is linted again, not served from the cache.
    writeFileSync(join(dir, 'a.nix'), CLEAN);
    expect(lintJson(['a.nix'], dir).json).toEqual({ files: 1, diagnostics: [] });
  });
});

describe('--fix', () => {
  it('applies safe fixes in place, leaves broken files alone and reports what remains', () => {
    const broken = '{ a = x: x == true }\n';
    const dir = tempTree({
      'a.nix': '{ a = x: x == true; b = y: (y != false) == true; }\n',
      'broken.nix': broken,
      'clean.nix': CLEAN,
    });
    const r = runCli(['lint', '.', '--fix', '--no-color'], {
      cwd: dir,
      env: { XDG_CACHE_HOME: join(dir, '.c') },
    });
    expect(readFileSync(join(dir, 'a.nix'), 'utf8')).not.toMatch(/==|!=/);
    expect(readFileSync(join(dir, 'broken.nix'), 'utf8')).toBe(broken);
    expect(readFileSync(join(dir, 'clean.nix'), 'utf8')).toBe(CLEAN);
    expect(r.stdout).toMatch(/^Fixed \d+ problems in 1 file\./);
    expect(r.stdout).toMatch(/broken\.nix:1:\d+ error .*\[syntax-error\]/);
    expect(r.stdout).not.toMatch(/a\.nix:.*bool-comparison/);
    expect(r.code).toBe(1); // the syntax error remains
  });

  it('reports fixes on stderr when the output is JSON, so stdout stays the contract', () => {
    const dir = tempTree({ 'a.nix': WARN });
    const r = lintJson(['a.nix', '--fix'], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'a.nix'), 'utf8')).toBe('{ x = y: y; }\n');
    expect(r.json.diagnostics.filter((d: { rule: string }) => d.rule === 'bool-comparison')).toEqual([]);
    expect(r.stderr).toContain('fixed 1 problem(s) in 1 file(s)');
  });

  it('keeps a byte-order mark', () => {
    const dir = tempTree({ 'a.nix': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(WARN)]) });
    runCli(['lint', 'a.nix', '--fix', '--no-cache'], { cwd: dir });
    expect([...readFileSync(join(dir, 'a.nix')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(readFileSync(join(dir, 'a.nix'), 'utf8')).toBe('\uFEFF{ x = y: y; }\n');
  });
});

describe('text format', () => {
  const dir = tempTree({ 'a.nix': WARN });

  it('draws a frame and a summary, without colors when not on a terminal', () => {
    const r = runCli(['lint', 'a.nix', '--no-cache'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toContain('> 1 | { x = y: y == true; }');
    expect(r.stdout).toContain('  |          ^^^^^^^^^');
    expect(r.stdout).toMatch(
      /1 file linted: 0 errors, \d+ warnings? \(\d+ fixable with `tappaas lint --fix`\)/,
    );
  });

  it('colors with --color or FORCE_COLOR, and not with --no-color or NO_COLOR', () => {
    const colored = (args: string[], env: Record<string, string> = {}) =>
      runCli(['lint', 'a.nix', '--no-cache', ...args], { cwd: dir, env }).stdout.includes('\x1b[');
    expect(colored(['--color'])).toBe(true);
    expect(colored([], { FORCE_COLOR: '1' })).toBe(true);
    expect(colored(['--no-color'], { FORCE_COLOR: '1' })).toBe(false);
    expect(colored([], { NO_COLOR: '1' })).toBe(false);
  });

  it('prints a clear line when all is well', () => {
    const clean = tempTree({ 'a.nix': CLEAN });
    const r = runCli(['lint', '.', '--no-cache'], { cwd: clean });
    expect(r.stdout).toBe('✔ 1 file linted: no problems found\n');
  });
});

describe('sarif format', () => {
  it('prints SARIF 2.1.0 with paths relative to the repository root', () => {
    const repo = tempTree({ 'nix/hosts/web1.nix': WARN, 'nix/bad.nix': BROKEN });
    gitInit(repo);
    const r = runCli(['lint', '--format', 'sarif', '--no-cache'], { cwd: join(repo, 'nix', 'hosts') });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    const require = createRequire(import.meta.url);
    const Ajv = (require('ajv-draft-04') as typeof import('ajv-draft-04')).default;
    const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('tappaas');
    expect(run.tool.driver.version).toBe(
      JSON.parse(readFileSync(join(CLI, '..', '..', 'package.json'), 'utf8')).version,
    );
    const uris = run.results.map(
      (x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        x.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    expect(uris).toEqual(expect.arrayContaining(['nix/hosts/web1.nix', 'nix/bad.nix']));
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });
});

describe('github format', () => {
  it('annotates through @actions/core, prints a plain grouped log and writes the job summary', () => {
    const repo = tempTree({ 'nix/a.nix': WARN, 'nix/bad.nix': BROKEN });
    gitInit(repo);
    const summary = join(repo, 'summary.md');
    writeFileSync(summary, '');
    const r = runCli(['lint', '--format', 'github', '--no-cache'], {
      cwd: repo,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_SERVER_URL: 'https://forge.example',
        GITHUB_REPOSITORY: 'ops/fleet',
        GITHUB_SHA: 'c0ffee0',
      },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::group::tappaas lint: \d+ findings\n::stop-commands::tappaas-[0-9a-f]+\n/);
    expect(r.stdout).toContain(
      'nix/a.nix:1:10: warning: Comparison with `== true` is redundant: use `y`. [bool-comparison]',
    );
    expect(r.stdout).toContain('::endgroup::');
    expect(r.stdout).toContain(
      '::warning title=tappaas lint%3A bool-comparison,file=nix/a.nix,line=1,endLine=1,col=10,endColumn=19::Comparison with `== true` is redundant: use `y`.',
    );
    expect(r.stdout).toMatch(/::error title=tappaas lint%3A syntax-error,file=nix\/bad\.nix,line=1/);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### ❌ tappaas lint');
    expect(md).toContain(
      '| <a href="https://forge.example/ops/fleet/blob/c0ffee0/nix/a.nix#L1"><code>nix/a.nix:1</code></a> | <code>bool-comparison</code> | warning |',
    );
  });

  it('warns, without failing the lint, when the summary file cannot be written', () => {
    const dir = tempTree({ 'a.nix': CLEAN });
    const r = runCli(['lint', '.', '--format', 'github', '--no-cache'], {
      cwd: dir,
      env: { GITHUB_STEP_SUMMARY: join(dir, 'no', 'such', 'summary.md') },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/tappaas lint: warning: could not write the job summary to .*summary\.md/);
  });

  it('runs without a summary file (Gitea before 1.27, or a local run)', () => {
    const dir = tempTree({ 'a.nix': CLEAN });
    const r = runCli(['lint', '.', '--format', 'github', '--no-cache'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('tappaas lint: 1 file linted: no problems found\n');
    expect(r.stderr).toBe('');
  });
});

describe('output pipe', () => {
  it('stops quietly when the reader closes the pipe early (`tappaas lint | head`), keeping the exit code', async () => {
    // Output far beyond a pipe buffer, so the write is still going on when the pipe closes.
    const body = Array.from({ length: 5000 }, (_, i) => `  a${i} = y: y == true;`).join('\n');
    const dir = tempTree({ 'many.nix': `{\n${body}\n}\n` });
    const child = spawn(process.execPath, [CLI, 'lint', '.', '--no-cache', '--no-color'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('prints its version', () => {
    const r = runCli(['--version'], { cwd: REPO });
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
  });
});

describe('startup cost', () => {
  // Records every module the CLI loads: ESM through a resolve hook, CommonJS from require.cache.
  const tracer = tempTree({
    'register.mjs': [
      "import { appendFileSync } from 'node:fs';",
      "import { createRequire, register } from 'node:module';",
      'const log = process.env.LOAD_LOG;',
      "register('./hooks.mjs', import.meta.url, { data: { log } });",
      'const require = createRequire(import.meta.url);',
      "process.on('exit', () => appendFileSync(log, Object.keys(require.cache).join('\\n') + '\\n'));",
    ].join('\n'),
    'hooks.mjs': [
      "import { appendFileSync } from 'node:fs';",
      'let log;',
      'export function initialize(data) { log = data.log; }',
      'export async function resolve(specifier, context, next) {',
      '  const result = await next(specifier, context);',
      "  appendFileSync(log, result.url + '\\n');",
      '  return result;',
      '}',
    ].join('\n'),
  });

  function loaded(args: string[], cwd: string): string {
    const log = join(tracer, `load-${Math.random().toString(36).slice(2)}.log`);
    writeFileSync(log, '');
    const r = runCli(args, {
      cwd,
      env: { LOAD_LOG: log, NODE_OPTIONS: `--import ${join(tracer, 'register.mjs')}` },
    });
    expect(r.stderr.replace(/.*ExperimentalWarning.*\n?|.*--trace-warnings.*\n?/g, '')).toBe('');
    return readFileSync(log, 'utf8');
  }

  it('--help loads no package', () => {
    const modules = loaded(['--help'], tracer);
    expect(modules).not.toMatch(/node_modules/);
  });

  it('a lint of one file without tappaas.json loads neither ajv nor @actions/core', () => {
    const dir = tempTree({ 'a.nix': CLEAN });
    mkdirSync(join(dir, '.git'));
    const modules = loaded(['lint', 'a.nix', '--no-cache'], dir);
    expect(modules).toMatch(/web-tree-sitter/);
    expect(modules).not.toMatch(/node_modules\/ajv\//);
    expect(modules).not.toMatch(/@actions/);
  });

  it('ajv loads when there is a tappaas.json, @actions/core only for --format github', () => {
    const dir = tempTree({ 'a.nix': CLEAN, 'tappaas.json': '{}' });
    mkdirSync(join(dir, '.git'));
    expect(loaded(['lint', 'a.nix', '--no-cache'], dir)).toMatch(/node_modules\/ajv\//);
    expect(loaded(['lint', 'a.nix', '--no-cache', '--format', 'github'], dir)).toMatch(/@actions\/core/);
  });
});
