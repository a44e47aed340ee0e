#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a cross-built Windows program under Wine for ctest: quiet, and with
# the DLLs next to the program (the test resutils.dll and clusapi.dll)
# preferred over Wine's own stubs.
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="resutils,clusapi=n,b${WINEDLLOVERRIDES:+;$WINEDLLOVERRIDES}"
exec wine "$@"
