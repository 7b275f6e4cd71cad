// Static names of attributes, the way Nix's parser sees them: `a`, `"a"`, `${"a"}` and
// `${("a")}` all name the attribute `a` (Nix folds an interpolation of a constant string into a
// static name; verified with nix-instantiate). Escapes are decoded by strings.ts.
import type { Node } from 'web-tree-sitter';
import { decodeString, stringValue } from './strings.js';

/** The static name of one attr of an attrpath or inherit, or undefined when it is dynamic. */
export function attrName(attr: Node): string | undefined {
  switch (attr.type) {
    case 'identifier':
      return attr.isMissing ? undefined : attr.text;
    case 'string_expression':
    case 'indented_string_expression':
      return stringValue(attr);
    case 'interpolation': {
      let inner = attr.childForFieldName('expression');
      // Nix's parser keeps no node for parentheses: `${("a")}` is `${"a"}`.
      while (inner?.type === 'parenthesized_expression') {
        inner = inner.namedChildren.find((c) => c?.type !== 'comment') ?? null;
      }
      const d = inner ? decodeString(inner) : undefined;
      // `${''a''$''}` is two constants joined at evaluation: Nix names it only then.
      return d?.constant ? d.text : undefined;
    }
    default:
      return undefined;
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_'-]*$/;
/** Words Nix reads as keywords where a name would stand (`or` is allowed as a name). */
const KEYWORDS = new Set(['assert', 'else', 'if', 'in', 'inherit', 'let', 'rec', 'then', 'with']);
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '${': '\\${',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * One attribute name as Nix would print it in a path: bare when it is an identifier, else a
 * Nix string literal (so the name `a${b}` shows as `"a\${b}"`, which is not an interpolation).
 */
export function showAttrName(name: string): string {
  if (IDENTIFIER.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replace(/[\\"\n\r\t]|\$\{/g, (m) => ESCAPES[m] as string)}"`;
}
