// SPDX-License-Identifier: MIT
#include "win32_binaries.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>

extern char** environ;

namespace pendop_cli {
namespace {

// <prefix>/lib/pendop/win32 for this pendop at <prefix>/bin/pendop.
std::filesystem::path installed_dir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return self.parent_path().parent_path() / "lib" / "pendop" / "win32";
}

// The first of `needs` that `dir` lacks ("" when it has them all).
std::string missing(const std::filesystem::path& dir, std::initializer_list<const char*> needs) {
  std::error_code ec;
  for (const char* part : needs) {
    if (!std::filesystem::is_regular_file(dir / part, ec)) return part;
  }
  return {};
}

std::string names(std::initializer_list<const char*> needs) {
  std::string list;
  for (const char* part : needs) list += (list.empty() ? "" : ", ") + std::string(part);
  return list;
}

}  // namespace

win32_dir find_win32_dir(const std::string& given, std::string_view how_to_name,
                         std::initializer_list<const char*> needs) {
  if (!given.empty()) {
    if (auto gone = missing(given, needs); !gone.empty()) {
      return {{}, fmt::format("no {} in {} (it needs {})", gone, given, names(needs))};
    }
    return {given, {}};
  }
  if (const char* env = std::getenv("PENDOP_WIN32_DIR"); env && *env) {
    if (auto gone = missing(env, needs); !gone.empty()) {
      return {{},
              fmt::format("no {} in {} ($PENDOP_WIN32_DIR; it needs {})", gone, env, names(needs))};
    }
    return {env, {}};
  }
  if (const auto dir = installed_dir(); !dir.empty() && missing(dir, needs).empty()) {
    return {dir.string(), {}};
  }
  return {{},
          fmt::format("where is {}? Name its directory with {}, or set PENDOP_WIN32_DIR to "
                      "the bin/ of a MinGW build of pendop, or install them in {} "
                      "(docs/windows-dll.md, \"Testing your DLL\")",
                      *needs.begin(), how_to_name, installed_dir().string())};
}

std::string wine_path(const std::filesystem::path& p) {
  std::string s = "Z:" + std::filesystem::absolute(p).lexically_normal().string();
  for (char& c : s) c = c == '/' ? '\\' : c;
  return s;
}

bool wine_installed() {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  const std::string dirs = path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? colon : colon - start);
    if (!dir.empty() && ::access((dir + "/wine").c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

std::vector<std::string> wine_environment() {
  std::vector<std::string> env;
  std::string overrides = "resutils,clusapi=n,b";
  bool debug_set = false;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "WINEDLLOVERRIDES=", 17) == 0) {
      if ((*e)[17] != '\0') overrides += std::string(";") + (*e + 17);
      continue;
    }
    debug_set = debug_set || std::strncmp(*e, "WINEDEBUG=", 10) == 0;
    env.emplace_back(*e);
  }
  if (!debug_set) env.emplace_back("WINEDEBUG=-all");
  env.push_back("WINEDLLOVERRIDES=" + overrides);
  return env;
}

}  // namespace pendop_cli
