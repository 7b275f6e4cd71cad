import { describe, expect, it } from 'vitest';
import {
  fileLinkBaseFromEnv,
  GITHUB_LIMITS,
  githubReport,
} from '../../../../scripts/lint/formatters/github.js';
import { formatLint } from '../../../../scripts/lint/formatters/index.js';
import type { FormatOptions } from '../../../../scripts/lint/formatters/options.js';
import type { Diagnostic, Severity } from '../../../../scripts/lint/types.js';

const opts: FormatOptions = { cwd: '/repo/nix', root: '/repo', color: false, version: '0.1.0' };

function diag(i: number, severity: Severity = 'error', over: Partial<Diagnostic> = {}): Diagnostic {
  return {
    file: `hosts/h${i}.nix`,
    line: i + 1,
    column: 3,
    endLine: i + 1,
    endColumn: 9,
    rule: 'bool-comparison',
    severity,
    message: `finding ${i}`,
    ...over,
  };
}

const many = (n: number, severity: Severity) => Array.from({ length: n }, (_, i) => diag(i, severity));

describe('github formatter', () => {
  it('annotates with repo-relative file, position and a rule title', () => {
    const report = githubReport({ files: 1, diagnostics: [diag(0, 'warning', { help: 'Use x.' })] }, opts);
    expect(report.annotations).toEqual([
      {
        kind: 'warning',
        message: 'finding 0\nUse x.',
        properties: {
          title: 'tappaas lint: bool-comparison',
          file: 'nix/hosts/h0.nix',
          startLine: 1,
          endLine: 1,
          startColumn: 3,
          endColumn: 9,
        },
      },
    ]);
  });

  it('leaves columns out of an annotation that spans lines, and maps info to notice', () => {
    const [a] = githubReport({ files: 1, diagnostics: [diag(0, 'info', { endLine: 4 })] }, opts).annotations;
    expect(a!.kind).toBe('notice');
    expect(a!.properties).not.toHaveProperty('startColumn');
    expect(a!.properties).not.toHaveProperty('endColumn');
    expect(a!.properties.endLine).toBe(4);
  });

  it('annotates only the first 10 of each kind and says how many more and where', () => {
    const diagnostics = [...many(14, 'error'), ...many(12, 'warning'), ...many(3, 'info')];
    const report = githubReport({ files: 29, diagnostics }, opts);
    const byKind = (k: string) => report.annotations.filter((a) => a.kind === k).length;
    expect([byKind('error'), byKind('warning'), byKind('notice')]).toEqual([10, 10, 3]);
    expect(report.unannotated).toEqual({ error: 4, warning: 2, notice: 0 });
    expect(report.log).toContain(
      'tappaas lint: 4 errors, 2 warnings more than GitHub annotates in one step; all findings are in the job summary and in the "tappaas lint" group above.',
    );
    expect(report.annotations.length).toBeLessThanOrEqual(GITHUB_LIMITS.perJob);
  });

  it('respects the per-job cap too', () => {
    const report = githubReport({ files: 9, diagnostics: many(9, 'error') }, opts, {
      ...GITHUB_LIMITS,
      perJob: 5,
    });
    expect(report.annotations).toHaveLength(5);
    expect(report.unannotated.error).toBe(4);
  });

  it('prints every finding plainly to the log inside a group, with workflow commands stopped', () => {
    const diagnostics = [diag(0), diag(1, 'warning', { file: '::warning::evil.nix' })];
    const { log } = githubReport({ files: 2, diagnostics }, opts);
    const lines = log.trimEnd().split('\n');
    expect(lines[0]).toBe('::group::tappaas lint: 2 findings');
    const stop = lines[1]!.match(/^::stop-commands::(tappaas-[0-9a-f]{32})$/);
    expect(stop).not.toBeNull();
    expect(lines.slice(2, 4)).toEqual([
      'hosts/h0.nix:1:3: error: finding 0 [bool-comparison]',
      '::warning::evil.nix:2:3: warning: finding 1 [bool-comparison]',
    ]);
    expect(lines[4]).toBe(`::${stop![1]}::`);
    expect(lines[5]).toBe('::endgroup::');
    expect(lines[6]).toBe('tappaas lint: 2 files linted: 1 error, 1 warning');
    expect(formatLint('github', { files: 2, diagnostics }, opts)).toBe(log);
  });

  it('writes a clean log and summary when there is nothing to report', () => {
    const report = githubReport({ files: 4, diagnostics: [] }, opts);
    expect(report.log).toBe('tappaas lint: 4 files linted: no problems found\n');
    expect(report.annotations).toEqual([]);
    expect(report.summary).toContain('### ✅ tappaas lint');
    expect(report.summary).not.toContain('| Location |');
  });

  it('summarises in a markdown table with counts, escaping what the code contains', () => {
    const d = diag(0, 'error', { message: 'a | b <script>\nnext', fix: { start: 0, end: 1, text: 'x' } });
    const { summary } = githubReport({ files: 1, diagnostics: [d] }, opts);
    expect(summary).toContain('**1 file linted: 1 error, 0 warnings (1 fixable with `tappaas lint --fix`)**');
    expect(summary).toContain('| 1 | 0 | 0 | 1 |');
    expect(summary).toContain('| Location | Rule | Severity | Message |');
    expect(summary).toContain(
      '| <code>nix/hosts/h0.nix:1</code> | <code>bool-comparison</code> | error | a \\| b &lt;script&gt; next |',
    );
    expect(summary).not.toContain('<details>');
  });

  it('folds a long table into <details> and stays under the size limit', () => {
    const long = many(30, 'warning');
    expect(githubReport({ files: 30, diagnostics: long }, opts).summary).toContain(
      '<details><summary>All 30 findings</summary>',
    );
    const huge = Array.from({ length: 20000 }, (_, i) => diag(i, 'warning', { message: 'x'.repeat(200) }));
    const { summary } = githubReport({ files: 20000, diagnostics: huge }, opts);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(GITHUB_LIMITS.summaryBytes);
    expect(summary).toMatch(
      /\d+ more findings not shown here \(summary size limit\): see the job log\.\n\n<\/details>\n$/,
    );
  });

  it('links each location to the file at the linted commit on GitHub and on Gitea', () => {
    const sha = 'a'.repeat(40);
    const env = {
      GITHUB_SERVER_URL: 'https://forge.example',
      GITHUB_REPOSITORY: 'ops/fleet',
      GITHUB_SHA: sha,
    };
    expect(fileLinkBaseFromEnv(env)).toBe(`https://forge.example/ops/fleet/blob/${sha}`);
    expect(fileLinkBaseFromEnv({ ...env, GITEA_ACTIONS: 'true' })).toBe(
      `https://forge.example/ops/fleet/src/commit/${sha}`,
    );
    expect(fileLinkBaseFromEnv({ ...env, GITHUB_SHA: '' })).toBeUndefined();
    expect(fileLinkBaseFromEnv({})).toBeUndefined();
    const d = diag(0, 'error', { file: 'hosts/web 1.nix', line: 7 });
    const { summary } = githubReport(
      { files: 1, diagnostics: [d] },
      { ...opts, fileLinkBase: fileLinkBaseFromEnv(env) },
    );
    expect(summary).toContain(
      `| <a href="https://forge.example/ops/fleet/blob/${sha}/nix/hosts/web%201.nix#L7"><code>nix/hosts/web 1.nix:7</code></a> |`,
    );
  });
});
