// Which files a lint run covers: lint.ignore globs (walked folders skip them silently, named
// paths get a warning as in ESLint), display paths, and loops followed once.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectNixFiles, displayPath, missingPaths } from '../../../scripts/lint/files.js';
import { globToRegExp, ignoreMatcher } from '../../../scripts/lint/ignore.js';

const dirs: string[] = [];
function tree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-files-'));
  dirs.push(dir);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), '{ }\n');
  }
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('ignore globs', () => {
  const cases: [string, string, boolean, boolean][] = [
    // pattern, path, isDir, ignored
    ['test/fixtures/**', 'test/fixtures/bad.nix', false, true],
    ['test/fixtures/**', 'test/fixtures/grammar/x.nix', false, true],
    ['test/fixtures/**', 'test/fixtures', true, false],
    ['test/fixtures/**', 'test/fixture.nix', false, false],
    ['*.nix', 'top.nix', false, true],
    ['*.nix', 'nix/hosts/web.nix', false, false],
    ['**/*.nix', 'nix/hosts/web.nix', false, true],
    ['**/*.nix', 'top.nix', false, true],
    ['nix/**/generated-*.nix', 'nix/generated-a.nix', false, true],
    ['nix/**/generated-*.nix', 'nix/a/b/generated-b.nix', false, true],
    ['nix/**/generated-*.nix', 'nixos/generated-a.nix', false, false],
    ['host?.nix', 'host1.nix', false, true],
    ['host?.nix', 'host10.nix', false, false],
    ['host?.nix', 'host/.nix', false, false],
    ['vendor/', 'vendor', true, true],
    ['vendor/', 'vendor/a.nix', false, true],
    ['vendor/', 'vendor', false, false],
    ['vendor', 'vendor/deep/a.nix', false, true],
    ['/flake.nix', 'flake.nix', false, true],
    ['a.b+c.nix', 'a.b+c.nix', false, true],
    ['a.b+c.nix', 'aXb+c.nix', false, false],
  ];
  for (const [pattern, path, isDir, expected] of cases) {
    it(`${pattern} ${expected ? 'ignores' : 'keeps'} ${path}${isDir ? '/' : ''}`, () => {
      expect(ignoreMatcher([pattern])(path, isDir)).toBe(expected ? pattern : undefined);
    });
  }

  it('reads `/**/` as zero or more folders', () => {
    const re = globToRegExp('a/**/b');
    expect(['a/b', 'a/x/b', 'a/x/y/b'].every((p) => re.test(p))).toBe(true);
    expect(['ab', 'a/xb', 'x/a/b'].some((p) => re.test(p))).toBe(false);
  });
});

describe('collectNixFiles', () => {
  it('skips ignored files and folders when walking, silently', () => {
    const root = tree(['nix/a.nix', 'nix/gen/b.nix', 'test/fixtures/bad.nix', 'test/ok.nix', 'c.nix']);
    const got = collectNixFiles(['.'], root, { root, ignore: ['test/fixtures/**', 'nix/gen/'] });
    expect(got.files).toEqual(['c.nix', 'nix/a.nix', 'test/ok.nix']);
    expect(got.problems).toEqual([]);
  });

  it('warns, like ESLint, when an ignored path is named on the command line', () => {
    const root = tree(['test/fixtures/bad.nix', 'nix/a.nix']);
    const got = collectNixFiles(['test/fixtures/bad.nix', 'nix/a.nix'], root, {
      root,
      ignore: ['test/fixtures/**'],
    });
    expect(got.files).toEqual(['nix/a.nix']);
    expect(got.problems).toEqual([
      {
        path: 'test/fixtures/bad.nix',
        rule: 'ignored-file',
        severity: 'warning',
        message:
          'ignored by the lint.ignore pattern "test/fixtures/**" in tappaas.json: not linted. Remove the pattern to lint it.',
      },
    ]);
  });

  it('says so when every file of a named folder is ignored', () => {
    const root = tree(['test/fixtures/a.nix', 'test/fixtures/b/c.nix']);
    const got = collectNixFiles(['test/fixtures'], root, { root, ignore: ['test/fixtures/**'] });
    expect(got.files).toEqual([]);
    expect(got.problems.map((p) => [p.path, p.rule, p.severity])).toEqual([
      ['test/fixtures', 'ignored-file', 'warning'],
    ]);
  });

  it('matches patterns against the path from the repository root, whatever the cwd', () => {
    const root = tree(['nix/hosts/web.nix', 'nix/hosts/old.nix']);
    const got = collectNixFiles(['.'], join(root, 'nix'), { root, ignore: ['nix/hosts/old.nix'] });
    expect(got.files).toEqual(['hosts/web.nix']);
  });

  it('reports a negated pattern instead of guessing what it means', () => {
    const root = tree(['a.nix']);
    const got = collectNixFiles(['.'], root, { root, ignore: ['!a.nix'] });
    expect(got.files).toEqual(['a.nix']);
    expect(got.problems[0]).toMatchObject({
      path: 'tappaas.json',
      rule: 'ignored-file',
      severity: 'warning',
    });
    expect(got.problems[0]!.message).toContain('negation is not supported');
  });

  it('follows a symlinked folder once; a second path to it is no problem, a loop is', () => {
    const root = tree(['real/a.nix']);
    symlinkSync('real', join(root, 'alias'));
    symlinkSync('..', join(root, 'real/up'));
    const got = collectNixFiles(['.'], root, { root });
    expect(got.files).toEqual(['alias/a.nix']);
    expect(got.problems.map((p) => p.path)).toEqual(['alias/up']);
  });

  it('names files outside the working directory by their absolute path', () => {
    const outside = tree(['x.nix']);
    const cwd = tree(['y.nix']);
    const got = collectNixFiles([join(outside, 'x.nix'), '.'], cwd);
    expect(got.files).toEqual([join(outside, 'x.nix'), 'y.nix']);
  });
});

describe('paths', () => {
  it('displayPath: relative inside cwd, absolute outside, "." for cwd itself', () => {
    expect(displayPath('/repo/nix/a.nix', '/repo')).toBe('nix/a.nix');
    expect(displayPath('/repo', '/repo')).toBe('.');
    expect(displayPath('/tmp/x.nix', '/repo/sub')).toBe('/tmp/x.nix');
    expect(displayPath('/repo/..x/a.nix', '/repo')).toBe('..x/a.nix');
  });

  it('missingPaths: names what is missing and which links dangle', () => {
    const root = tree(['a.nix']);
    symlinkSync('gone.nix', join(root, 'link.nix'));
    expect(missingPaths(['a.nix', 'b.nix', 'link.nix'], root)).toEqual([
      'b.nix',
      'link.nix (a dangling symlink to gone.nix)',
    ]);
  });
});
