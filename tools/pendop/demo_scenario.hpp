// SPDX-License-Identifier: MIT
// The built-in scenario of `pendop demo`: the whole model in about 15 s.
#pragma once

namespace pendop_cli {

inline constexpr const char* k_demo_scenario = R"json({
  "stop_wait_ms": 1000,
  "resources": [
    {"name": "database", "type": "simulated",
     "simulated": {"online_ms": 3000, "offline_ms": 1500, "report_ms": 300}},
    {"name": "legacy-app", "type": "simulated",
     "properties": {"PendingTimeout": 2500, "RestartAction": 0},
     "simulated": {"never_reports": true}},
    {"name": "web", "type": "simulated",
     "properties": {"LooksAlivePollInterval": 500, "IsAlivePollInterval": 1000,
                    "RestartThreshold": 2, "RestartPeriod": 60000, "RestartDelay": 500,
                    "RetryPeriodOnFailure": 600000},
     "simulated": {"online_ms": 600, "report_ms": 200, "health_fails_after_ms": 2000}},
    {"name": "stubborn", "type": "simulated",
     "properties": {"PendingTimeout": 1500, "RestartAction": 0},
     "simulated": {"online_ms": 6000, "report_ms": 3000, "ignore_terminate": true}}
  ],
  "script": [
    {"online": "database"}, {"online": "legacy-app"}, {"online": "web"}, {"online": "stubborn"},
    {"wait_for": "database", "state": "Online", "timeout_ms": 10000},
    {"wait_ms": 7000},
    {"offline": "database"},
    {"wait_for": "database", "state": "Offline", "timeout_ms": 10000},
    {"wait_ms": 1000}
  ],
  "expect": {
    "final": {"database": "Offline", "legacy-app": "Failed", "web": "Failed"},
    "terminates": {"legacy-app": 1, "stubborn": 1},
    "restarts": {"web": 2},
    "zombies": {"stubborn": 1}
  }
})json";

}  // namespace pendop_cli
