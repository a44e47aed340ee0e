// SPDX-License-Identifier: MIT
#include "child_process.hpp"

#include <pendop/win32/win32_error.hpp>

#include <windows.h>

#include <thread>
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
  // The reader drains the pipe so a chatty child never blocks on it; it ends
  // when the child (and every process that inherited the pipe) is gone.
  std::thread reader([&] {
    char buf[4096];
    DWORD got = 0;
    while (ReadFile(read_end, buf, sizeof buf, &got, nullptr) && got > 0) r.out.append(buf, got);
  });
  const auto ms = deadline.count() < 0 ? 0 : deadline.count();
  if (WaitForSingleObject(pi.hProcess, static_cast<DWORD>(ms)) == WAIT_TIMEOUT) {
    r.timed_out = true;
    TerminateProcess(pi.hProcess, 1);
    WaitForSingleObject(pi.hProcess, INFINITE);
  }
  DWORD code = 0;
  GetExitCodeProcess(pi.hProcess, &code);
  r.exit_code = code;
  CloseHandle(pi.hProcess);
  reader.join();
  CloseHandle(read_end);
  return r;
}

}  // namespace pendop::win32
