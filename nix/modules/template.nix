# The VM template (Proxmox VM 8100) that new fleet VMs are cloned from: cloud-init, the QEMU
# guest agent, a serial console, and first-boot self-registration. A clone gets its name and
# role from its cloud-init user-data (Proxmox `cicustom`), e.g.
#   #cloud-config
#   hostname: web1
#   tappaas_role: open-webui
#   tappaas_vmid: 8101
# then pushes its hardware config and facts to `registration/<hostname>` of the fleet
# repository (first-boot/register.sh); CI turns that branch into an onboarding pull request.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.tappaas.template;
  register = pkgs.writeShellApplication {
    name = "tappaas-register";
    runtimeInputs = [
      pkgs.coreutils
      pkgs.gawk
      pkgs.gnugrep
      pkgs.gnused
      pkgs.jq
      pkgs.git
      pkgs.openssh
      pkgs.util-linux
      config.system.build.nixos-generate-config
    ];
    # The repository copy starts with a shebang so it runs as is; writeShellApplication writes its own.
    text = lib.removePrefix "#!/usr/bin/env bash\n" (builtins.readFile ./first-boot/register.sh);
  };
in
{
  options.tappaas.template = {
    enable = lib.mkEnableOption "the fleet's VM template (cloud-init, guest agent, first-boot registration)";
    repoUrl = lib.mkOption {
      type = lib.types.str;
      example = "ssh://git@tappaas-cicd/var/lib/git/fleet.git";
      description = "The fleet repository a new VM clones and pushes its registration to.";
    };
    mainBranch = lib.mkOption {
      type = lib.types.str;
      default = "main";
      description = "The branch a registration is based on.";
    };
    registrationKeyFile = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/tappaas/registration-key";
      description = ''
        Private SSH key the VM pushes its registration with (the server maps it to a
        registration identity). Put it into the template by hand before converting it: never
        through Nix, which would copy it into the world-readable store.
      '';
    };
    serverHostKey = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "tappaas-cicd ssh-ed25519 AAAA…";
      description = ''
        known_hosts line of the git server; when set, the VM talks to no other server. When
        null, the first key seen is trusted and kept.
      '';
    };
    attempts = lib.mkOption {
      type = lib.types.ints.positive;
      default = 10;
      description = "Push attempts before the service gives up until the next boot.";
    };
    backoffSeconds = lib.mkOption {
      type = lib.types.ints.positive;
      default = 5;
      description = "Wait after the first failed attempt; doubled after each one, at most 300 s.";
    };
    toolkitVersion = lib.mkOption {
      type = lib.types.str;
      default = (lib.importJSON ../../package.json).version;
      defaultText = lib.literalExpression "(lib.importJSON ../../package.json).version";
      description = "Recorded in each registration as `toolkitVersion`.";
    };
  };

  config = lib.mkIf cfg.enable {
    # The clone's name comes from cloud-init, not from this configuration.
    networking.hostName = lib.mkForce "";
    # cloud-init names the clone and refreshes its SSH host keys; DHCP stays NixOS's.
    services.cloud-init.enable = true;
    services.qemuGuest.enable = true;

    # Proxmox `serial0: socket` + `vga: serial0`: kernel, systemd and a login on ttyS0.
    boot.kernelParams = [
      "console=tty1"
      "console=ttyS0,115200"
    ];
    systemd.services."serial-getty@ttyS0" = {
      enable = true;
      wantedBy = [ "getty.target" ];
    };

    environment.etc."tappaas/known_hosts" = lib.mkIf (cfg.serverHostKey != null) {
      text = "${cfg.serverHostKey}\n";
    };

    # Runs on every boot; after the first success its marker makes it a no-op until the
    # hardware or facts change. The clone of the fleet repository lives in its state directory.
    systemd.services.tappaas-register = {
      description = "Register this VM with the fleet repository (first boot)";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [
        "network-online.target"
        "cloud-init.service"
        "cloud-config.service"
        "cloud-final.service"
        "sshd.service"
      ];
      environment = {
        TAPPAAS_REPO_URL = cfg.repoUrl;
        TAPPAAS_MAIN_BRANCH = cfg.mainBranch;
        TAPPAAS_REGISTRATION_KEY = cfg.registrationKeyFile;
        TAPPAAS_VERSION = cfg.toolkitVersion;
        TAPPAAS_ATTEMPTS = toString cfg.attempts;
        TAPPAAS_BACKOFF_SECONDS = toString cfg.backoffSeconds;
      };
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = lib.getExe register;
        StateDirectory = "tappaas";
        StateDirectoryMode = "0700";
        # Backoff through every attempt is about 20 minutes at the defaults.
        TimeoutStartSec = "1h";
      };
    };
  };
}
