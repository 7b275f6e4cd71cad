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
    package = lib.mkPackageOption pkgs [ "python3Packages" "vllm" ] { };
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
      example = [
        "--max-model-len"
        "8192"
        "--gpu-memory-utilization"
        "0.9"
      ];
      description = "Extra arguments for `vllm serve`.";
    };
    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/var/lib/secrets/vllm.env";
      description = "File with secrets (e.g. `HF_TOKEN=…` for gated models), kept out of the Nix store.";
    };
    openKernelModule = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Use NVIDIA's open kernel module (Turing and newer GPUs) instead of the proprietary one.";
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
      open = cfg.openKernelModule;
      nvidiaSettings = false;
      # Keeps the GPU initialised between requests on a headless host.
      nvidiaPersistenced = true;
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
      # Models (Hugging Face downloads) and every cache under /var/lib/vllm, not in $HOME.
      environment = {
        HF_HOME = "/var/lib/vllm/models";
        XDG_CACHE_HOME = "/var/lib/vllm/cache";
        VLLM_CACHE_ROOT = "/var/lib/vllm/cache/vllm";
        VLLM_NO_USAGE_STATS = "1";
        DO_NOT_TRACK = "1";
      };
      serviceConfig = {
        ExecStart = lib.escapeShellArgs (
          [
            (lib.getExe' cfg.package "vllm")
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
        EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
        StateDirectory = [
          "vllm"
          "vllm/models"
          "vllm/cache"
        ];
        WorkingDirectory = "/var/lib/vllm";
        Restart = "on-failure";
        RestartSec = 10;
      };
    };
  };
}
