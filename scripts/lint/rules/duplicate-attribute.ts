// Duplicate attributes, decided the way Nix's parser decides them (its `addAttr`), so the
// rule reports exactly the files Nix refuses to parse. Facts checked with
// `nix-instantiate --eval --strict -E` (Nix 2.8):
//   { a.b = 1; a.c = 2; }                 accepted: paths build one nested set
//   { a = { b = 1; }; a.c = 2; }          accepted: a path extends an attrset literal
//   { a = { b = 1; }; a = { c = 2; }; }   accepted: two literals merge (top-level keys only)
//   { a = { b = 1; }; a = { b = 2; }; }   rejected: `b` in both literals
//   { a.b = 1; a = { b = 2; }; }          rejected: `a.b` twice
//   { a = 1; a.c = 2; }                   rejected: `a` is not an attrset literal
//   { a = let … in { }; a.c = 2; }        rejected: only literals (and parentheses) merge
//   { a = { b.c = 1; }; a = { b.d = 2; }; }  rejected: merging is not recursive
//   { inherit a; a = 1; }, { "a" = 1; a = 2; }, { ${"a"} = 1; a = 2; }  rejected
//   { a = rec { … }; a.c = 2; }           accepted; but `{ a.c = 2; a = rec { b = 1; c2 = b; }; }`
//                                         fails (`b` undefined): the merge drops `rec`. Lix
//                                         rejects such merges at parse time.
import type { Node } from 'web-tree-sitter';
import { attrpathSegments, childOfType, formatPath, type PathSegment } from '../../nix-ast/attrpaths.js';
import { attrName, showAttrName } from '../../nix-ast/names.js';
import { rangeOf, type SourceRange } from '../../nix-ast/range.js';
import type { Rule, RuleContext } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'An attribute defined twice in one attribute set, `let` or `rec`, in any spelling (`a.b = …` and `a = { b = …; }`, `inherit a` and `a = …`, `"a"` and `a`), or a function argument named twice.',
      why: 'Nix refuses to evaluate the file ("attribute \'a.b\' already defined"), so the host cannot be built. The rule follows Nix exactly: `a.b = 1; a.c = 2;` and `a = { b = 1; }; a.c = 2;` are fine (Nix merges paths into attrset literals, and two literals `a = {…}; a = {…};` with different keys); a key in both literals, a path into a value that is not an attrset literal, or an `inherit` next to a definition of the same name is rejected. A `rec` set merged with a plain one is reported too: the merge silently drops `rec` in one order (Nix then fails with "undefined variable") and Lix rejects it.',
      bad: '{\n  services.openssh.enable = true;\n  services.openssh = { enable = false; };\n}',
      good: '{\n  services.openssh = {\n    enable = true;\n    ports = [ 22 ];\n  };\n}',
    },
    messages: {
      duplicate: '`{{path}}` is already defined on line {{line}}; Nix rejects a second definition.',
      notASet:
        '`{{path}}` extends `{{prefix}}`, which line {{line}} defines with a value Nix cannot extend (only attribute set literals merge); Nix rejects this.',
      duplicateArgument: 'Function argument `{{name}}` is already named on line {{line}}; Nix rejects this.',
      recMerge:
        '`{{path}}` merges a `rec` attribute set with a plain one (other part on line {{line}}): one order drops `rec` silently, and Lix rejects it.',
      merged:
        '`{{path}}` is defined again as a separate attribute set (first on line {{line}}); Nix merges them, but one definition is easier to read.',
    },
    defaultLevel: 'error',
  },
  create(context) {
    const reportMerges = context.options?.reportMerges === true;
    const models = new Map<number, SetModel>();
    const visit = (node: Node) => {
      // Reached by the walk (outer sets come first): no parent needs this set's contents.
      if (models.has(node.id)) return;
      const set = childOfType(node, 'binding_set');
      if (!set) return;
      const risky = repeatedFirstNames(set, context.file.source);
      if (risky === 'none') return;
      buildSet(node, models, context, reportMerges, risky === 'all' ? undefined : risky);
    };
    return {
      attrset_expression: visit,
      rec_attrset_expression: visit,
      let_expression: visit,
      let_attrset_expression: visit,
      function_expression(node) {
        checkArguments(node, context);
      },
    };
  },
};

