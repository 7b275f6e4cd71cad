import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evalJobsArgv, parseEvalJobsLine } from '../../../scripts/nixcli/eval-jobs.js';
import { batches } from '../../../scripts/nixcli/evaluate.js';
import {
  batchApply,
  batchArgv,
  buildInstallable,
  hostsArgv,
  nixString,
  parseBuildJson,
  parseNixVersion,
  parseProgress,
  withoutProgress,
} from '../../../scripts/nixcli/expressions.js';
import { lineColumn, literalLocator, nixQuoted } from '../../../scripts/nixcli/locate.js';
import { nixArgv } from '../../../scripts/nixcli/run.js';
import { tempTree } from '../../helpers/run-cli.js';

/** What real Nix makes of an expression (the judge of our quoting). */
function nixEval(expr: string): string {
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '--expr', expr], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('nixString', () => {
  it.each([
    'web0',
    '../x',
    'a"b',
    'back\\slash',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation must stay text
    '${builtins.abort "x"}',
    'line\nbreak\ttab',
    'ünï€😀',
    '$$',
    '$${x}',
    'ctrl\x01\x7f',
    'end\\',
  ])('real Nix reads %j back unchanged', (text) => {
    expect(JSON.parse(nixEval(nixString(text)))).toBe(text);
  });
});

describe('argv', () => {
  it('puts the feature flags before the subcommand', () => {
    expect(nixArgv(['eval', '.#x'])).toEqual([
      '--extra-experimental-features',
      'nix-command flakes',
      'eval',
      '.#x',
    ]);
  });

  it('lists hosts and evaluates a batch of the flake', () => {
    expect(hostsArgv('/f')).toEqual([
      'eval',
      '--json',
      '/f#nixosConfigurations',
      '--apply',
      'builtins.attrNames',
    ]);
    const argv = batchArgv('/f', ['a', 'b'], ['--option', 'substituters', '']);
    expect(argv.slice(0, 6)).toEqual(['eval', '--json', '--show-trace', '--option', 'substituters', '']);
    expect(argv.slice(6, 8)).toEqual(['/f#nixosConfigurations', '--apply']);
    expect(argv[8]).toBe(batchApply(['a', 'b']));
  });

  it('builds drv^out from Nix 2.13 on and the bare .drv before', () => {
    expect(buildInstallable('/nix/store/x.drv', [2, 8])).toBe('/nix/store/x.drv');
    expect(buildInstallable('/nix/store/x.drv', [2, 13])).toBe('/nix/store/x.drv^out');
    expect(buildInstallable('/nix/store/x.drv', [2, 24])).toBe('/nix/store/x.drv^out');
    expect(buildInstallable('/nix/store/x.drv', [3, 0])).toBe('/nix/store/x.drv^out');
    expect(buildInstallable('/nix/store/x.drv', undefined)).toBe('/nix/store/x.drv^out');
  });

  it('reads versions and build output', () => {
    expect(parseNixVersion('nix (Nix) 2.8.0\n')).toEqual([2, 8]);
    expect(parseNixVersion('nix (Lix, like Nix) 2.91.1')).toEqual([2, 91]);
    expect(parseNixVersion('???')).toBeUndefined();
    expect(parseBuildJson('[{"drvPath":"/nix/store/a.drv","outputs":{"out":"/nix/store/a"}}]')).toBe(
      '/nix/store/a',
    );
    expect(parseBuildJson('')).toBeUndefined();
  });
});

