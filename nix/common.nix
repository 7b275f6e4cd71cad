# Shared by every host of the fleet.
{ hostName, ... }:
let
  keys = import ./keys.nix;
in
{
  networking.hostName = hostName;
  networking.firewall.enable = true;

  i18n.defaultLocale = "en_US.UTF-8";
  time.timeZone = "Europe/Amsterdam";

  nix.settings = {
    experimental-features = [
      "nix-command"
      "flakes"
    ];
    trusted-users = [ "root" ];
  };

  services.openssh = {
    enable = true;
    settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      PermitRootLogin = "prohibit-password";
    };
  };

  services.qemuGuest.enable = true;

  users.users.tappaas = {
    isNormalUser = true;
    # No "docker" group: no host runs Docker.
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = keys.admins;
  };
  users.users.root.openssh.authorizedKeys.keys = keys.deploy;
  security.sudo.wheelNeedsPassword = false;

  # The release this fleet was first installed with; never change it on a running host.
  system.stateVersion = "25.05";
}
