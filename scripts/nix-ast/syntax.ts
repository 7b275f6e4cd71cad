// Whether a file is valid Nix. tree-sitter's word is only a first approximation: where its
// tree has errors, known grammar gaps are rewritten (offsets kept) and real Nix is asked.
// A valid file is never called invalid; when Nix cannot answer, we say what we could not
// confirm instead of guessing.
import type { Node, Tree } from 'web-tree-sitter';
import { applyGaps, findGaps, GAP_DESCRIPTIONS, type GapSite, rewrites } from './gaps.js';
import type { NixSyntaxChecker } from './nix-parse.js';
import { offsetToLineColumn, rangeOf, type SourceRange } from './range.js';

/**
 * Every syntax verdict that this machine's Nix did not give (Nix absent, failing, or too old
 * for pipe operators) says so with these words; such a verdict may change once Nix is
 * installed or upgraded, so it must not be cached.
 */
const UNCONFIRMED = 'not confirmed';

export function isUnconfirmedSyntaxVerdict(d: { rule: string; message: string }): boolean {
  return d.rule === 'syntax-error' && d.message.includes(UNCONFIRMED);
}

export interface SyntaxProblem extends SourceRange {
  message: string;
}

/** ERROR and MISSING nodes in document order, outermost only. */
export function syntaxProblems(tree: Tree): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    if (node.isError) {
      const text = node.text.length > 40 ? `${node.text.slice(0, 37)}...` : node.text;
      out.push({ ...rangeOf(node), message: `unexpected ${JSON.stringify(text)}` });
      return;
    }
    if (node.isMissing) {
      out.push({ ...rangeOf(node), message: `missing ${node.type}` });
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  return out;
}

/** A file of only whitespace and comments has no expression; Nix rejects it. */
export function hasExpression(tree: Tree): boolean {
  return tree.rootNode.namedChildren.some((c) => c !== null && c.type !== 'comment');
}

export interface SyntaxReport extends SourceRange {
  severity: 'error' | 'warning';
  message: string;
  help: string;
}

export interface SyntaxOutcome {
  /** The tree rules should see: of the original source, or of it with gaps rewritten. */
  tree: Tree;
  /** Grammar gaps rewritten to get `tree` (empty when none were needed). */
  gaps: GapSite[];
  /** At most one report: the syntax error, or what could not be confirmed. */
  reports: SyntaxReport[];
  /** False when the file is not valid (or not known to be): rules do not run then. */
  lint: boolean;
  /** Something to say once per run, not per file (e.g. Nix is missing). */
  note?: string;
}

export interface SettleOptions {
  parse: (source: string) => Promise<Tree>;
  checker: NixSyntaxChecker;
}

const NIX_HELP =
  'Nix rejects this file: fix the syntax at this line and column (`nix-instantiate --parse FILE` shows the same error).';
const EMPTY_HELP =
  'A .nix file must hold exactly one Nix expression, e.g. `{ }`; delete the file or give it one.';

function covers(source: string, gap: GapSite, p: SourceRange): boolean {
  const a = offsetToLineColumn(source, gap.start);
  const b = offsetToLineColumn(source, gap.end);
  const after = (l: number, c: number, l2: number, c2: number) => l > l2 || (l === l2 && c >= c2);
  return after(p.line, p.column, a.line, a.column) && after(b.line, b.column, p.endLine, p.endColumn);
}

function point(source: string, offset: number): SourceRange {
  const { line, column } = offsetToLineColumn(source, offset);
  return { line, column, endLine: line, endColumn: column };
}

/**
 * Settles the syntax of `source`, whose tree-sitter tree is `tree`. Takes ownership of
 * `tree`: it is either returned or deleted.
 */
