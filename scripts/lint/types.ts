// The shapes every part of the linter shares. A rule is ESLint-shaped: `meta` describes it,
// `create(context)` returns visitors keyed by node kind; the engine merges all visitors so
// one walk of the tree serves every rule.
import type { Node } from 'web-tree-sitter';
import type { NixFile } from '../nix-ast/file.js';
import type { NodeKind } from '../nix-ast/kinds.js';
import type { SourceRange } from '../nix-ast/range.js';

export type Severity = 'error' | 'warning' | 'info';
export type RuleLevel = Severity | 'off';

/** A text edit by UTF-16 offsets into the file's source: replace [start, end) with text. */
export interface Fix {
  start: number;
  end: number;
  text: string;
}

export interface Suggestion {
  message: string;
  fix: Fix;
}

export interface Diagnostic extends SourceRange {
  file: string;
  rule: string;
  severity: Severity;
  message: string;
  /** A provably safe fix (rules with meta.fixable only). */
  fix?: Fix;
  /** Fixes a human should choose from. */
  suggestions?: Suggestion[];
  /** How to fix it, in words; shown under the message. */
  help?: string;
}

export interface RuleDocs {
  description: string;
  /** Why it matters. */
  why: string;
  bad: string;
  good: string;
}

export interface RuleMeta {
  type: 'problem' | 'suggestion' | 'layout';
  docs: RuleDocs;
  messages: Record<string, string>;
  defaultLevel: RuleLevel;
  fixable?: 'code';
  hasSuggestions?: boolean;
}

export interface ReportDescriptor {
  node?: Node;
  range?: SourceRange;
  messageId: string;
  data?: Record<string, string | number>;
  fix?: Fix;
  suggest?: Suggestion[];
  help?: string;
  /** A lower severity for this report than the rule's level (never raises it): a rule's milder case. */
  severity?: Severity;
}

export interface RuleContext {
  readonly ruleId: string;
  readonly file: NixFile;
  /** Options from tappaas.json for this rule (`["warning", {...}]` form), or undefined. */
  readonly options: Record<string, unknown> | undefined;
  report(descriptor: ReportDescriptor): void;
}

export type Visitor = (node: Node) => void;
export type Visitors = Partial<Record<NodeKind | `${NodeKind}:exit` | 'Program' | 'Program:exit', Visitor>>;

export interface Rule {
  meta: RuleMeta;
  create(context: RuleContext): Visitors;
}

export interface LintResult {
  files: number;
  diagnostics: Diagnostic[];
}
