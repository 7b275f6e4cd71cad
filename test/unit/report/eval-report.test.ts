import { describe, expect, it } from 'vitest';
import { chooseFlake, selectHosts } from '../../../scripts/cli/eval.js';
import type { EvalEvent, HostResult } from '../../../scripts/nixcli/types.js';
import { evalProgress, progressMode, statusLine } from '../../../scripts/report/eval-progress.js';
import {
  annotationCommands,
  ciGroup,
  evalSentence,
  headline,
  hostLine,
  plainSummary,
  summaryMarkdown,
} from '../../../scripts/report/eval-report.js';
import { painter } from '../../../scripts/term/colors.js';
import { tempTree } from '../../helpers/run-cli.js';

const ok: HostResult = {
  name: 'web0',
  status: 'ok',
  drvPath: '/nix/store/aaaa-nixos-system-web0.drv',
  outPath: '/nix/store/bbbb-nixos-system-web0',
  error: null,
  evalMs: 1234,
};
const evalError: HostResult = {
  name: 'db1',
  status: 'eval-error',
  drvPath: null,
  outPath: null,
  error: "nix/hosts/db1.nix:7:25: undefined variable 'portBase'\n  7|   x = portBase;\n   |       ^",
  file: 'nix/hosts/db1.nix',
  line: 7,
  column: 25,
  message: "undefined variable 'portBase'",
  cause: 'nix-error',
};
const buildError: HostResult = {
  name: 'cache2',
  status: 'build-error',
  drvPath: '/nix/store/cccc-nixos-system-cache2.drv',
  outPath: '/nix/store/dddd-nixos-system-cache2',
  error: 'nix/hosts/cache2.nix:8:17: builder for broken-tool-1.0 failed with exit code 3\n  > `x` | <b>',
  file: 'nix/hosts/cache2.nix',
  line: 8,
  column: 17,
  cause: 'build-failed',
};
const all = [ok, evalError, buildError];
const plain = painter(false);

