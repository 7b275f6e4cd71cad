import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drvPname, mapPath, thrownLiteral, trimNixError } from '../../../scripts/nixcli/errors.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'nix-errors');
const sample = (name: string) => readFileSync(join(DIR, name), 'utf8');

describe('trimNixError on Nix 2.8 output', () => {
  it('puts the undefined variable first with its repo-relative place and code', () => {
    const e = trimNixError(sample('nix-2.8-undefined-variable.txt'));
    expect(e.message).toBe("undefined variable 'portBase'");
    expect(e.at).toEqual({ file: 'nix/hosts/db1.nix', line: 6, column: 19, inRepo: true });
    expect(e.text.split('\n')).toEqual([
      "nix/hosts/db1.nix:6:19: undefined variable 'portBase'",
      '  5|   packages = [ pkgs.htop ];',
      '  6|   settings.port = portBase + 1;',
      '   |                   ^',
      '  7| }',
    ]);
  });

  it('keeps a few frames of context from --show-trace, innermost first, without call-site noise', () => {
    const e = trimNixError(sample('nix-2.8-undefined-variable-show-trace.txt'));
    expect(e.at?.file).toBe('nix/hosts/db1.nix');
    expect(e.frames.map((f) => `${f.what} @${f.at?.file}:${f.at?.line}`)).toEqual([
      "while evaluating 'load' @nix/lib/system.nix:5",
      "while evaluating 'expand' @nix/lib/system.nix:39",
    ]);
  });

  it.each([
    ['nix-2.8-assert.txt', `assertion '((pkgs).htop.version == "4")' failed`, 'nix/hosts/cache2.nix', 6],
    ['nix-2.8-missing-attr.txt', "attribute 'nosuchpkg' missing", 'nix/hosts/cache2.nix', 6],
    ['nix-2.8-type-error.txt', 'cannot add a string to an integer', 'nix/hosts/cache2.nix', 6],
    ['nix-2.8-syntax-error.txt', "syntax error, unexpected '}', expecting ';'", 'nix/hosts/cache2.nix', 7],
    ['nix-2.8-infinite-recursion.txt', 'infinite recursion encountered', 'nix/hosts/cache2.nix', 6],
    ['nix-2.8-flake-syntax.txt', "syntax error, unexpected '='", 'flake.nix', 4],
  ])('%s: message and place', (file, message, at, line) => {
    const e = trimNixError(sample(file));
    expect(e.message).toBe(message);
    expect(e.at?.file).toBe(at);
    expect(e.at?.line).toBe(line);
    expect(e.text).not.toContain('--show-trace');
  });

  it('maps store paths inside the message too', () => {
    const e = trimNixError(sample('nix-2.8-duplicate-attr.txt'));
    expect(e.message).toBe("attribute 'packages' already defined at nix/hosts/cache2.nix:5:3");
    expect(e.at).toMatchObject({ file: 'nix/hosts/cache2.nix', line: 6, column: 3 });
  });

  it('finds a thrown message in the repo when Nix 2.8 gives no place for it', () => {
    const asked: string[] = [];
    const e = trimNixError(sample('nix-2.8-throw.txt'), {
      locateLiteral: (lit) => {
        asked.push(lit);
        return lit === 'cache2: no port assigned' ? { file: 'nix/hosts/cache2.nix', line: 6 } : undefined;
      },
    });
    expect(asked).toEqual(['cache2: no port assigned']);
    expect(e.text.split('\n')[0]).toBe('nix/hosts/cache2.nix:6: cache2: no port assigned');
  });

  it('falls back to the nearest frame in our files when the literal is not found', () => {
    const e = trimNixError(sample('nix-2.8-throw-show-trace.txt'), { locateLiteral: () => undefined });
    expect(e.message).toBe('cache2: no port assigned');
    expect(e.at).toMatchObject({ file: 'nix/lib/system.nix', line: 14 });
    expect(e.frames[0]?.what).toBe(
      "while evaluating the attribute 'settings' of the derivation 'nixos-system-cache2'",
    );
  });

  it('looks up the message of an abort, not the wrapper text', () => {
    const asked: string[] = [];
    trimNixError(sample('nix-2.8-abort.txt'), {
      locateLiteral: (lit) => {
        asked.push(lit);
        return undefined;
      },
    });
    expect(asked).toEqual(['cache2 is retired']);
  });

  it('names the failed builder, keeps its log and finds the package by name', () => {
    const asked: string[] = [];
    const e = trimNixError(sample('nix-2.8-build-error.txt'), {
      locateLiteral: (lit) => {
        asked.push(lit);
        return lit === 'broken-tool' ? { file: 'nix/hosts/cache2.nix', line: 7, column: 7 } : undefined;
      },
    });
    expect(e.failedDrv).toBe('/nix/store/5v44l2y1kr8dh0cxx0shiy2w1q23sdj7-broken-tool-1.0.drv');
    expect(e.message).toBe('builder for broken-tool-1.0 failed with exit code 3');
    expect(e.log).toEqual(['broken-tool: self-test failed']);
    expect(asked).toEqual(['broken-tool-1.0', 'broken-tool']);
    expect(e.text.split('\n')).toEqual([
      'nix/hosts/cache2.nix:7:7: builder for broken-tool-1.0 failed with exit code 3',
      '  > broken-tool: self-test failed',
    ]);
  });

  it('reports an unknown attribute path as the message, with no place', () => {
    const e = trimNixError(sample('nix-2.8-unknown-host.txt'));
    expect(e.message).toMatch(/^flake 'path:\/tmp\/fx1' does not provide attribute/);
    expect(e.at).toBeUndefined();
  });
});

