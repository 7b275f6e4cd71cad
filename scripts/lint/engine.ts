// Lints one source text: parse once, settle syntax with real Nix where tree-sitter doubts,
// run every enabled rule in one walk, then apply inline suppressions.
import type { Node } from 'web-tree-sitter';
import type { RuleSetting } from '../config/types.js';
import type { NixFile } from '../nix-ast/file.js';
import type { GapSite } from '../nix-ast/gaps.js';
import { defaultNixChecker, type NixSyntaxChecker } from '../nix-ast/nix-parse.js';
import { parseNix } from '../nix-ast/parser.js';
import { rangeOf } from '../nix-ast/range.js';
import { settleSyntax } from '../nix-ast/syntax.js';
import { rules as builtinRules } from './rules/index.js';
import { applySuppressions } from './suppressions.js';
import type {
  Diagnostic,
  Fix,
  ReportDescriptor,
  Rule,
  RuleContext,
  RuleLevel,
  Severity,
  Visitors,
} from './types.js';
import { mergeVisitors, timedVisitors, walk } from './walk.js';

export interface EngineOptions {
  /** Levels and options per rule id, from tappaas.json `lint.rules`. */
  ruleSettings?: Record<string, RuleSetting>;
  /** Rule table; defaults to every built-in rule. */
  rules?: Record<string, Rule>;
  /** Who confirms syntax where tree-sitter doubts; defaults to nix-instantiate. */
  nixChecker?: NixSyntaxChecker;
  /** Run-level notes (e.g. Nix is missing); the caller shows each once. */
  onNote?: (text: string) => void;
  /** When given, milliseconds spent in each rule (create and visitors) are added here. */
  ruleTimes?: Map<string, number>;
  /** Sees each parsed file before its tree is freed: what else a run reads from the same parse. */
  onTree?: (file: NixFile) => void;
}

export interface ActiveRule {
  id: string;
  rule: Rule;
  severity: Severity;
  options: Record<string, unknown> | undefined;
}

export function activeRules(opts: EngineOptions): ActiveRule[] {
  const table = opts.rules ?? builtinRules;
  const out: ActiveRule[] = [];
  for (const [id, rule] of Object.entries(table)) {
    const setting = opts.ruleSettings?.[id];
    const level: RuleLevel = (Array.isArray(setting) ? setting[0] : setting) ?? rule.meta.defaultLevel;
    if (level === 'off') continue;
    const options = Array.isArray(setting) ? setting[1] : undefined;
    out.push({ id, rule, severity: level, options });
  }
  return out;
}

function format(template: string, data: Record<string, string | number> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, key: string) => (key in data ? String(data[key]) : m));
}

/** Runs the rules over a parsed file (syntax already settled). Pure over its inputs. */
export function runRules(file: NixFile, active: ActiveRule[], ruleTimes?: Map<string, number>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const visitors: Visitors[] = [];
  for (const { id, rule, severity, options } of active) {
    const context: RuleContext = {
      ruleId: id,
      file,
      options,
      report(d: ReportDescriptor) {
        const template = rule.meta.messages[d.messageId];
        if (template === undefined) throw new Error(`rule ${id} reported unknown messageId ${d.messageId}`);
        if (d.fix && !rule.meta.fixable) throw new Error(`rule ${id} offered a fix without meta.fixable`);
        const range = d.range ?? rangeOf(d.node as Node);
        const diagnostic: Diagnostic = {
          file: file.path,
          ...range,
          rule: id,
          severity: milder(severity, d.severity),
          message: format(template, d.data),
          messageId: d.messageId,
        };
        if (d.help) diagnostic.help = format(d.help, d.data);
        const scope = d.scope === 'anywhere' ? undefined : (d.scope ?? rule.meta.scope);
        if (scope) diagnostic.scope = scope;
        if (d.namespace !== undefined) diagnostic.namespace = d.namespace;
        if (d.fix) diagnostic.fix = d.fix;
        if (d.suggest?.length) diagnostic.suggestions = d.suggest;
        diagnostics.push(diagnostic);
      },
    };
    if (ruleTimes) visitors.push(timedVisitors(id, () => rule.create(context), ruleTimes));
    else visitors.push(rule.create(context));
  }
  walk(file.tree, mergeVisitors(visitors));
  return diagnostics;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The report's own severity when it is milder than the configured level. */
function milder(level: Severity, own: Severity | undefined): Severity {
  return own && SEVERITY_RANK[own] < SEVERITY_RANK[level] ? own : level;
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}

/** Lints a source text as the file at `path`. */
export async function lintSource(
  path: string,
  source: string,
  opts: EngineOptions = {},
): Promise<Diagnostic[]> {
  const syntax = await settleSyntax(source, await parseNix(source), {
    parse: parseNix,
    checker: opts.nixChecker ?? defaultNixChecker(),
  });
  const tree = syntax.tree;
  try {
    if (syntax.note) opts.onNote?.(syntax.note);
    const diagnostics: Diagnostic[] = syntax.reports.map((r) => ({ file: path, rule: 'syntax-error', ...r }));
    const file: NixFile = { path, source, tree, root: tree.rootNode };
    if (!syntax.lint) {
      opts.onTree?.(file);
      return diagnostics;
    }
    const found = runRules(file, activeRules(opts), opts.ruleTimes);
    // After the rules: the walk's node index serves what the caller asks of the tree.
    opts.onTree?.(file);
    // Rules see the tree of the rewritten text but the original source; a fix touching a
    // rewritten spot would carry the stand-in text, so it is dropped (the report stays).
    const rewritten = syntax.gaps.filter((g) => source.slice(g.start, g.end) !== g.replacement);
    if (rewritten.length > 0) for (const d of found) dropFixesOverlapping(d, rewritten);
    diagnostics.push(...found);
    return sortDiagnostics(applySuppressions(path, source, diagnostics));
  } finally {
    tree.delete();
  }
}

function dropFixesOverlapping(d: Diagnostic, gaps: GapSite[]): void {
  const hits = (f: Fix) => gaps.some((g) => g.start < f.end && f.start < g.end);
  if (d.fix && hits(d.fix)) delete d.fix;
  if (d.suggestions) {
    d.suggestions = d.suggestions.filter((s) => !hits(s.fix));
    if (d.suggestions.length === 0) delete d.suggestions;
  }
}
