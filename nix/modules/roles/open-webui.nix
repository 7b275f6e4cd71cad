# Open WebUI, through the NixOS module nixpkgs ships (services.open-webui).
{
  config,
  lib,
  ...
}:
let
  cfg = config.tappaas.roles.open-webui;
in
{
  options.tappaas.roles.open-webui = {
    enable = lib.mkEnableOption "the Open WebUI front end";
    port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
      description = "TCP port; the health check probes http://<host>:<port>/health.";
    };
    openaiApiBase = lib.mkOption {
      type = lib.types.str;
      default = "http://tappaas-litellm:4000/v1";
      description = "OpenAI-compatible API the UI talks to (the LiteLLM gateway).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.open-webui = {
      enable = true;
      host = "0.0.0.0";
      inherit (cfg) port;
      openFirewall = true;
      environment = {
        OPENAI_API_BASE_URL = cfg.openaiApiBase;
        SCARF_NO_ANALYTICS = "True";
        DO_NOT_TRACK = "True";
        ANONYMIZED_TELEMETRY = "False";
      };
    };
  };
}
