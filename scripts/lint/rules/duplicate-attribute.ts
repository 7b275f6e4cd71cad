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
// Quoted keys are compared by their value, decoded by nix-ast/strings.ts as Nix decodes them:
//   { "a\${b}" = 1; "a$${b}" = 2; }        accepted: `\$` is `$`, but `$${` is text
//   { "\${x}" = 1; "$\{x}" = 2; }          rejected: both are `${x}`
//   { "a⟨CR LF⟩b" = 1; "a\nb" = 2; }        rejected: a raw CR LF in a string is LF
//   { ${''a''$''} = 1; "a$" = 2; }         accepted: three tokens, joined only at evaluation, so
//                                         the first key is dynamic (like every `"…${…}…"`)
import type { Node } from 'web-tree-sitter';
import { attrpathSegments, childOfType, formatPath, type PathSegment } from '../../nix-ast/attrpaths.js';
import { attrName, showAttrName } from '../../nix-ast/names.js';
import { nodesOfKinds, shareKinds } from '../../nix-ast/node-index.js';
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
      certainty:
        'Certain: Nix itself rejects the file ("attribute … already defined", "duplicate formal function argument"). Keys are compared as Nix decodes them; a key with an interpolation is never compared.',
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
    certainty: 'certain',
    schema: {
      type: 'object',
      properties: {
        reportMerges: {
          type: 'boolean',
          default: false,
          description:
            'Also report an attribute set defined in two parts that Nix merges (`a = { b = 1; }; a = { c = 2; };`), as a matter of style.',
        },
      },
      additionalProperties: false,
    },
  },
  create(context) {
    const reportMerges = context.options?.reportMerges === true;
    return {
      Program() {
        const source = context.file.source;
        const models = new Map<number, SetModel>();
        // One call collects every set, binding and formal in document order; nesting comes
        // from the ranges, and first keys from the source text. Only a set or formals list
        // whose first names repeat gets a closer look (rare: most sets pass in this scan).
        const { nodes, types, ends } = nodesOfKinds(context.file.tree, SCANNED);
        const typeNames = context.file.tree.language.types;
        const open: Scanned[] = [];
        const suspects: Scanned[] = [];
        const closeUntil = (offset: number) => {
          for (let top = open[open.length - 1]; top && top.end <= offset; top = open[open.length - 1]) {
            open.pop();
            if (top.all || top.repeated) suspects.push(top);
          }
        };
        for (let i = 0; i < nodes.length; i++) {
          const node = nodes[i] as Node;
          closeUntil(node.startIndex);
          const top = open[open.length - 1];
          switch (typeNames[types[i] as number]) {
            case 'binding_set':
              open.push({ node, end: ends[i] as number, ...fresh(), all: false });
              break;
            case 'formals':
              // With an `@` name next to the formals, let the exact check look.
              open.push({
                node,
                end: ends[i] as number,
                ...fresh(),
                all: hasAtName(source, node),
              });
              break;
            case 'binding':
            case 'formal':
              if (top) {
                count(top, identifierAt(source, node.startIndex));
                top.starts.push(node.startIndex);
              }
              break;
            case 'inherit':
            case 'inherit_from':
              if (top) {
                for (const name of inheritedNames(node)) {
                  count(top, name);
                  if (name !== undefined) top.inherited.push(name);
                }
              }
              break;
          }
        }
        closeUntil(Number.POSITIVE_INFINITY);
        // Outer sets first: merging an inner literal into an outer set reads (and checks) it.
        suspects.sort((a, b) => a.node.startIndex - b.node.startIndex);
        for (const s of suspects) {
          const owner = s.node.parent;
          if (!owner) continue;
          if (s.node.type === 'formals') checkArguments(owner, context);
          else if (!models.has(owner.id) && !(s.repeated && !s.all && pathsApart(source, s, s.repeated))) {
            buildSet(owner, models, context, reportMerges, s.all ? undefined : s.repeated);
          }
        }
      },
    };
  },
};

const SCANNED = ['binding_set', 'binding', 'inherit', 'inherit_from', 'formals', 'formal'];
shareKinds(SCANNED);

