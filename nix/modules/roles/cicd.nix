# The tappaas-CICD server: the fleet repository over plain git + SSH, guarded by our
# pre-receive hook.
#
# Pushers log in as `git`, whose login shell is git-shell. Each key's authorized_keys line
# forces `tappaas git-shell --as <identity>`; sshd hands that to git-shell, which runs it from
# ~git/git-shell-commands/ (its only way to run anything but git's own transfers). Our command
# records the identity (TAPPAAS_PUSHER, read by the hook) and lets git-shell serve the client.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.tappaas.roles.cicd;
  home = "/var/lib/git";
  gitShell = "${pkgs.git}/bin/git-shell";
  # Same rule as `tappaas git-shell --as` applies to identities.
  validIdentity = id: builtins.match "[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}" id != null;
  keyLines = lib.concatLists (
    lib.mapAttrsToList (
      identity: map (key: ''command="tappaas git-shell --as ${identity}",restrict ${key}'')
    ) cfg.identities
  );
  hookArgs = [
    "hook"
    "install"
    cfg.repository
  ]
  ++ (
    if cfg.policyFile != null then
      [
        "--policy"
        (toString cfg.policyFile)
      ]
    else
      [
        "--policy-branch"
        cfg.policyBranch
      ]
  );
in
{
  options.tappaas.roles.cicd = {
    enable = lib.mkEnableOption "the tappaas-CICD git server (fleet repository + pre-receive hook)";
    npmRegistry = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "https://npm.example.org";
      description = ''
        npm registry (or mirror) the toolkit's dependencies are downloaded from when it is
        built; package-lock.json pins each by its integrity hash. Needed unless `package` is set.
      '';
    };
    package = lib.mkOption {
      type = lib.types.package;
      default =
        if cfg.npmRegistry == null then
          throw "tappaas.roles.cicd: set tappaas.roles.cicd.npmRegistry (where npm packages are downloaded from) or tappaas.roles.cicd.package"
        else
          pkgs.callPackage ../../pkgs/tappaas-cicd.nix { inherit (cfg) npmRegistry; };
      defaultText = lib.literalExpression "pkgs.callPackage ../../pkgs/tappaas-cicd.nix { inherit (cfg) npmRegistry; }";
      description = "The tappaas-cicd toolkit (provides `tappaas`).";
    };
    repository = lib.mkOption {
      type = lib.types.str;
      default = "${home}/fleet.git";
      description = "Bare fleet repository; clone it as `git@<server>:${home}/fleet.git`.";
    };
    identities = lib.mkOption {
      type = lib.types.attrsOf (lib.types.listOf lib.types.str);
      default = { };
      example = {
        alice = [ "ssh-ed25519 AAAA… alice@laptop" ];
        tappaas-registration = [ "ssh-ed25519 AAAA… registration@template" ];
      };
      description = ''
        SSH public keys allowed to use the repository, by the identity the hook sees
        (`policy` in tappaas.json names these identities: admins, CI, registration keys).
      '';
    };
    policyFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      description = ''
        Server-side policy (a tappaas.json) for `tappaas hook install --policy`; by default the
        hook reads tappaas.json from `policyBranch` as it was before each push.
      '';
    };
    policyBranch = lib.mkOption {
      type = lib.types.str;
      default = "main";
      description = ''
        The branch whose tappaas.json is the policy (`tappaas hook install --policy-branch`),
        fixed here rather than taken from the repository's HEAD; the hook always protects it.
        Unused when `policyFile` is set.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = map (identity: {
      assertion = validIdentity identity;
      message = "tappaas.roles.cicd.identities: \"${identity}\" is not a valid identity (letters, digits, . _ @ + -)";
    }) (builtins.attrNames cfg.identities);

    users.users.git = {
      isSystemUser = true;
      group = "git";
      inherit home;
      createHome = true;
      shell = gitShell;
      openssh.authorizedKeys.keys = keyLines;
    };
    users.groups.git = { };
    environment.shells = [ gitShell ];
    environment.systemPackages = [
      cfg.package
      pkgs.git
    ];

    # git-shell runs only commands found here; `tappaas` is the one we force.
    systemd.tmpfiles.rules = [
      "d ${home}/git-shell-commands 0755 root root -"
      "L+ ${home}/git-shell-commands/tappaas - - - - ${lib.getExe cfg.package}"
    ];

    # Creates the bare repository once and (re)installs our hook: on every boot and whenever
    # the toolkit changes (the unit's command changes with it, so activation restarts it).
    # `tappaas hook install` replaces only its own hook, so running it again is harmless.
    systemd.services.tappaas-repository = {
      description = "Fleet repository with the tappaas pre-receive hook";
      wantedBy = [ "multi-user.target" ];
      after = [ "systemd-tmpfiles-setup.service" ];
      path = [ pkgs.git ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        User = "git";
        Group = "git";
      };
      script = ''
        if [ ! -e ${lib.escapeShellArg cfg.repository}/HEAD ]; then
          git init --quiet --bare --initial-branch=main ${lib.escapeShellArg cfg.repository}
        fi
        exec ${lib.escapeShellArgs ([ (lib.getExe cfg.package) ] ++ hookArgs)}
      '';
    };
  };
}
