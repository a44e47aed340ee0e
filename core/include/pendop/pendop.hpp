// SPDX-License-Identifier: MIT
// <pendop/pendop.hpp>: everything a resource author or an embedder needs
// from the core (target pendop::core), in one include:
//
//   resource, operation   what you write, and what its online()/offline() gets
//   result, error         expected failures as values
//   states                resource_state, operation_kind, stop_reason, exit_state
//   progress, status_report, started_operation, monitor_event
//                         what a body reports and what a host tells you back
//   properties, parameter ResApi's common properties, a type's own parameters
//   failure_signal, time
//
// The hosts come with their own headers and targets: <pendop/posix/monitor.hpp>
// and <pendop/posix/resource_runner.hpp> (pendop::posix), <pendop/ocf/agent.hpp>
// (pendop::ocf), <pendop/win32/resource_dll.hpp> (pendop::win32),
// <pendop/testing/check_resource.hpp> (pendop::testing). Writing a host of
// your own: <pendop/host/...>.
#pragma once

#include <pendop/error.hpp>
#include <pendop/failure_signal.hpp>
#include <pendop/monitor_event.hpp>
#include <pendop/operation.hpp>
#include <pendop/parameter.hpp>
#include <pendop/progress.hpp>
#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>
#include <pendop/started_operation.hpp>
#include <pendop/states.hpp>
#include <pendop/status_report.hpp>
#include <pendop/time.hpp>
