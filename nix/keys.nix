# SSH public keys, kept in one place; replace these example keys with your own.
# Admins log in as `tappaas`; the deploy key is what CI uses to copy closures and
# activate systems as root.
{
  admins = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPYOtvkr+k6jD/ixpBLHYxD0HIdVUfAhgLqJBj3SXlQg admin@tappaas-example"
  ];
  deploy = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILmTcYd7GPi6gXN/7UYl17N+qsYNLhvF++WUkP0kfrKh deploy@tappaas-example"
  ];
}
