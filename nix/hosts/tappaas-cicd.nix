# Host tappaas-cicd: role cicd (the fleet's git server). Each pusher's keys go under the
# identity that tappaas.json's policy names.
{
  tappaas.roles.cicd = {
    enable = true;
    identities.admin = (import ../keys.nix).admins;
  };
}
