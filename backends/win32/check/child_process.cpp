// SPDX-License-Identifier: MIT
#include "child_process.hpp"

#include <pendop/win32/win32_error.hpp>

#include <windows.h>

#include <chrono>
#include <vector>

namespace pendop::win32 {

std::wstring quote_argument(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) return arg;
  std::wstring q = L"\"";
  std::size_t backslashes = 0;
  for (const wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    // Backslashes before a quote are doubled, and the quote escaped.
    q.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    q.push_back(c);
  }
  q.append(backslashes * 2, L'\\');  // before the closing quote
  q.push_back(L'"');
  return q;
}

child_result run_child(const std::wstring& command_line, milliseconds deadline) {
  child_result r;
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE read_end = nullptr;
  HANDLE write_end = nullptr;
  if (!CreatePipe(&read_end, &write_end, &inherit, 0)) {
    r.error = "CreatePipe: " + from_win32_error(GetLastError()).message();
    return r;
  }
  SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
  STARTUPINFOW si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdOutput = write_end;
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  PROCESS_INFORMATION pi{};
  std::vector<wchar_t> line(command_line.begin(), command_line.end());
  line.push_back(L'\0');
  const BOOL ok = CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr,
                                 &si, &pi);
  const DWORD create_error = GetLastError();
  CloseHandle(write_end);  // the child holds its own copy
  if (!ok) {
    CloseHandle(read_end);
    r.error = "CreateProcess: " + from_win32_error(create_error).message();
    return r;
  }
  r.started = true;
  CloseHandle(pi.hThread);
  // Polled, not read to the end: processes the child starts (Wine starts
  // its own services from the first process of a prefix) inherit the
  // pipe and keep it open long after the child is gone.
  const auto drain = [&] {
    char buf[4096];
    DWORD avail = 0;
    while (PeekNamedPipe(read_end, nullptr, 0, nullptr, &avail, nullptr) && avail > 0) {
      DWORD got = 0;
      if (!ReadFile(read_end, buf, avail < sizeof buf ? avail : sizeof buf, &got, nullptr) ||
          got == 0) {
        return;
      }
      r.out.append(buf, got);
    }
  };
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    drain();
    if (WaitForSingleObject(pi.hProcess, 10) == WAIT_OBJECT_0) break;
    if (std::chrono::steady_clock::now() >= until) {
      r.timed_out = true;
      TerminateProcess(pi.hProcess, 1);
      // Bounded: a child that cannot even be killed is given up, not waited for.
      WaitForSingleObject(pi.hProcess, 5000);
      break;
    }
  }
  drain();
  DWORD code = 0;
  GetExitCodeProcess(pi.hProcess, &code);
  r.exit_code = code;
  CloseHandle(pi.hProcess);
  CloseHandle(read_end);
  return r;
}

}  // namespace pendop::win32
