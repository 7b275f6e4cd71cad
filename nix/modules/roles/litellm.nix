# LiteLLM API gateway, through the NixOS module nixpkgs ships (services.litellm).
{
  config,
  lib,
  ...
}:
let
  cfg = config.tappaas.roles.litellm;
in
{
  options.tappaas.roles.litellm = {
    enable = lib.mkEnableOption "the LiteLLM API gateway";
    port = lib.mkOption {
      type = lib.types.port;
      default = 4000;
      description = "TCP port; the health check probes http://<host>:<port>/health/liveliness.";
    };
    models = lib.mkOption {
      type = lib.types.listOf lib.types.attrs;
      default = [ ];
      description = "LiteLLM `model_list` entries.";
    };
    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      description = "File with API keys (KEY=value lines), kept out of the Nix store.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.litellm = {
      enable = true;
      host = "0.0.0.0";
      inherit (cfg) port environmentFile;
      openFirewall = true;
      settings.model_list = cfg.models;
    };
  };
}
