// SPDX-License-Identifier: MIT
// pendop's own declarations of the ResApi types it uses (docs/resapi.md),
// layout-compatible with the Windows SDK's resapi.h and compiling with
// MinGW-w64, whose clusapi.h/resapi.h are broken or outdated
// (docs/resapi.md, "Toolchains").
// Names follow the SDK's, inside pendop::win32, so SDK headers never clash.
// Sizes are static_asserted for x64 as measured with the SDK layouts.
#pragma once

#include <windows.h>

#include <cstddef>

namespace pendop::win32 {

using RESID = void*;
using RESOURCE_HANDLE = HANDLE;

/// CLRES_VERSION_V1_00 / V2_00: function-table versions.
inline constexpr DWORD CLRES_VERSION_V1_00 = 0x100;
inline constexpr DWORD CLRES_VERSION_V2_00 = 0x200;

/// Win32 error codes pendop returns (values from winerror.h).
inline constexpr DWORD PD_ERROR_SUCCESS = 0;
inline constexpr DWORD PD_ERROR_INVALID_FUNCTION = 1;
inline constexpr DWORD PD_ERROR_NOT_ENOUGH_MEMORY = 8;
inline constexpr DWORD PD_ERROR_GEN_FAILURE = 31;
inline constexpr DWORD PD_ERROR_INVALID_PARAMETER = 87;
inline constexpr DWORD PD_WAIT_TIMEOUT = 258;
inline constexpr DWORD PD_ERROR_IO_PENDING = 997;
inline constexpr DWORD PD_ERROR_REVISION_MISMATCH = 1306;
inline constexpr DWORD PD_ERROR_RESOURCE_NOT_FOUND = 5007;
inline constexpr DWORD PD_ERROR_INVALID_STATE = 5023;
inline constexpr DWORD PD_ERROR_RESOURCE_FAILED = 5038;
inline constexpr DWORD PD_ERROR_CLUSTER_RESNAME_NOT_FOUND = 5080;
inline constexpr DWORD PD_ERROR_INVALID_DATA = 13;
inline constexpr DWORD PD_ERROR_MORE_DATA = 234;
inline constexpr DWORD PD_ERROR_FILE_NOT_FOUND = 2;
inline constexpr DWORD PD_ERROR_RESOURCE_PROPERTIES_STORED = 5024;

/// Control codes pendop answers (clusapi.h: CLUSCTL_RESOURCE_CODE(fn) is
/// 1 << 24 | fn, CLUSCTL_RESOURCE_TYPE_CODE(fn) is 2 << 24 | fn).
inline constexpr DWORD CLUSCTL_RESOURCE_GET_CHARACTERISTICS = 0x01000005;
inline constexpr DWORD CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES = 0x01000011;
inline constexpr DWORD CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES = 0x01000079;
inline constexpr DWORD CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES = 0x01000081;
inline constexpr DWORD CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES = 0x01400086;
inline constexpr DWORD CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES = 0x01000089;
inline constexpr DWORD CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS = 0x0100008D;
inline constexpr DWORD CLUSCTL_RESOURCE_TYPE_GET_CHARACTERISTICS = 0x02000005;
inline constexpr DWORD CLUSCTL_RESOURCE_TYPE_GET_REQUIRED_DEPENDENCIES = 0x02000011;
inline constexpr DWORD CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS = 0x02000091;

/// CLUS_CHARACTERISTICS bits and CLUSPROP_FORMAT values pendop writes.
inline constexpr DWORD CLUS_CHAR_UNKNOWN = 0;
inline constexpr DWORD CLUS_CHAR_QUORUM = 0x1;

/// RESOURCE_EXIT_STATE: what SetResourceStatus(Ex) answers.
inline constexpr DWORD ResourceExitStateContinue = 0;
inline constexpr DWORD ResourceExitStateTerminate = 1;

/// LOG_LEVEL.
enum LOG_LEVEL : int { LOG_INFORMATION = 0, LOG_WARNING = 1, LOG_ERROR = 2, LOG_SEVERE = 3 };

/// RESOURCE_STATUS: x64 24 bytes.
struct RESOURCE_STATUS {
  int ResourceState;  // CLUSTER_RESOURCE_STATE
  DWORD CheckPoint;
  DWORD WaitHint;
  HANDLE EventHandle;
};

/// RESOURCE_STATUS_EX, the SDK's layout (MinGW's lacks WaitHint): x64 32 bytes.
struct RESOURCE_STATUS_EX {
  int ResourceState;
  DWORD CheckPoint;
  HANDLE EventHandle;
  DWORD ApplicationSpecificErrorCode;
  DWORD Flags;
  DWORD WaitHint;
};

using PSET_RESOURCE_STATUS_ROUTINE = DWORD(WINAPI*)(RESOURCE_HANDLE, RESOURCE_STATUS*);
using PSET_RESOURCE_STATUS_ROUTINE_EX = DWORD(WINAPI*)(RESOURCE_HANDLE, RESOURCE_STATUS_EX*);
/// Declared _stdcall by the SDK but variadic, so caller-cleans (cdecl) in practice.
using PLOG_EVENT_ROUTINE = void(__cdecl*)(RESOURCE_HANDLE, LOG_LEVEL, LPCWSTR, ...);
using PQUORUM_RESOURCE_LOST = void(WINAPI*)(RESOURCE_HANDLE);

using POPEN_ROUTINE = RESID(WINAPI*)(LPCWSTR, HKEY, RESOURCE_HANDLE);
using POPEN_V2_ROUTINE = RESID(WINAPI*)(LPCWSTR, HKEY, RESOURCE_HANDLE, DWORD);
using PCLOSE_ROUTINE = void(WINAPI*)(RESID);
using PONLINE_ROUTINE = DWORD(WINAPI*)(RESID, LPHANDLE);
using PONLINE_V2_ROUTINE = DWORD(WINAPI*)(RESID, LPHANDLE, DWORD, PBYTE, DWORD, DWORD);
using POFFLINE_ROUTINE = DWORD(WINAPI*)(RESID);
using POFFLINE_V2_ROUTINE = DWORD(WINAPI*)(RESID, LPCWSTR, DWORD, PBYTE, DWORD, DWORD);
using PTERMINATE_ROUTINE = void(WINAPI*)(RESID);
using PIS_ALIVE_ROUTINE = BOOL(WINAPI*)(RESID);
using PLOOKS_ALIVE_ROUTINE = BOOL(WINAPI*)(RESID);
using PARBITRATE_ROUTINE = DWORD(WINAPI*)(RESID, PQUORUM_RESOURCE_LOST);
using PRELEASE_ROUTINE = DWORD(WINAPI*)(RESID);
using PRESOURCE_CONTROL_ROUTINE = DWORD(WINAPI*)(RESID, DWORD, PVOID, DWORD, PVOID, DWORD, LPDWORD);
using PRESOURCE_TYPE_CONTROL_ROUTINE = DWORD(WINAPI*)(LPCWSTR, DWORD, PVOID, DWORD, PVOID, DWORD,
                                                      LPDWORD);
using PCANCEL_ROUTINE = DWORD(WINAPI*)(RESID, DWORD);

/// CLRES_V1_FUNCTIONS: x64 88 bytes.
struct CLRES_V1_FUNCTIONS {
  POPEN_ROUTINE Open;
  PCLOSE_ROUTINE Close;
  PONLINE_ROUTINE Online;
  POFFLINE_ROUTINE Offline;
  PTERMINATE_ROUTINE Terminate;
  PLOOKS_ALIVE_ROUTINE LooksAlive;
  PIS_ALIVE_ROUTINE IsAlive;
  PARBITRATE_ROUTINE Arbitrate;
  PRELEASE_ROUTINE Release;
  PRESOURCE_CONTROL_ROUTINE ResourceControl;
  PRESOURCE_TYPE_CONTROL_ROUTINE ResourceTypeControl;
};

/// CLRES_V2_FUNCTIONS: x64 96 bytes.
struct CLRES_V2_FUNCTIONS {
  POPEN_V2_ROUTINE Open;
  PCLOSE_ROUTINE Close;
  PONLINE_V2_ROUTINE Online;
  POFFLINE_V2_ROUTINE Offline;
  PTERMINATE_ROUTINE Terminate;
  PLOOKS_ALIVE_ROUTINE LooksAlive;
  PIS_ALIVE_ROUTINE IsAlive;
  PARBITRATE_ROUTINE Arbitrate;
  PRELEASE_ROUTINE Release;
  PRESOURCE_CONTROL_ROUTINE ResourceControl;
  PRESOURCE_TYPE_CONTROL_ROUTINE ResourceTypeControl;
  PCANCEL_ROUTINE Cancel;
};

/// CLRES_FUNCTION_TABLE (V1 and V2 members of the union).
struct CLRES_FUNCTION_TABLE {
  DWORD TableSize;  // sizeof the VnFunctions member in use
  DWORD Version;    // CLRES_VERSION_Vn_00
  union {
    CLRES_V1_FUNCTIONS V1Functions;
    CLRES_V2_FUNCTIONS V2Functions;
  };
};

/// CLRES_CALLBACK_FUNCTION_TABLE, passed to StartupEx. pendop uses the first
/// two members; the other fifteen are kept as opaque pointers: x64 136 bytes.
struct CLRES_CALLBACK_FUNCTION_TABLE {
  PLOG_EVENT_ROUTINE LogEvent;
  PSET_RESOURCE_STATUS_ROUTINE_EX SetResourceStatusEx;
  void* Others[15];  // SetResourceLockedMode ... ArmWprWatchdogForCurrentResourceCall
};

using PSTARTUP_ROUTINE = DWORD(WINAPI*)(LPCWSTR, DWORD, DWORD, PSET_RESOURCE_STATUS_ROUTINE,
                                        PLOG_EVENT_ROUTINE, CLRES_FUNCTION_TABLE**);
using PSTARTUP_EX_ROUTINE = DWORD(WINAPI*)(LPCWSTR, DWORD, DWORD, CLRES_CALLBACK_FUNCTION_TABLE*,
                                           CLRES_FUNCTION_TABLE**);

/// CLUS_WORKER: x64 16 bytes. Must be zeroed before ClusWorkerCreate.
struct CLUS_WORKER {
  HANDLE hThread;
  BOOL Terminate;
};
using PWORKER_START_ROUTINE = DWORD(WINAPI*)(CLUS_WORKER*, LPVOID);

#if defined(_WIN64)
static_assert(sizeof(RESOURCE_STATUS) == 24);
static_assert(sizeof(RESOURCE_STATUS_EX) == 32);
static_assert(sizeof(CLRES_V1_FUNCTIONS) == 88);
static_assert(sizeof(CLRES_V2_FUNCTIONS) == 96);
static_assert(sizeof(CLRES_CALLBACK_FUNCTION_TABLE) == 136);
static_assert(sizeof(CLUS_WORKER) == 16);
static_assert(offsetof(CLRES_FUNCTION_TABLE, V1Functions) == 8);
#endif

}  // namespace pendop::win32