export async function settleSyntax(source: string, tree: Tree, opts: SettleOptions): Promise<SyntaxOutcome> {
  const empty = !hasExpression(tree);
  if (!tree.rootNode.hasError && !empty) return { tree, gaps: [], reports: [], lint: true };

  const firstProblem = syntaxProblems(tree)[0];
  const gaps = empty ? [] : findGaps(source);
  let current = tree;
  if (rewrites(source, gaps)) {
    current = await opts.parse(applyGaps(source, gaps));
    tree.delete();
  }
  const pipes = gaps.filter((g) => g.kind === 'pipe-operator');
  // A Nix without pipe operators is asked about the rest of the file, pipes rewritten.
  const pipesUnsupported = pipes.length > 0 && !(await opts.checker.supportsPipes());
  const asked = pipesUnsupported ? applyGaps(source, pipes) : source;
  const verdict = await opts.checker.check(asked, { pipes: pipes.length > 0 });

  if (verdict.kind === 'valid') {
    const reports: SyntaxReport[] = [];
    if (pipesUnsupported) {
      const version = (await opts.checker.version()) ?? 'nix-instantiate';
      reports.push({
        ...point(source, pipes[0]!.start),
        severity: 'warning',
        message: `pipe operators are ${UNCONFIRMED}: ${version} does not know them (the rest of the file is valid Nix)`,
        help: 'Pipe operators need Nix >= 2.24 (or Lix >= 2.91) with the experimental feature pipe-operators enabled; write `f x` instead of `x |> f` to stay portable.',
      });
    }
    return { tree: current, gaps, reports, lint: true };
  }

  if (verdict.kind === 'invalid') {
    const at: SourceRange =
      verdict.line !== undefined && verdict.column !== undefined
        ? { line: verdict.line, column: verdict.column, endLine: verdict.line, endColumn: verdict.column }
        : (firstProblem ?? point(source, 0));
    const report: SyntaxReport = empty
      ? {
          ...at,
          severity: 'error',
          message: `no Nix expression in this file (it is empty or only comments); nix-instantiate: ${verdict.message}`,
          help: EMPTY_HELP,
        }
      : { ...at, severity: 'error', message: verdict.message, help: NIX_HELP };
    return { tree: current, gaps, reports: [report], lint: false };
  }

  // No verdict from Nix: judge by tree-sitter alone and say that we did.
  const why = verdict.reason;
  const note = verdict.missing
    ? `${verdict.reason}: files the tree-sitter grammar cannot parse were judged without real Nix. Install Nix (nix-instantiate on PATH) to confirm them.`
    : `nix-instantiate gave no verdict (${verdict.reason}): some files were judged without real Nix.`;
  if (empty) {
    return {
      tree: current,
      gaps,
      reports: [
        {
          ...point(source, 0),
          severity: 'error',
          message: 'no Nix expression in this file (it is empty or only comments)',
          help: EMPTY_HELP,
        },
      ],
      lint: false,
      note,
    };
  }
  // Problems inside a gap left as written (an empty inherit) are explained by it.
  const remaining = syntaxProblems(current).find((p) => !gaps.some((g) => covers(source, g, p)));
  if (remaining) {
    return {
      tree: current,
      gaps,
      reports: [
        {
          ...remaining,
          severity: 'error',
          message: `syntax error: ${remaining.message} (tree-sitter; ${UNCONFIRMED} by Nix: ${why})`,
          help: 'Fix the syntax here; with Nix installed, `nix-instantiate --parse FILE` gives its own verdict.',
        },
      ],
      lint: false,
      note,
    };
  }
  const first = gaps[0]!;
  const more = gaps.length > 1 ? ` (and ${gaps.length - 1} more)` : '';
  return {
    tree: current,
    gaps,
    reports: [
      {
        ...point(source, first.start),
        severity: 'warning',
        message: `${GAP_DESCRIPTIONS[first.kind]}${more} is valid in Nix but ${UNCONFIRMED}: ${why}`,
        help: 'The tree-sitter grammar does not know this valid construct; install Nix so nix-instantiate --parse can confirm the file.',
      },
    ],
    lint: true,
    note,
  };
}
