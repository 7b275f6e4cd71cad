import type { Node } from 'web-tree-sitter';
import type { Fix, Rule } from '../types.js';
import { fieldOf } from './util/nix.js';

// Nix's grammar (parser.y) in levels: expr_simple (names, literals, strings, paths, sets,
// lists, `( )`) < expr_select (`a.b`, `a.b or c`) < expr_app < expr_op < if < function,
// let, with, assert. Parentheses are needed only when a lower-level expression stands where
// a higher level is required. Every claim below was checked with `nix-instantiate --parse`.

/** Expressions at the expr_simple level: they may stand anywhere bare. */
const SIMPLE = new Set([
  'variable_expression',
  'integer_expression',
  'float_expression',
  'path_expression',
  'hpath_expression',
  'spath_expression',
  'uri_expression',
  'string_expression',
  'indented_string_expression',
  'attrset_expression',
  'rec_attrset_expression',
  'let_attrset_expression',
  'list_expression',
]);

/** Simple expressions that may be the base of a selection (`(x).a`) without parentheses.
 * Numbers and paths would lex differently (`1.a`, `./p.a`). */
const SELECT_BASE = new Set([
  'variable_expression',
  'attrset_expression',
  'rec_attrset_expression',
  'let_attrset_expression',
  'list_expression',
]);

/** Where any expression may stand: parentheses around the whole value are always noise. */
const WHOLE_VALUE: Record<string, string[]> = {
  source_code: ['expression'],
  binding: ['expression'],
  let_expression: ['body'],
  interpolation: ['expression'],
};

/** Also full-expression positions, but parentheses around a compound expression there are a
 * common readability choice (`if (a == b) then`), so only atoms are flagged. */
const ATOMS_ONLY: Record<string, string[]> = {
  function_expression: ['body'],
  if_expression: ['condition', 'consequence', 'alternative'],
  assert_expression: ['condition', 'body'],
  with_expression: ['environment', 'body'],
  formal: ['default'],
};

/** Operand positions (application, operators, `?`, list elements) take expr_select. */
const OPERAND: Record<string, string[]> = {
  apply_expression: ['function', 'argument'],
  unary_expression: ['argument'],
  binary_expression: ['left', 'right'],
  has_attr_expression: ['expression'],
  list_expression: ['element'],
};

function isSelectWithoutDefault(n: Node): boolean {
  return n.type === 'select_expression' && !n.childForFieldName('default');
}

/**
 * Whether `inner` parses the same without the parentheses at the position of `outer`:
 * 'fix' when Nix parses the same, 'suggest' when the value is the same but the parse is not,
 * false when the parentheses are needed.
 */
function bareIsSafe(inner: Node, outer: Node, source: string): 'fix' | 'suggest' | false {
  const parent = outer.parent;
  const field = fieldOf(outer);
  if (!parent || !field) return false;
  // `or` is also an identifier: `(a.b) or c` applies `a.b` to `or`, `a.b or c` is a default.
  if (/^\s*or\b/.test(source.slice(outer.endIndex))) return false;
  if (inner.type === 'variable_expression' && inner.text === 'or') return false;
  const atom = SIMPLE.has(inner.type) || isSelectWithoutDefault(inner);
  const fixIf = (ok: boolean) => (ok ? 'fix' : false);
  if (WHOLE_VALUE[parent.type]?.includes(field)) return 'fix';
  if (ATOMS_ONLY[parent.type]?.includes(field)) return fixIf(atom);
  if (parent.type === 'select_expression' && field === 'expression') {
    if (SELECT_BASE.has(inner.type)) return 'fix';
    // `(a.b).c` has the value of `a.b.c` but parses as two selections; `(a.b).c or d` is not
    // `a.b.c or d` at all (the default would also cover a missing `b`).
    return isSelectWithoutDefault(inner) && !parent.childForFieldName('default') ? 'suggest' : false;
  }
  if (OPERAND[parent.type]?.includes(field)) {
    // Application is left-associative: `(f a) b` is `f a b`, but `f (a b)` is not `f a b`.
    if (parent.type === 'apply_expression' && field === 'function' && inner.type === 'apply_expression')
      return 'fix';
    // `[ (a.b or c) ]` parses the same bare, but reads as three elements: keep it.
    if (parent.type === 'list_expression' && inner.type === 'select_expression')
      return fixIf(isSelectWithoutDefault(inner));
    return fixIf(atom);
  }
  return false;
}