/** A binding set or formals list as the scan sees it. */
interface Scanned {
  node: Node;
  end: number;
  seen: Set<string>;
  repeated: Set<string> | undefined;
  /** A key the scan cannot name (a string, an interpolation): look at everything. */
  all: boolean;
  /** Where each binding (or formal) starts. */
  starts: number[];
  /** Names an `inherit` defines here. */
  inherited: string[];
}

function fresh(): Pick<Scanned, 'seen' | 'repeated' | 'starts' | 'inherited'> {
  return { seen: new Set(), repeated: undefined, starts: [], inherited: [] };
}

// A key Nix reads as itself: an identifier, or a string with no escape, interpolation or CR
// (Nix reads a CR or CR LF in a string as LF).
const KEY = `[A-Za-z_][A-Za-z0-9_'-]*|"[^"\\\\$\\r]*"`;
const WS = '[ \\t\\r\\n]*';
/**
 * A plain dotted path (keys, dots, whitespace) up to the binding's `=`, or up to a quoted
 * key that interpolates (group 2): Nix names nothing past such a key, so only the keys
 * before it count, as sets the path goes through.
 */
const PLAIN_PATH = new RegExp(
  `((?:${KEY})(?:${WS}\\.${WS}(?:${KEY}))*)${WS}(?:=|(\\.)${WS}"[^"\\\\$]*\\$\\{)`,
  'y',
);
const PLAIN_KEY = new RegExp(KEY, 'g');

/**
 * The common case of repeated first names, `a.b = …; a.c = …;`, settled from the source:
 * when every binding whose first name repeats has a plain path and no path equals another
 * or leads into another, Nix builds fresh sets along them and nothing at this level can
 * clash (attrset values are scanned as sets of their own). Anything else (an interpolated
 * or escaped key, a comment inside a path, an `inherit` of a repeated name) gets the model.
 */
function pathsApart(source: string, s: Scanned, repeated: Set<string>): boolean {
  if (s.inherited.some((name) => repeated.has(name))) return false;
  const paths = new Set<string>();
  const prefixes = new Set<string>();
  for (const start of s.starts) {
    if (!repeated.has(identifierAt(source, start) ?? '')) continue;
    PLAIN_PATH.lastIndex = start;
    const m = PLAIN_PATH.exec(source);
    if (!m) return false;
    // Keys joined by NUL, which no key read here contains: `"a"` and `a` are one name.
    let path = '';
    for (const key of (m[1] as string).match(PLAIN_KEY) ?? []) {
      if (path !== '') {
        if (paths.has(path)) return false;
        prefixes.add(path);
        path += '\0';
      }
      path += key.startsWith('"') ? key.slice(1, -1) : key;
    }
    if (paths.has(path)) return false;
    if (m[2]) prefixes.add(path);
    else if (prefixes.has(path)) return false;
    else paths.add(path);
  }
  return true;
}

function count(s: Scanned, name: string | undefined): void {
  if (name === undefined) s.all = true;
  else if (s.seen.has(name)) (s.repeated ??= new Set()).add(name);
  else s.seen.add(name);
}

/** `args@{ … }` or `{ … }@args` (whitespace allowed around the `@`). */
function hasAtName(source: string, formals: Node): boolean {
  let i = formals.endIndex;
  while (/\s/.test(source[i] ?? '')) i++;
  if (source[i] === '@') return true;
  let j = formals.startIndex - 1;
  while (j >= 0 && /\s/.test(source[j] as string)) j--;
  return source[j] === '@';
}

/** The names of an inherit; undefined entries for names that are not plain identifiers. */
function inheritedNames(node: Node): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const attr of node.childForFieldName('attrs')?.namedChildren ?? []) {
    if (!attr || attr.type === 'comment') continue;
    out.push(attr.type === 'identifier' ? attr.text : undefined);
  }
  return out;
}

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

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_'-]*/y;

function identifierAt(source: string, offset: number): string | undefined {
  IDENTIFIER.lastIndex = offset;
  return IDENTIFIER.exec(source)?.[0];
}

/** `{ a, a }:` and `a@{ a }:` are parse errors in Nix ("duplicate formal function argument"). */
function checkArguments(fn: Node, context: RuleContext): void {
  const formals = fn.childForFieldName('formals');
  if (!formals) return;
  const universal = fn.childForFieldName('universal');
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
