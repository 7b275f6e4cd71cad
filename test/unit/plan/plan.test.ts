import { describe, expect, it } from 'vitest';
import { toEvaluation } from '../../../scripts/plan/nix.js';
import { type Evaluation, hostsToEvaluate, planHosts, summarize } from '../../../scripts/plan/plan.js';
import { planMarkdown } from '../../../scripts/report/plan-markdown.js';
import { planText } from '../../../scripts/report/plan-text.js';

const P = (h: string) => `/nix/store/${h.padEnd(32, '0')}-nixos-system`;

describe('hostsToEvaluate', () => {
  it('evaluates affected hosts at both sides, added ones at head, removed ones at base', () => {
    const affected = new Map([['b', ['nix/hosts/b.nix']]]);
    expect(hostsToEvaluate(['a', 'b', 'gone'], ['a', 'b', 'new'], affected)).toEqual({
      base: ['b', 'gone'],
      head: ['b', 'new'],
    });
  });
});

describe('planHosts', () => {
  const base = new Map<string, Evaluation>([
    ['b', { outPath: P('b1') }],
    ['c', { outPath: P('c1') }],
    ['gone', { outPath: P('g') }],
    ['e', { outPath: P('e1') }],
  ]);
  const head = new Map<string, Evaluation>([
    ['b', { outPath: P('b2') }],
    ['c', { outPath: P('c1') }],
    ['new', { outPath: P('n') }],
    ['e', { error: 'no such disk', at: 'nix/hosts/e.nix:7:3' }],
  ]);
  const affected = new Map(['b', 'c', 'e'].map((h) => [h, [`nix/hosts/${h}.nix`]]));
  const hosts = planHosts({
    baseHosts: ['a', 'b', 'c', 'e', 'gone'],
    headHosts: ['a', 'b', 'c', 'e', 'new'],
    affected,
    base,
    head,
  });

  it('gives each host its status', () => {
    expect(hosts.map((h) => [h.name, h.status, h.evaluated])).toEqual([
      ['a', 'unchanged', false],
      ['b', 'changed', true],
      ['c', 'unchanged', true],
      ['e', 'changed', true],
      ['gone', 'removed', true],
      ['new', 'added', true],
    ]);
    expect(hosts.find((h) => h.name === 'e')).toMatchObject({
      error: 'no such disk',
      errorAt: 'nix/hosts/e.nix:7:3',
      new: null,
    });
    expect(summarize(hosts)).toEqual({
      unchanged: 2,
      changed: 2,
      added: 1,
      removed: 1,
      errors: 1,
      evaluated: 5,
    });
  });

  it('renders a text table and markdown with the closure diff collapsed', () => {
    const b = hosts.find((h) => h.name === 'b')!;
    b.closure = {
      added: [],
      removed: [],
      changed: [{ name: 'htop', old: ['3.3.0'], new: ['3.4.0'] }],
      resized: [],
      oldSize: 1000,
      newSize: 1176,
      sizeDelta: 176,
    };
    const report = { from: 'main', to: 'pr', hosts, summary: summarize(hosts), ignored: ['README.md'] };
    const text = planText(report);
    expect(text).toContain(
      'tappaas plan main..pr: 2 changed, 1 added, 1 removed, 2 unchanged, 1 failed to evaluate (5 of 6 hosts evaluated)',
    );
    expect(text).toContain('  unchanged  1 host(s) not affected by the change: a');
    // What needs attention first: errors, changed, added, removed, then evaluated unchanged.
    const rows = text.split('\n').filter((l) => /^ {2}\S/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/)[1])).toEqual(['e', 'b', 'new', 'gone', 'c', '1']);
    expect(text).toContain(`  changed    b     ${P('b1')} → ${P('b2')}`);
    expect(text).toContain('      htop: 3.3.0 → 3.4.0');
    expect(text).toContain('      closure size: +176 B (1000 B → 1.1 KiB)');
    expect(text).toContain('  error      e     evaluation failed at nix/hosts/e.nix:7:3');
    expect(text).toContain('files no host uses: README.md');
    expect(planText(report, true)).toContain('\x1b[33mchanged  \x1b[39m');
    const md = planMarkdown(report);
    expect(md).toContain('| b | 🟡 changed |');
    expect(md).toContain('| e | ❌ error |');
    expect(md).toContain('<details><summary><b>b</b>: 1 upgraded/downgraded, closure +176 B</summary>');
    expect(md).toContain('| htop | 3.3.0 | 3.4.0 |  |');
    expect(md).toContain(
      '⚪ 1 host(s) not affected by the change (unchanged, not evaluated)</summary>\n\na\n',
    );
  });
});

describe('toEvaluation', () => {
  it('keeps the out path, or the error and its place relative to the repository', () => {
    const ok = {
      name: 'a',
      status: 'ok' as const,
      drvPath: '/nix/store/x.drv',
      outPath: P('a'),
      error: null,
    };
    expect(toEvaluation(ok)).toEqual({ outPath: P('a') });
    const bad = {
      name: 'b',
      status: 'eval-error' as const,
      drvPath: null,
      outPath: null,
      error: 'hosts/b.nix:7: no such disk',
      file: 'hosts/b.nix',
      line: 7,
      column: 3,
    };
    expect(toEvaluation(bad, 'fleet')).toEqual({
      error: 'hosts/b.nix:7: no such disk',
      at: 'fleet/hosts/b.nix:7:3',
    });
    expect(toEvaluation({ ...bad, file: undefined })).toEqual({ error: 'hosts/b.nix:7: no such disk' });
  });
});