export default rule;

/** What Nix's parser knows about one attribute of a set while it reads the bindings. */
interface Entry {
  /** The attr node that first defined it. */
  node: Node;
  /** Set when the value is an attribute set Nix can extend: a literal, or one a path created. */
  set: SetModel | undefined;
  inherited: boolean;
}

interface SetModel {
  attrs: Map<string, Entry>;
  rec: boolean;
}

const line = (n: Node) => n.startPosition.row + 1;

function spanOf(from: Node, to: Node): SourceRange {
  const a = rangeOf(from);
  const b = rangeOf(to);
  return { line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}

function unparen(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
    if (!inner) break;
    n = inner;
  }
  return n;
}

/** Reads one attrset / let / rec like Nix's parser, reporting what it would reject. Memoized per node. */
function buildSet(
  node: Node,
  models: Map<number, SetModel>,
  context: RuleContext,
  reportMerges: boolean,
  /** Only the bindings whose first key is one of these (the rest cannot clash). */
  only?: Set<string>,
): SetModel {
  const known = models.get(node.id);
  if (known) return known;
  const model: SetModel = { attrs: new Map(), rec: node.type === 'rec_attrset_expression' };
  models.set(node.id, model);
  const set = childOfType(node, 'binding_set');
  if (!set) return model;
  for (const b of set.namedChildren) {
    if (!b) continue;
    if (b.type === 'binding') {
      if (only && !only.has(identifierAt(context.file.source, b.startIndex) ?? '')) continue;
      const attrpath = b.childForFieldName('attrpath');
      const value = b.childForFieldName('expression');
      if (attrpath && value) addAttr(model, attrpathSegments(attrpath), attrpath, value);
    } else if (b.type === 'inherit' || b.type === 'inherit_from') {
      const attrs = b.childForFieldName('attrs');
      for (const attr of attrs?.namedChildren ?? []) {
        const name = attr ? attrName(attr) : undefined;
        if (!attr || name === undefined || (only && !only.has(name))) continue;
        const prior = model.attrs.get(name);
        if (prior) {
          context.report({
            node: attr,
            messageId: 'duplicate',
            data: { path: showAttrName(name), line: line(prior.node) },
          });
        } else model.attrs.set(name, { node: attr, set: undefined, inherited: true });
      }
    }
  }
  return model;

  function addAttr(root: SetModel, segments: PathSegment[], attrpath: Node, value: Node): void {
    let attrs = root;
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i] as PathSegment;
      // A dynamic key makes a fresh set that nothing else can name.
      if (seg.name === undefined) return;
      const e = attrs.attrs.get(seg.name);
      if (!e) {
        const nested: SetModel = { attrs: new Map(), rec: false };
        attrs.attrs.set(seg.name, { node: seg.node, set: nested, inherited: false });
        attrs = nested;
        continue;
      }
      if (e.inherited || !e.set) {
        context.report({
          range: spanOf(segments[0]?.node as Node, seg.node),
          messageId: 'notASet',
          data: {
            path: formatPath(segments),
            prefix: formatPath(segments.slice(0, i + 1)),
            line: line(e.node),
          },
        });
        return;
      }
      attrs = e.set;
    }
    const last = segments[segments.length - 1];
    if (!last || last.name === undefined) return;
    const literal = unparen(value);
    const valueSet =
      literal.type === 'attrset_expression' || literal.type === 'rec_attrset_expression'
        ? buildSet(literal, models, context, reportMerges)
        : undefined;
    const e = attrs.attrs.get(last.name);
    if (!e) {
      attrs.attrs.set(last.name, { node: last.node, set: valueSet, inherited: false });
      return;
    }
    if (!e.set || e.inherited || !valueSet) {
      context.report({
        node: attrpath,
        messageId: 'duplicate',
        data: { path: formatPath(segments), line: line(e.node) },
      });
      return;
    }
    // Two attrset literals (or a path-made set and a literal): Nix merges their top-level keys.
    const path = formatPath(segments);
    if (e.set.rec !== valueSet.rec) {
      context.report({ node: attrpath, messageId: 'recMerge', data: { path, line: line(e.node) } });
    } else if (reportMerges) {
      context.report({ node: attrpath, messageId: 'merged', data: { path, line: line(e.node) } });
    }
    for (const [name, entry] of valueSet.attrs) {
      const prior = e.set.attrs.get(name);
      if (prior) {
        context.report({
          node: entry.node,
          messageId: 'duplicate',
          data: { path: `${path}.${showAttrName(name)}`, line: line(prior.node) },
        });
      } else e.set.attrs.set(name, entry);
    }
  }
}