const SAFE_BEFORE = /[\s([{;=!]/;
const SAFE_AFTER = /[\s)\]};,]/;

/** Removes the parenthesis characters of `parens` from `outer`'s text, keeping tokens apart. */
function unwrap(source: string, outer: Node, parens: Node[], afterDotOk: boolean): Fix {
  const drop = new Set<number>();
  for (const p of parens) {
    drop.add(p.startIndex);
    drop.add(p.endIndex - 1);
  }
  let text = '';
  for (let i = outer.startIndex; i < outer.endIndex; i++) if (!drop.has(i)) text += source[i];
  text = text.trim();
  const before = source[outer.startIndex - 1];
  const beforeMinus =
    before === '-' && (outer.startIndex < 2 || SAFE_BEFORE.test(source[outer.startIndex - 2] ?? ''));
  if (before !== undefined && !SAFE_BEFORE.test(before) && !beforeMinus) text = ` ${text}`;
  const after = source[outer.endIndex];
  if (after !== undefined && !SAFE_AFTER.test(after) && !(after === '.' && afterDotOk)) text = `${text} `;
  return { start: outer.startIndex, end: outer.endIndex, text };
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Parentheses that change nothing: around a whole binding value, an atom, or doubled.',
      why: 'Extra parentheses make the reader look for a precedence problem that is not there. They are removed only where Nix provably parses the same without them.',
      bad: '{ networking.hostName = ("web1"); environment.systemPackages = [ (pkgs.git) ]; x = ((y)); }',
      good: '{ networking.hostName = "web1"; environment.systemPackages = [ pkgs.git ]; x = y; }',
      certainty: 'Style: the code works as written.',
    },
    messages: {
      unnecessary: 'Parentheses around `{{text}}` are not needed here: remove them.',
      double: 'Double parentheses around `{{text}}`: one pair is enough.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
    hasSuggestions: true,
  },
  create(context) {
    const source = context.file.source;
    return {
      parenthesized_expression(node) {
        // A chain `((x))` is judged once, from its outermost pair.
        if (node.parent?.type === 'parenthesized_expression') return;
        const chain: Node[] = [node];
        let inner = node.childForFieldName('expression');
        while (inner?.type === 'parenthesized_expression') {
          chain.push(inner);
          inner = inner.childForFieldName('expression');
        }
        if (!inner) return;
        // Comments inside the parentheses could swallow a following token once they are gone.
        const commented = chain.some((p) => p.namedChildren.some((c) => c?.type === 'comment'));
        const afterDotOk = node.parent?.type === 'select_expression';
        const verdict = bareIsSafe(inner, node, source);
        if (verdict) {
          const fix = unwrap(source, node, chain, afterDotOk);
          context.report({
            node,
            messageId: chain.length > 1 ? 'double' : 'unnecessary',
            data: { text: short(inner.text) },
            ...(commented
              ? {}
              : verdict === 'fix'
                ? { fix }
                : {
                    suggest: [{ message: 'Remove the parentheses (same value, different parse tree).', fix }],
                  }),
          });
        } else if (chain.length > 1) {
          context.report({
            node,
            messageId: 'double',
            data: { text: short(inner.text) },
            ...(commented ? {} : { fix: unwrap(source, node, chain.slice(0, -1), true) }),
          });
        }
      },
    };
  },
};

export default rule;
