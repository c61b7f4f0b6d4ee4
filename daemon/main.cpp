// fleetfuel: argument dispatch only (the CLI work fills this in).
#include "commands.hpp"
#include "core/exit_codes.hpp"

int main() { return ff::kExitFailed; }
