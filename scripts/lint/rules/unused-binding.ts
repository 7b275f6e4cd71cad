import type { Node } from 'web-tree-sitter';
import { removeStatement, removeWord } from '../../nix-ast/edits.js';
import { analyzeScopes, type Binding } from '../../nix-ast/scopes.js';
import type { Fix, Rule } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description:
        'A `let` binding (including a name brought in by `inherit` in a `let`) that nothing uses. Names starting with `_` are ignored.',
      why: 'Dead bindings are left-overs: a reader has to check each one, and they hide the binding that was meant to be used (often a typo in the name that is used). Removing one is always safe in Nix: a `let` name is visible only lexically and is never evaluated unless referenced. A binding used only by itself (`let f = x: f x;`) counts as unused. deadnix reports the same bindings, but also `_`-prefixed ones unless given `--no-underscore`.',
      bad: 'let\n  cfg = config.services.web;\n  port = 8080;\nin {\n  networking.firewall.allowedTCPPorts = [ cfg.port ];\n}',
      good: 'let\n  cfg = config.services.web;\nin {\n  networking.firewall.allowedTCPPorts = [ cfg.port ];\n}',
      certainty: 'Style: the code works as written.',
    },
    messages: {
      unused: '`{{name}}` is bound by `let` but never used.',
    },
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: 'code',
  },
  create(context) {
    return {
      Program() {
        const { source, tree } = context.file;
        const scopes = analyzeScopes(tree);
        const unused = new Set<Binding>();
        for (const b of scopes.bindings) {
          if (b.kind !== 'let' || b.name.startsWith('_') || scopes.isUsed(b)) continue;
          // In the old `let { …; body = …; }` form, `body` is the value of the whole expression.
          if (b.name === 'body' && b.scope.node.type === 'let_attrset_expression') continue;
          unused.add(b);
        }
        const unusedIds = new Set([...unused].filter((b) => b.more.length === 0).map((b) => b.identifier.id));
        for (const b of unused) {
          context.report({
            node: b.identifier,
            messageId: 'unused',
            data: { name: b.name },
            ...removal(b, unusedIds, source),
          });
        }
      },
    };
  },
};

export default rule;

/** The safe removal of an unused binding, when there is one. */
function removal(b: Binding, unusedIds: Set<number>, source: string): { fix?: Fix } {
  // `let a.b = 1; a.c = 2;` spreads one name over several statements: leave that to a human.
  if (b.more.length > 0) return {};
  const d = b.declaration;
  if (d.type === 'binding') return { fix: removeStatement(source, d.startIndex, d.endIndex) };
  if (d.type !== 'inherit' && d.type !== 'inherit_from') return {};
  const names = (d.childForFieldName('attrs')?.namedChildren ?? []).filter(
    (n): n is Node => n !== null && n.type !== 'comment',
  );
  if (names.every((n) => unusedIds.has(n.id)))
    return { fix: removeStatement(source, d.startIndex, d.endIndex) };
  return { fix: removeWord(source, b.identifier.startIndex, b.identifier.endIndex) };
}
