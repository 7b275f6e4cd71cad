// Static names of attributes and static values of string literals, the way Nix's parser
// sees them: `a`, `"a"` and `${"a"}` all name the attribute `a` (Nix folds an
// interpolation of a constant string into a static name; verified with nix-instantiate).
import type { Node } from 'web-tree-sitter';

/** The static name of one attr of an attrpath or inherit, or undefined when it is dynamic. */
export function attrName(attr: Node): string | undefined {
  switch (attr.type) {
    case 'identifier':
      return attr.isMissing ? undefined : attr.text;
    case 'string_expression':
    case 'indented_string_expression':
      return stringValue(attr);
    case 'interpolation': {
      const inner = attr.childForFieldName('expression');
      if (!inner) return undefined;
      if (inner.type === 'string_expression' || inner.type === 'indented_string_expression') {
        return stringValue(inner);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

/**
 * The value of a string literal without interpolation, escapes decoded; undefined when it
 * interpolates. Multi-line indented strings are not dedented here, so they count as
 * dynamic (no attribute name in real code is one).
 */
export function stringValue(node: Node): string | undefined {
  const indented = node.type === 'indented_string_expression';
  if (!indented && node.type !== 'string_expression') return undefined;
  let out = '';
  for (const part of node.namedChildren) {
    if (!part) continue;
    const text = part.text;
    switch (part.type) {
      case 'string_fragment':
        out += text;
        break;
      case 'escape_sequence': {
        // "\x" in double-quoted strings; "''\x" and "'''" in indented ones.
        if (indented && text === "'''") out += "''";
        else {
          const c = text.slice(indented ? 3 : 1);
          out += SIMPLE_ESCAPES[c] ?? c;
        }
        break;
      }
      case 'dollar_escape':
        out += '$';
        break;
      default:
        return undefined;
    }
  }
  if (indented && out.includes('\n')) return undefined;
  return out;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** One attribute name as Nix would print it in a path: bare when it is an identifier, quoted otherwise. */
export function showAttrName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}
