// The shapes every part of the linter shares. A rule is ESLint-shaped: `meta` describes it,
// `create(context)` returns visitors keyed by node kind; the engine merges all visitors so
// one walk of the tree serves every rule.
import type { Node } from 'web-tree-sitter';
import type { RuleLevel } from '../config/types.js';
import type { NixFile } from '../nix-ast/file.js';
import type { NodeKind } from '../nix-ast/kinds.js';
import type { SourceRange } from '../nix-ast/range.js';

export type Severity = 'error' | 'warning' | 'info';
/** Severity, or off: tappaas.json's level (config/types.ts). */
export type { RuleLevel };

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
  /**
   * Which of the rule's `meta.messages` the message was rendered from, as in ESLint; none for
   * what the engine reports itself. Tests compare it; the JSON and SARIF outputs leave it out.
   */
  messageId?: string;
  /** A provably safe fix (rules with meta.fixable only). */
  fix?: Fix;
  /** Fixes a human should choose from. */
  suggestions?: Suggestion[];
  /** How to fix it, in words; shown under the message. */
  help?: string;
  /** Internal: where the finding holds (the repository context settles it; never printed). */
  scope?: FindingScope;
  /** Internal: the top-level option name an unknown-namespace report is about. */
  namespace?: string;
}

export interface RuleDocs {
  description: string;
  /** Why it matters. */
  why: string;
  bad: string;
  good: string;
  /** What is certain about a report and what is a guess (the severity contract). */
  certainty?: string;
}

/**
 * How sure a rule is that a report is a real problem (ARCHITECTURE.md, severity contract):
 * - `certain`: Nix or NixOS would reject it, or a secret is certainly exposed; may be an error.
 * - `mixed`: some reports are certain (errors), the rest are reported as warnings at most.
 * - `heuristic`: a likely bug, never certain; a warning at most.
 * - `style`: the code works; a simpler or clearer spelling exists.
 * - `policy`: a rule of the tappaas fleet layout, exact but a convention rather than Nix's.
 */
export type Certainty = 'certain' | 'mixed' | 'heuristic' | 'style' | 'policy';

/**
 * Where a finding holds, for findings that depend on what kind of file this is (decided from
 * the repository's import graph, scripts/module-graph): `module` in any file the module system
 * loads (NixOS, home-manager, flake-parts, nix-darwin), `nixos` only in a NixOS module,
 * `flake` only in a file evaluated through the flake (pure evaluation).
 */
export type FindingScope = 'module' | 'nixos' | 'flake';

/** One option of a rule: a JSON Schema (ajv) with the words `tappaas rules` shows for it. */
export interface RuleOptionSchema {
  description: string;
  default?: unknown;
  /** Set by the lint run itself (e.g. the options index), never in tappaas.json. */
  readOnly?: true;
  [keyword: string]: unknown;
}

/** The JSON Schema of a rule's options object, `lint.rules.<id>: [level, { … }]`. */
export interface RuleOptionsSchema {
  type: 'object';
  properties: Record<string, RuleOptionSchema>;
  additionalProperties: false;
}

export interface RuleMeta {
  type: 'problem' | 'suggestion' | 'layout';
  docs: RuleDocs;
  messages: Record<string, string>;
  /** The options the rule takes, as ESLint's meta.schema; a rule without one takes none. */
  schema?: RuleOptionsSchema;
  defaultLevel: RuleLevel;
  certainty: Certainty;
  /** The scope of every report of this rule, unless a report names its own. */
  scope?: FindingScope;
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
  /** Where this report holds, when it differs from the rule's `meta.scope`. */
  scope?: FindingScope | 'anywhere';
  /** The top-level option name of an unknown-namespace report (for the repository context). */
  namespace?: string;
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
