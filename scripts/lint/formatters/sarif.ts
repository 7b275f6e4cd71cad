// SARIF 2.1.0 as GitHub code scanning reads it: one run, the rule catalog with help built from
// each rule's docs, results located relative to %SRCROOT% (the repository root), columns in
// UTF-16 code units (what tree-sitter gives us), and safe fixes as SARIF fixes.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RuleInfo, ruleCatalog } from '../catalog.js';
import type { Diagnostic, Fix, LintResult, RuleLevel, Severity } from '../types.js';
import type { FormatOptions } from './options.js';
import { repoRelative } from './paths.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';

type SarifLevel = 'none' | 'note' | 'warning' | 'error';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

function sarifLevel(level: RuleLevel): SarifLevel {
  return level === 'off' ? 'none' : LEVEL[level];
}

/** `bool-comparison` → `BoolComparison`: SARIF's rule name is an identifier-like word. */
function ruleName(id: string): string {
  return id.replace(/(^|[-_])(\w)/g, (_m, _sep, c: string) => c.toUpperCase());
}

export function ruleHelpText({ docs }: RuleInfo): string {
  const parts = [docs.description];
  if (docs.why) parts.push(`Why: ${docs.why}`);
  if (docs.bad) parts.push(`Bad:\n${indent(docs.bad)}`);
  if (docs.good) parts.push(`Good:\n${indent(docs.good)}`);
  return parts.join('\n\n');
}

export function ruleHelpMarkdown({ docs }: RuleInfo): string {
  const parts = [docs.description];
  if (docs.why) parts.push(`**Why:** ${docs.why}`);
  if (docs.bad) parts.push(`**Bad:**\n\n${fence(docs.bad)}`);
  if (docs.good) parts.push(`**Good:**\n\n${fence(docs.good)}`);
  return parts.join('\n\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** A fenced block that survives backticks in the example. */
export function fence(code: string, lang = 'nix'): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${code}\n${ticks}`;
}

function ruleDescriptor(info: RuleInfo) {
  const enabled = info.defaultLevel !== 'off';
  return {
    id: info.id,
    name: ruleName(info.id),
    shortDescription: { text: info.docs.description },
    fullDescription: {
      text: info.docs.why ? `${info.docs.description} ${info.docs.why}` : info.docs.description,
    },
    help: { text: ruleHelpText(info), markdown: ruleHelpMarkdown(info) },
    defaultConfiguration: { level: sarifLevel(info.defaultLevel), ...(enabled ? {} : { enabled }) },
    properties: {
      tags: ['nix', info.type, ...(info.engine ? ['engine'] : [])],
      ...(info.fixable ? { fixable: true } : {}),
    },
  };
}

/** A finding's file as a SARIF artifact location: repo-relative when it can be. */
function artifactLocation(file: string, opts: FormatOptions) {
  const rel = repoRelative(file, opts.cwd, opts.root);
  if (rel === undefined) return { uri: pathToFileURL(resolve(opts.cwd, file)).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function sarifFix(description: string, fix: Fix, location: ReturnType<typeof artifactLocation>) {
  return {
    description: { text: description },
    artifactChanges: [
      {
        artifactLocation: location,
        replacements: [
          {
            deletedRegion: { charOffset: fix.start, charLength: fix.end - fix.start },
            insertedContent: { text: fix.text },
          },
        ],
      },
    ],
  };
}

function sarifResult(d: Diagnostic, ruleIndex: number, opts: FormatOptions) {
  const location = artifactLocation(d.file, opts);
  const fixes = [
    ...(d.fix ? [sarifFix(`Safe fix (tappaas lint --fix): ${d.message}`, d.fix, location)] : []),
    ...(d.suggestions ?? []).map((s) => sarifFix(s.message, s.fix, location)),
  ];
  return {
    ruleId: d.rule,
    ruleIndex,
    level: LEVEL[d.severity],
    message: { text: d.help ? `${d.message}\n${d.help}` : d.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: location,
          region: {
            startLine: d.line,
            startColumn: d.column,
            endLine: d.endLine,
            endColumn: d.endColumn,
          },
        },
      },
    ],
    ...(fixes.length ? { fixes } : {}),
  };
}

/** GitHub code scanning rejects a run with more results than this. */
export const SARIF_MAX_RESULTS = 25_000;

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** At most `max` diagnostics, the most severe first kept, in their original order. */
function capResults(diagnostics: Diagnostic[], max: number): Diagnostic[] {
  if (diagnostics.length <= max) return diagnostics;
  const keep = new Set(
    diagnostics
      .map((d, i) => ({ d, i }))
      .sort((a, b) => RANK[a.d.severity] - RANK[b.d.severity] || a.i - b.i)
      .slice(0, max)
      .map(({ i }) => i),
  );
  return diagnostics.filter((_d, i) => keep.has(i));
}

export function sarifLog(result: LintResult, opts: FormatOptions, maxResults = SARIF_MAX_RESULTS) {
  const catalog = ruleCatalog();
  const index = new Map(catalog.map((r, i) => [r.id, i]));
  // An id no catalog knows (should not happen) still gets a descriptor so ruleIndex is valid.
  for (const d of result.diagnostics) {
    if (index.has(d.rule)) continue;
    index.set(d.rule, catalog.length);
    catalog.push({
      id: d.rule,
      engine: true,
      type: 'problem',
      defaultLevel: d.severity,
      certainty: d.severity === 'error' ? 'certain' : 'heuristic',
      fixable: false,
      hasSuggestions: false,
      docs: { description: d.message, why: '', bad: '', good: '' },
      messages: {},
    });
  }
  const unreadable = result.diagnostics.filter((d) => d.rule === 'unreadable-file');
  const kept = capResults(result.diagnostics, maxResults);
  const left = result.diagnostics.length - kept.length;
  const notifications = [
    ...unreadable.map((d) => ({
      level: 'error',
      message: { text: `${d.file}: ${d.message}` },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(d.file, opts) } }],
    })),
    ...(left
      ? [
          {
            level: 'warning',
            message: {
              text: `${left} less severe results left out: code scanning rejects a run with more than ${maxResults}. \`tappaas lint --format json\` lists them all.`,
            },
          },
        ]
      : []),
  ];
  const rootUri = pathToFileURL(opts.root).href.replace(/\/?$/, '/');
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'tappaas',
            version: opts.version,
            ...(/^\d+\.\d+\.\d+/.test(opts.version) ? { semanticVersion: opts.version } : {}),
            rules: catalog.map(ruleDescriptor),
          },
        },
        // Files that could not be linted make the run incomplete; say so rather than look clean.
        invocations: [
          {
            executionSuccessful: unreadable.length === 0,
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri } },
        columnKind: 'utf16CodeUnits' as const,
        results: kept.map((d) => sarifResult(d, index.get(d.rule)!, opts)),
      },
    ],
  };
}

export function formatSarif(result: LintResult, opts: FormatOptions): string {
  return `${JSON.stringify(sarifLog(result, opts), null, 2)}\n`;
}