describe('eval report', () => {
  it('sentence and lines', () => {
    expect(evalSentence(all, true)).toBe('3 hosts evaluated and built: 1 ok, 1 eval-error, 1 build-error');
    expect(evalSentence([ok], false)).toBe('1 host evaluated: 1 ok');
    expect(hostLine(ok, plain)).toBe('✓ web0 /nix/store/bbbb-nixos-system-web0 (1.2 s)');
    expect(hostLine(evalError, plain)).toBe(
      "✗ db1 eval-error nix/hosts/db1.nix:7: undefined variable 'portBase'",
    );
    expect(headline({ ...evalError, file: undefined, line: undefined })).toBe(
      evalError.error!.split('\n')[0],
    );
  });

  it('keeps terminal escapes in host names and errors from reaching the terminal', () => {
    const line = hostLine({ ...evalError, name: 'x\x1b[2Jy', error: 'boom\x1b]0;title\x07' }, plain);
    expect(line).not.toMatch(/\x1b|\x07/);
  });

  it('plain table for the log', () => {
    expect(plainSummary(all, true).split('\n')).toEqual([
      'tappaas eval: 3 hosts evaluated and built: 1 ok, 1 eval-error, 1 build-error',
      '',
      '| Host | Status | Where | Result |',
      '| --- | --- | --- | --- |',
      '| web0 | ok |  | /nix/store/bbbb-nixos-system-web0 |',
      "| db1 | eval-error | nix/hosts/db1.nix:7 | undefined variable 'portBase' |",
      '| cache2 | build-error | nix/hosts/cache2.nix:8 | builder for broken-tool-1.0 failed with exit code 3 |',
      '',
    ]);
  });

  it('job summary: table, and each error folded in a fence it cannot close', () => {
    const md = summaryMarkdown(all, true);
    expect(md).toContain('### ❌ tappaas eval');
    expect(md).toContain('| <code>db1</code> | ❌ eval-error | <code>nix/hosts/db1.nix:7</code> |');
    expect(md).toContain('<details><summary>cache2: build-error at nix/hosts/cache2.nix:8</summary>');
    expect(md).toContain('```\nnix/hosts/db1.nix:7:25');
    expect(summaryMarkdown([ok], false)).toMatch(/^### ✅ tappaas eval/);
    const long = { ...evalError, error: 'x'.repeat(5000) };
    expect(summaryMarkdown([long, long, long], false, 8000)).toContain('More errors than fit');
  });

  it('annotations escape data and properties', () => {
    expect(annotationCommands(all)).toEqual([
      "::error file=nix/hosts/db1.nix,title=tappaas eval%3A db1 eval-error,line=7,col=25::nix/hosts/db1.nix:7:25: undefined variable 'portBase'%0A  7|   x = portBase;%0A   |       ^",
      '::error file=nix/hosts/cache2.nix,title=tappaas eval%3A cache2 build-error,line=8,col=17::nix/hosts/cache2.nix:8:17: builder for broken-tool-1.0 failed with exit code 3%0A  > `x` | <b>',
    ]);
    const noPlace = { ...evalError, file: undefined, line: undefined, column: undefined, error: '100% a,b' };
    expect(annotationCommands([noPlace])).toEqual([
      '::error title=tappaas eval%3A db1 eval-error::100%25 a,b',
    ]);
  });

  it('CI group: the title is a command, the body cannot be', () => {
    const g = ciGroup({ ...evalError, error: '::error::injected\n::endgroup::' });
    expect(g[0]).toBe('::group::✗ db1 eval-error');
    expect(g[1]).toMatch(/^::stop-commands::tappaas-[0-9a-f]{32}$/);
    const token = g[1]!.slice('::stop-commands::'.length);
    expect(g.at(-2)).toBe(`::${token}::`);
    expect(g.at(-1)).toBe('::endgroup::');
    expect(g.slice(2, -2)).toContain('::error::injected');
  });
});

describe('eval progress', () => {
  it('status line', () => {
    expect(statusLine(3, 20, ['db1'], ['web0', 'cache2'])).toBe(
      '[3/20] evaluating db1 · building web0, cache2',
    );
    expect(statusLine(0, 2, [], [])).toBe('[0/2] waiting for nix');
    expect(statusLine(0, 2, ['x'.repeat(200)], [], 50)).toHaveLength(50);
  });

  it('mode from the environment', () => {
    expect(progressMode({ isTTY: true, env: {} })).toBe('tty');
    expect(progressMode({ isTTY: true, env: { TERM: 'dumb' } })).toBe('plain');
    expect(progressMode({ isTTY: false, env: {} })).toBe('plain');
    expect(progressMode({ isTTY: true, env: { GITHUB_ACTIONS: 'true' } })).toBe('ci');
  });

  const events: EvalEvent[] = [
    { type: 'process', hosts: ['web0', 'db1', 'cache2'], reason: 'batch' },
    { type: 'eval-start', host: 'web0' },
    { type: 'evaluated', result: ok },
    { type: 'eval-start', host: 'db1' },
    { type: 'evaluated', result: evalError },
    { type: 'build-start', host: 'web0' },
    { type: 'built', result: ok },
  ];

  it('terminal: a live line redrawn in place, a line per finished host', () => {
    let out = '';
    const p = evalProgress({ mode: 'tty', write: (t) => (out += t), paint: plain, total: 3, building: true });
    for (const e of events) p.onEvent(e);
    p.finish();
    const visible = out.split('\r\x1b[2K').filter(Boolean);
    expect(visible).toEqual([
      '[0/3] evaluating web0',
      '[0/3] waiting for nix',
      '[0/3] evaluating db1',
      "✗ db1 eval-error nix/hosts/db1.nix:7: undefined variable 'portBase'\n    nix/hosts/db1.nix:7:25: undefined variable 'portBase'\n      7|   x = portBase;\n       |       ^\n[1/3] waiting for nix",
      '[1/3] building web0',
      '✓ web0 /nix/store/bbbb-nixos-system-web0 (1.2 s)\n[2/3] waiting for nix',
    ]);
  });

  it('CI: one group per finished host, no live line', () => {
    let out = '';
    const p = evalProgress({ mode: 'ci', write: (t) => (out += t), paint: plain, total: 3, building: false });
    for (const e of events) p.onEvent(e);
    expect(out).not.toContain('\r');
    expect(out.match(/^::group::.*$/gm)).toEqual([
      '::group::✓ web0 ok',
      '::group::✗ db1 eval-error',
      '::group::✓ web0 ok',
    ]);
  });
});

describe('eval command helpers', () => {
  it('selectHosts keeps the flake order and rejects unknown names', () => {
    expect(selectHosts(['a', 'b', 'c'], [])).toEqual(['a', 'b', 'c']);
    expect(selectHosts(['a', 'b', 'c'], ['c', 'a', 'a'])).toEqual(['a', 'c']);
    expect(() => selectHosts(['a'], ['../x'])).toThrow('unknown host "../x"; the flake defines: a');
  });

  it('chooseFlake wants a flake.nix', () => {
    const dir = tempTree({ 'flake.nix': '{ outputs = _: { }; }' });
    expect(chooseFlake(dir, undefined).dir).toBe(dir);
    expect(() => chooseFlake(dir, 'sub')).toThrow('--flake sub: no such folder');
  });
});