/**
 * The first names (of attrpaths and inherits) that appear more than once: only bindings
 * starting with one of them can clash ('none' is the common case; nested literals are
 * checked when the walk reaches them). 'all' when a first key is a string or interpolation,
 * which may spell any name.
 */
function repeatedFirstNames(set: Node, source: string): Set<string> | 'none' | 'all' {
  const seen = new Set<string>();
  let repeated: Set<string> | undefined;
  const count = (name: string) => {
    if (seen.has(name)) (repeated ??= new Set()).add(name);
    else seen.add(name);
  };
  for (const b of set.namedChildren) {
    if (!b) continue;
    if (b.type === 'binding') {
      // A binding starts with its first key: read it from the source instead of asking the
      // tree for two more nodes.
      const name = identifierAt(source, b.startIndex);
      if (name === undefined) return 'all';
      count(name);
    } else if (b.type === 'inherit' || b.type === 'inherit_from') {
      for (const attr of b.childForFieldName('attrs')?.namedChildren ?? []) {
        if (!attr || attr.type === 'comment') continue;
        if (attr.type !== 'identifier') return 'all';
        count(attr.text);
      }
    }
  }
  return repeated ?? 'none';
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_'-]*/y;

function identifierAt(source: string, offset: number): string | undefined {
  IDENTIFIER.lastIndex = offset;
  return IDENTIFIER.exec(source)?.[0];
}

/** `{ a, a }:` and `a@{ a }:` are parse errors in Nix ("duplicate formal function argument"). */
function checkArguments(fn: Node, context: RuleContext): void {
  const formals = fn.childForFieldName('formals');
  if (!formals) return;
  const source = context.file.source;
  // Cheap pass first: a formal starts with its name.
  const texts = new Set<string>();
  let clash = false;
  for (const formal of formals.namedChildren) {
    if (formal?.type !== 'formal') continue;
    const name = identifierAt(source, formal.startIndex);
    if (name === undefined) continue;
    if (texts.has(name)) clash = true;
    texts.add(name);
  }
  const universal = fn.childForFieldName('universal');
  if (universal && texts.has(universal.text)) clash = true;
  if (!clash) return;
  const seen = new Map<string, Node>();
  const names: Node[] = [];
  for (const formal of formals.namedChildren) {
    const name = formal?.type === 'formal' ? formal.childForFieldName('name') : null;
    if (name && !name.isMissing) names.push(name);
  }
  // The `@` name may come first or last in the source; report whichever is later.
  if (universal && !universal.isMissing) names.push(universal);
  names.sort((a, b) => a.startIndex - b.startIndex);
  for (const name of names) {
    const prior = seen.get(name.text);
    if (prior) {
      context.report({
        node: name,
        messageId: 'duplicateArgument',
        data: { name: name.text, line: line(prior) },
      });
    } else seen.set(name.text, name);
  }
}
