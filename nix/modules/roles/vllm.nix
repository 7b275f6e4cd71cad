# vLLM's OpenAI-compatible API server on an NVIDIA GPU.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.tappaas.roles.vllm;
in
{
  options.tappaas.roles.vllm = {
    enable = lib.mkEnableOption "the vLLM inference server";
    model = lib.mkOption {
      type = lib.types.str;
      default = "meta-llama/Llama-2-7b-chat-hf";
      description = "Model to serve (a Hugging Face id or a local path).";
    };
    port = lib.mkOption {
      type = lib.types.port;
      default = 8000;
      description = "TCP port of the API; the health check probes http://<host>:<port>/health.";
    };
    extraArgs = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "Extra arguments for `vllm serve`.";
    };
  };

  config = lib.mkIf cfg.enable {
    # CUDA builds of vllm and torch; without this the packages come without GPU support.
    nixpkgs.config.cudaSupport = true;
    nixpkgs.config.allowUnfree = true;

    # The driver is only loaded when "nvidia" is a video driver, even on a headless host.
    services.xserver.videoDrivers = [ "nvidia" ];
    hardware.graphics.enable = true;
    hardware.nvidia = {
      modesetting.enable = true;
      powerManagement.enable = false;
      open = false;
      nvidiaSettings = false;
      package = config.boot.kernelPackages.nvidiaPackages.stable;
    };

    networking.firewall.allowedTCPPorts = [ cfg.port ];

    users.users.vllm = {
      isSystemUser = true;
      group = "vllm";
      home = "/var/lib/vllm";
    };
    users.groups.vllm = { };

    systemd.services.vllm = {
      description = "vLLM OpenAI-compatible API server";
      after = [ "network-online.target" ];
      wants = [ "network-online.target" ];
      wantedBy = [ "multi-user.target" ];
      environment = {
        HF_HOME = "/var/lib/vllm/huggingface";
        XDG_CACHE_HOME = "/var/cache/vllm";
      };
      serviceConfig = {
        ExecStart = lib.escapeShellArgs (
          [
            "${pkgs.python3Packages.vllm}/bin/vllm"
            "serve"
            cfg.model
            "--host"
            "0.0.0.0"
            "--port"
            (toString cfg.port)
          ]
          ++ cfg.extraArgs
        );
        User = "vllm";
        Group = "vllm";
        StateDirectory = "vllm";
        CacheDirectory = "vllm";
        WorkingDirectory = "/var/lib/vllm";
        Restart = "on-failure";
        RestartSec = 10;
      };
    };
  };
}
