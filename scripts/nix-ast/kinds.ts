// The named node kinds of tree-sitter-nix (the grammar shipped as a .wasm), so rules can
// dispatch on a closed set and a typo is a type error.
export const NODE_KINDS = [
  'source_code',
  'comment',
  'identifier',
  'keyword',
  'integer_expression',
  'float_expression',
  'path_expression',
  'hpath_expression',
  'spath_expression',
  'uri_expression',
  'path_fragment',
  'string_expression',
  'indented_string_expression',
  'string_fragment',
  'escape_sequence',
  'dollar_escape',
  'interpolation',
  'variable_expression',
  'function_expression',
  'formals',
  'formal',
  'ellipses',
  'assert_expression',
  'with_expression',
  'let_expression',
  'if_expression',
  'has_attr_expression',
  'unary_expression',
  'binary_expression',
  'apply_expression',
  'select_expression',
  'parenthesized_expression',
  'attrset_expression',
  'let_attrset_expression',
  'rec_attrset_expression',
  'binding_set',
  'binding',
  'inherit',
  'inherit_from',
  'attrpath',
  'inherited_attrs',
  'list_expression',
  'ERROR',
] as const;

export type NodeKind = (typeof NODE_KINDS)[number];

export function isNodeKind(type: string): type is NodeKind {
  return (NODE_KINDS as readonly string[]).includes(type);
}
