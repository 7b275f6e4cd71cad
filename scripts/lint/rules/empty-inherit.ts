import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'An `inherit` that names no attribute (`inherit;`, `inherit (x);`).',
      why: 'It defines nothing and Nix does not even evaluate `x` in `inherit (x);`, so it only misleads the reader; usually the names were removed and the keyword forgotten.',
      bad: '{ inherit (pkgs); networking.hostName = "web1"; }',
      good: '{ networking.hostName = "web1"; }',
      certainty: 'Style: Nix accepts it and it does nothing.',
    },
    messages: {
      empty: '`{{text}}` inherits nothing: remove it, or name the attributes to inherit.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
  },
  create(context) {
    const source = context.file.source;
    const check = (node: Node) => {
      const attrs = node.childForFieldName('attrs');
      // tree-sitter-nix has no rule for an empty inherit: it inserts a MISSING identifier
      // (nix-instantiate --parse accepts the file), so a missing name counts as none.
      const named = attrs?.namedChildren.filter((n) => n && !n.isMissing && n.type !== 'comment') ?? [];
      if (named.length > 0) return;
      if (attrs?.namedChildren.some((n) => n?.type === 'comment')) return;
      context.report({
        node,
        messageId: 'empty',
        data: { text: node.text.replace(/\s+/g, ' ') },
        fix: removalOf(source, node.startIndex, node.endIndex),
      });
    };
    return { inherit: check, inherit_from: check };
  },
};

/** Deletes [start, end) and, when that leaves the line blank, the whole line. */
function removalOf(source: string, start: number, end: number) {
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const nl = source.indexOf('\n', end);
  const lineEnd = nl === -1 ? source.length : nl;
  if (/^[ \t]*$/.test(source.slice(lineStart, start)) && /^[ \t]*$/.test(source.slice(end, lineEnd))) {
    return { start: lineStart, end: nl === -1 ? lineEnd : nl + 1, text: '' };
  }
  // Take the blanks after it too, so `{ inherit; a = 1; }` becomes `{ a = 1; }`.
  let e = end;
  while (e < lineEnd && (source[e] === ' ' || source[e] === '\t')) e++;
  return { start, end: e, text: '' };
}

export default rule;
