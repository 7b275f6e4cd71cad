// The Nix function `tappaas options-index` applies to a host's `options` (`nix eval --json
// --apply`): every option path of the host in one evaluation. Kept as a string so that the
// bundled CLI needs no file beside it.
export const WALK_OPTIONS_NIX = `# Applied to a host's \`options\` by \`nix eval --json --apply\`: every option path of the host,
# in one evaluation. Follows nixpkgs' optionAttrSetToDocList: a leaf is an attrset with
# \`_type = "option"\`; an option whose type has sub-options (submodule, attrsOf submodule,
# listOf submodule) is descended through \`type.getSubOptions []\`, whose options carry their
# \`loc\` relative to the parent, so \`<name>\`/\`*\` placeholders come from the type itself.
# Uses builtins only: the flake may have no nixpkgs \`lib\` to lend.
#
# Output: { options = [ { p = [ "a" "b" ]; c = true; } … ]; errors = [ [ "a" ] … ]; }
#   p: the option's path; c: closed, i.e. it has sub-options and no freeform type, so only
#   those may be defined below it (an option without sub-options takes any value below it).
#   errors: paths whose evaluation threw (tryEval); they are treated as open.
options:
let
  # Submodules nested deeper than this are taken as open (a recursive type would never end).
  maxNesting = 6;
  try = v: let r = builtins.tryEval v; in if r.success then r else { success = false; value = null; };
  isOption = v: (try (builtins.isAttrs v && (v._type or null) == "option")).value == true;
  isStringList = l: builtins.isList l && builtins.all builtins.isString l;

  # The options under \`set\`, at \`prefix\`; \`base\` is the path of the submodule option they
  # belong to (their \`loc\` is relative to it), \`nesting\` counts submodules entered so far.
  walkSet = base: prefix: set: nesting:
    builtins.concatMap (
      name:
      let
        r = try set.\${name};
        v = r.value;
        here = prefix ++ [ name ];
      in
      if !r.success then [ { e = here; } ]
      # The sub-options of a submodule repeat \`_module\` (args, check, freeformType): nothing a
      # fleet defines below a submodule.
      else if nesting > 0 && name == "_module" then [ ]
      else if isOption v then walkOption base here v nesting
      else if (try (builtins.isAttrs v)).value == true then walkSet base here v nesting
      else [ ]
    ) (builtins.attrNames set);

  walkOption = base: here: opt: nesting:
    let
      # Under a submodule \`loc\` is relative to it and holds the placeholders (\`<name>\`).
      locR = try (if nesting > 0 && isStringList opt.loc then base ++ opt.loc else here);
      path = if locR.success then locR.value else here;
      shallow = (try (opt.visible or true == "shallow")).value == true;
      subR = try (
        let t = opt.type or { }; in
        if builtins.isAttrs t && t ? getSubOptions then t.getSubOptions [ ] else { }
      );
      sub = subR.value;
      hasSub = subR.success && builtins.isAttrs sub && builtins.attrNames (removeAttrs sub [ "_module" "_freeformOptions" ]) != [ ];
      freeform = subR.success && builtins.isAttrs sub && sub ? _freeformOptions;
      descend = hasSub && !shallow && nesting < maxNesting;
      # The parent of the sub-options: this option's path, so relative locs append to it.
      children = if descend then walkSet path path (removeAttrs sub [ "_freeformOptions" ]) (nesting + 1) else [ ];
      childrenR = try (builtins.deepSeq children children);
    in
    if !subR.success then [ { p = path; c = false; } { e = path; } ]
    else if !childrenR.success then [ { p = path; c = false; } { e = path; } ]
    else [ { p = path; c = descend && !freeform; } ] ++ childrenR.value;

  entries = walkSet [ ] [ ] options 0;
in
{
  options = builtins.map (e: { inherit (e) p c; }) (builtins.filter (e: e ? p) entries);
  errors = builtins.map (e: e.e) (builtins.filter (e: e ? e) entries);
}
`;