describe('trimNixError on newer Nix output', () => {
  it('takes the message from the end and the place from the throw frame', () => {
    const e = trimNixError(sample('nix-2.2x-throw.txt'));
    expect(e.message).toBe('cache2: no port assigned');
    expect(e.at).toEqual({ file: 'nix/hosts/cache2.nix', line: 6, column: 19, inRepo: true });
    expect(e.text.split('\n').slice(0, 3)).toEqual([
      'nix/hosts/cache2.nix:6:19: cache2: no port assigned',
      '  5|   packages = [ pkgs.htop ];',
      '  6|   settings.port = throw "cache2: no port assigned";',
    ]);
    // Innermost first; the derivation-internal frame is not ours.
    expect(e.frames.map((f) => f.at?.line)).toEqual([6, 19, 14]);
  });

  it('uses the position right under the message and skips «none»:0 and truncation notes', () => {
    const e = trimNixError(sample('nix-2.2x-undefined-variable.txt'));
    expect(e.message).toBe("undefined variable 'portBase'");
    expect(e.at).toMatchObject({ file: 'nix/hosts/db1.nix', line: 6, column: 19 });
    expect(e.text).not.toMatch(/truncated|«none»/);
  });

  it('maps lazy-tree positions («path:…»/rel) to the repo', () => {
    const e = trimNixError(sample('nix-2.2x-lazy-trees.txt'));
    expect(e.at).toMatchObject({ file: 'nix/hosts/cache2.nix', line: 6, inRepo: true });
  });

  it('reads the "Cannot build … Reason:" build failure of Nix 2.26+', () => {
    const e = trimNixError(sample('nix-2.26-build-error.txt'));
    expect(e.failedDrv).toBe('/nix/store/5v44l2y1kr8dh0cxx0shiy2w1q23sdj7-broken-tool-1.0.drv');
    expect(e.message).toBe('builder for broken-tool-1.0 failed with exit code 3');
    expect(e.log).toEqual(['broken-tool: self-test failed']);
  });
});

describe('helpers', () => {
  it('maps only our source when told which store root it is', () => {
    const ours = '/nix/store/pc7c2r9q8wkbf0nnp9hkqqmx8jignwjg-source';
    const other = '/nix/store/sralzj4w34v4mwr0sxq417b4ys202in3-source';
    const isOurSource = (root: string) => root === ours;
    expect(mapPath(`${ours}/nix/common.nix`, { isOurSource })).toEqual({
      file: 'nix/common.nix',
      inRepo: true,
    });
    expect(mapPath(`${other}/lib/modules.nix`, { isOurSource })).toEqual({
      file: `${other}/lib/modules.nix`,
      inRepo: false,
    });
    expect(mapPath('/work/fleet/nix/a.nix', { flakeDir: '/work/fleet/' })).toEqual({
      file: 'nix/a.nix',
      inRepo: true,
    });
  });

  it('thrownLiteral and drvPname', () => {
    expect(thrownLiteral("evaluation aborted with the following error message: 'it's gone'")).toBe(
      "it's gone",
    );
    expect(thrownLiteral('no')).toBeUndefined();
    expect(drvPname('broken-tool-1.0')).toBe('broken-tool');
    expect(drvPname('nixos-system-web0')).toBe('nixos-system-web0');
  });

  it('survives empty and message-less output', () => {
    expect(trimNixError('').message).toBe('nix failed without a message');
    expect(trimNixError('Killed\n').message).toBe('Killed');
  });
});