describe('batch progress', () => {
  it('the apply function reports each host as real Nix evaluates it', () => {
    const expr = `let cs = { a.config.system.build.toplevel = { drvPath = "/d/a"; outPath = "/o/a"; }; "b c".config.system.build.toplevel = { drvPath = "/d/b"; outPath = "/o/b"; }; }; in (${batchApply(['a', 'b c'])}) cs`;
    const r = spawnSync('nix-instantiate', ['--eval', '--expr', expr], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('2');
    const progress = r.stderr
      .split('\n')
      .map(parseProgress)
      .filter((p) => p);
    expect(progress).toEqual([
      { kind: 'start', host: 'a' },
      { kind: 'done', host: 'a', drvPath: '/d/a', outPath: '/o/a' },
      { kind: 'start', host: 'b c' },
      { kind: 'done', host: 'b c', drvPath: '/d/b', outPath: '/o/b' },
    ]);
  });

  it('ignores other traces and malformed lines, and strips ours from error text', () => {
    expect(parseProgress('trace: hello')).toBeUndefined();
    expect(parseProgress('trace: tappaas-eval {"start":1}')).toBeUndefined();
    expect(parseProgress('trace: tappaas-eval {broken')).toBeUndefined();
    expect(parseProgress('\x1b[35mtrace: \x1b[0mtappaas-eval {"start":"x"}')).toEqual({
      kind: 'start',
      host: 'x',
    });
    expect(withoutProgress('trace: tappaas-eval {"start":"x"}\nerror: boom\n')).toBe('error: boom\n');
  });

  it('splits hosts into batches evenly over jobs, or by size', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'];
    expect(batches(hosts, 2)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(batches(hosts, 1)).toEqual([hosts]);
    expect(batches(hosts, 8)).toEqual([['a'], ['b'], ['c'], ['d'], ['e']]);
    expect(batches(hosts, 2, 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(batches([], 2)).toEqual([]);
  });
});

describe('nix-eval-jobs', () => {
  it('evaluates only the asked hosts through getFlake, impure, with workers and a memory limit', () => {
    const argv = evalJobsArgv('/f', ['a', '../x'], { workers: 2, maxMemoryMiB: 4096 });
    expect(argv.slice(0, 8)).toEqual([
      '--extra-experimental-features',
      'nix-command flakes',
      '--impure',
      '--workers',
      '2',
      '--max-memory-size',
      '4096',
      '--expr',
    ]);
    expect(argv[8]).toContain('builtins.getFlake "/f"');
    expect(argv[8]).toContain('{ "a" = null; "../x" = null; }');
  });

  it('reads its JSON lines', () => {
    expect(
      parseEvalJobsLine(
        '{"attr":"web0","attrPath":["web0"],"drvPath":"/nix/store/a.drv","outputs":{"out":"/nix/store/a"}}',
      ),
    ).toEqual({ host: 'web0', drvPath: '/nix/store/a.drv', outPath: '/nix/store/a' });
    expect(parseEvalJobsLine('{"attr":"db1","attrPath":["db1"],"error":"error: boom"}')).toEqual({
      host: 'db1',
      error: 'error: boom',
    });
    expect(parseEvalJobsLine('warning: x')).toBeUndefined();
    expect(parseEvalJobsLine('{"nope":1}')).toBeUndefined();
  });
});

describe('literalLocator', () => {
  it('finds a quoted literal, trying the preferred file first, skipping dot folders', () => {
    const dir = tempTree({
      'nix/a.nix': '{\n  x = throw "gone away";\n}\n',
      'nix/hosts/h.nix': '{\n  y =\n    throw "gone away";\n}\n',
      '.git/x.nix': '"gone away"',
      'nix/q.nix': '{ m = "say \\"hi\\""; }',
    });
    expect(literalLocator(dir)('gone away')).toEqual({ file: 'nix/a.nix', line: 2, column: 13 });
    expect(literalLocator(dir, ['nix/hosts/h.nix'])('gone away')).toEqual({
      file: 'nix/hosts/h.nix',
      line: 3,
      column: 11,
    });
    expect(literalLocator(dir)('say "hi"')).toEqual({ file: 'nix/q.nix', line: 1, column: 7 });
    expect(literalLocator(dir)('nowhere')).toBeUndefined();
  });

  it('quotes like Nix and counts lines and columns from 1', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Nix text
    expect(nixQuoted('a"${b}')).toBe('"a\\"\\${b}"');
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
