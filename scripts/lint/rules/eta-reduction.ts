import type { Rule } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'A function that only passes its argument on: `x: f x` is `f`.',
      why: 'The wrapper adds a name and a level of indirection for nothing. It is offered, not applied: the two differ in strictness (`x: f x` is already a function even when `f` would fail) and in `builtins.functionArgs` when `f` takes a set pattern, which the module system and `callPackage` look at.',
      bad: 'map (p: toString p) paths',
      good: 'map toString paths',
      certainty: 'Style: the code works as written.',
    },
    messages: {
      reducible: '`{{lambda}}` only passes its argument on: use `{{fn}}`.',
    },
    defaultLevel: 'info',
    certainty: 'style',
    hasSuggestions: true,
  },
  create(context) {
    return {
      function_expression(node) {
        const param = node.childForFieldName('universal');
        if (!param || node.childForFieldName('formals')) return;
        const body = node.childForFieldName('body');
        if (body?.type !== 'apply_expression') return;
        const arg = body.childForFieldName('argument');
        const fn = body.childForFieldName('function');
        if (!fn || arg?.type !== 'variable_expression' || arg.text !== param.text) return;
        // `x: f x x` or `x: x.f x` use the argument elsewhere: not an eta-redex. A shadowing
        // binding inside `f` could make this more precise; refusing is the safe side.
        if (fn.descendantsOfType('variable_expression').some((v) => v?.text === param.text)) return;
        if (fn.descendantsOfType('comment').length > 0) return;
        const short = (t: string) => (t.length > 40 ? `${t.slice(0, 37)}...` : t).replace(/\s+/g, ' ');
        context.report({
          node,
          messageId: 'reducible',
          data: { lambda: short(node.text), fn: short(fn.text) },
          suggest: [
            {
              message: `Replace with \`${short(fn.text)}\` (strictness and functionArgs may differ).`,
              fix: { start: node.startIndex, end: node.endIndex, text: fn.text },
            },
          ],
        });
      },
    };
  },
};

export default rule;
