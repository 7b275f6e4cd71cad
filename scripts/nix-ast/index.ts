// The public surface of the Nix AST layer: parse once, then ask for ranges, scopes,
// attribute paths and module facts. Analyses are memoized per parsed tree.
export {
  type AttrDefinition,
  attrpathSegments,
  attrsetDefinitions,
  type DefinitionOptions,
  formatPath,
  type PathSegment,
  staticPath,
  unwrapValue,
  unwrapWrappers,
  type Wrapper,
  type WrapperCall,
  type WrapperName,
  wrappedValues,
  wrapperCall,
} from './attrpaths.js';
export { isGlobalName } from './builtins.js';
export { definitionPath } from './definition-path.js';
export type { NixFile } from './file.js';
export { keyBindings } from './key-bindings.js';
export { isNodeKind, NODE_KINDS, type NodeKind } from './kinds.js';
export {
  analyzeModule,
  EXPLICIT_ALLOWED,
  inlineModules,
  MODULE_ARGS,
  type ModuleArg,
  type ModuleInfo,
  moduleFunctionOf,
  moduleInfo,
  SHORTHAND_RESERVED,
} from './module.js';
export { attrName, showAttrName } from './names.js';
export { nixParser, parseNix } from './parser.js';
export { offsetToLineColumn, pointToLineColumn, rangeOf, rangeOfOffsets, type SourceRange } from './range.js';
export {
  analyzeScopes,
  type Binding,
  type BindingKind,
  type Declaration,
  type Reference,
  type Resolution,
  type Scope,
  type ScopeAnalysis,
  type ScopeKind,
} from './scopes.js';
export { type DecodedString, decodeString, INTERPOLATION, stringValue } from './strings.js';
