// SARIF output checked against the official SARIF 2.1.0 schema (the one an npm package of
// the SARIF authors ships; it is draft-04, hence ajv-draft-04), plus what GitHub code
// scanning relies on beyond the schema.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { ruleCatalog } from '../../../../scripts/lint/catalog.js';
import { lintSource } from '../../../../scripts/lint/engine.js';
import type { FormatOptions } from '../../../../scripts/lint/formatters/options.js';
import { formatSarif, sarifLog } from '../../../../scripts/lint/formatters/sarif.js';
import boolComparison from '../../../../scripts/lint/rules/bool-comparison.js';
import type { Diagnostic, LintResult } from '../../../../scripts/lint/types.js';

// One known rule, so that new rules in the registry do not change these outputs.
const only = { rules: { 'bool-comparison': boolComparison } };

const require = createRequire(import.meta.url);
// Both packages are CommonJS with a `default` export; require gives the runtime shape.
const AjvDraft04 = (require('ajv-draft-04') as typeof import('ajv-draft-04')).default;
const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
// The schema's `language` pattern is not valid under the u flag, as many draft-04 patterns are not.
const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const opts: FormatOptions = { cwd: '/repo/nix', root: '/repo', color: false, version: '0.1.0' };

function expectValid(text: string) {
  const ok = validate(JSON.parse(text));
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

let result: LintResult;
const source =
  '{ x }: {\n  a = x == true;\n  # tappaas-lint-disable-next-line bool-comparison\n  b = x != false;\n}\n';
beforeAll(async () => {
  const diagnostics = await lintSource('hosts/web 1.nix', source, only);
  const broken = await lintSource('broken.nix', '{ a = 1 }\n', only);
  const unreadable: Diagnostic = {
    file: 'blob.nix',
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    rule: 'unreadable-file',
    severity: 'error',
    message: 'binary file (it contains NUL bytes): not Nix source',
  };
  const info: Diagnostic = {
    ...unreadable,
    file: 'info.nix',
    rule: 'bool-comparison',
    severity: 'info',
    message: 'm',
  };
  result = { files: 4, diagnostics: [...diagnostics, ...broken, unreadable, info] };
});

describe('sarif formatter', () => {
  it('is valid against the SARIF 2.1.0 schema', () => {
    expectValid(formatSarif(result, opts));
    expectValid(formatSarif({ files: 0, diagnostics: [] }, opts));
  });

  it('describes the tool with every rule, engine rules included, and help from the docs', () => {
    const log = sarifLog(result, opts);
    const run = log.runs[0]!;
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.tool.driver.name).toBe('tappaas');
    expect(run.tool.driver.version).toBe('0.1.0');
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['syntax-error', 'lint-suppression', 'unreadable-file']));
    expect(ids).toEqual(ruleCatalog().map((r) => r.id));
    const rule = run.tool.driver.rules.find((r) => r.id === 'bool-comparison')!;
    expect(rule.name).toBe('BoolComparison');
    expect(rule.shortDescription.text).toMatch(/boolean literal/);
    expect(rule.fullDescription.text).toMatch(/adds nothing/);
    expect(rule.defaultConfiguration.level).toBe('warning');
    expect(rule.help.text).toContain('enable = cfg.enable == true;');
    expect(rule.help.markdown).toContain('```nix\nenable = cfg.enable;\n```');
    expect(run.tool.driver.rules.find((r) => r.id === 'syntax-error')!.defaultConfiguration.level).toBe(
      'error',
    );
  });

  it('locates results relative to %SRCROOT% with 1-based regions and a valid ruleIndex', () => {
    const run = sarifLog(result, opts).runs[0]!;
    const first = run.results[0]!;
    expect(first.ruleId).toBe('bool-comparison');
    expect(run.tool.driver.rules[first.ruleIndex]!.id).toBe('bool-comparison');
    expect(first.level).toBe('warning');
    const loc = first.locations[0]!.physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: 'nix/hosts/web%201.nix', uriBaseId: '%SRCROOT%' });
    expect(loc.region).toEqual({ startLine: 2, startColumn: 7, endLine: 2, endColumn: 16 });
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///repo/');
  });

  it('maps info to note and reports suppression findings', () => {
    const run = sarifLog(result, opts).runs[0]!;
    expect(
      run.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'nix/info.nix')!
        .level,
    ).toBe('note');
    const suppression = run.results.find((r) => r.ruleId === 'lint-suppression')!;
    expect(suppression.message.text).toMatch(/without a reason/);
    expect(suppression.message.text).toMatch(/Say why/); // the help line travels with the message
  });

  it('turns a safe fix into a SARIF fix by character offset', () => {
    const run = sarifLog(result, opts).runs[0]!;
    const fix = run.results[0]!.fixes![0]!;
    const change = fix.artifactChanges[0]!;
    expect(change.artifactLocation.uri).toBe('nix/hosts/web%201.nix');
    expect(change.replacements[0]).toEqual({
      deletedRegion: { charOffset: source.indexOf('x == true'), charLength: 'x == true'.length },
      insertedContent: { text: 'x' },
    });
  });

  it('says honestly that a run with unreadable files was not fully successful', () => {
    const run = sarifLog(result, opts).runs[0]!;
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications![0]!.message.text).toMatch(/blob\.nix: binary/);
    const clean = sarifLog({ files: 1, diagnostics: [] }, opts).runs[0]!;
    expect(clean.invocations[0]!.executionSuccessful).toBe(true);
    expect(clean.results).toEqual([]);
  });

  it('names a file outside the repository by an absolute file URI', () => {
    const log = sarifLog(
      { files: 1, diagnostics: [{ ...result.diagnostics[0]!, file: '../../tmp/x.nix' }] },
      opts,
    );
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: 'file:///tmp/x.nix',
    });
    expectValid(JSON.stringify(log));
  });

  it('keeps the most severe results within the code scanning limit and says how many it left out', () => {
    const base = result.diagnostics[0]!;
    const diagnostics: Diagnostic[] = [
      { ...base, severity: 'info', line: 1 },
      { ...base, severity: 'warning', line: 2 },
      { ...base, severity: 'error', line: 3 },
      { ...base, severity: 'warning', line: 4 },
    ];
    const run = sarifLog({ files: 1, diagnostics }, opts, 2).runs[0]!;
    expect(run.results.map((r) => [r.level, r.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['warning', 2],
      ['error', 3],
    ]);
    expect(run.invocations[0]!.toolExecutionNotifications![0]!.message.text).toMatch(
      /^2 less severe results left out/,
    );
    expect(run.invocations[0]!.executionSuccessful).toBe(true);
    expectValid(JSON.stringify(sarifLog({ files: 1, diagnostics }, opts, 2)));
  });
});
