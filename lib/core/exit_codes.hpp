// Process exit codes shared by every fleetfuel command (see docs/runbook.md).
#pragma once

namespace ff {

enum ExitCode : int {
    kExitOk = 0,         // done
    kExitFailed = 1,     // failed (network, database, bad data that stopped the run)
    kExitUsage = 2,      // usage or configuration error
    kExitRefused = 3,    // refused by a safety guard (mass delete, older snapshot)
    kExitLocked = 4,     // another FleetFuel process holds the writer lock
    kExitWatchdog = 70,  // the self-watchdog found the event loop or a cycle wedged
};

}  // namespace ff
