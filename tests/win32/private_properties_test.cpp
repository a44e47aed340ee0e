// SPDX-License-Identifier: MIT
// Private properties and control codes, each rule against the real exports:
// pendop_example_resource.dll through the test host (ResourceControl,
// ResourceTypeControl as a cluster calls them), with the test-double
// clusapi.dll as the cluster database; and the adapter alone for what the
// example does not declare (a required property, one that waits for the
// next Online, required dependencies, contradictory declarations).
#include <pendop/host/property_list.hpp>
#include <pendop/win32/dll_host.hpp>
#include <pendop/win32/resource_dll.hpp>

#include <doctest/doctest.h>

#include "log_event_recorder.hpp"
#include "scripted_resource.hpp"

#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
__declspec(dllimport) LONG WINAPI ClusterRegOpenKey(HKEY, LPCWSTR, REGSAM, PHKEY);
__declspec(dllimport) LONG WINAPI ClusterRegCloseKey(HKEY);
__declspec(dllimport) LONG WINAPI ClusterRegQueryValue(HKEY, LPCWSTR, LPDWORD, LPBYTE, LPDWORD);
__declspec(dllimport) DWORD WINAPI ClusterRegSetValue(HKEY, LPCWSTR, DWORD, const BYTE*, DWORD);
__declspec(dllimport) HKEY WINAPI PendopTestClusterKey(LPCWSTR);
__declspec(dllimport) long WINAPI PendopTestOpenKeys();
}

using namespace std::chrono_literals;
using pendop::property_entry;
using pendop::property_syntax;
using pendop::property_value;
using pendop::win32::dll_host;
using pendop::win32::RESID;
namespace w = pendop::win32;

namespace {

const std::vector<std::string> k_names{"online_ms",   "offline_ms", "report_ms",  "ignore_terminate",
                                       "looks_alive", "is_alive",   "fail_online"};

std::unique_ptr<dll_host> load() {
  dll_host::options o;
  o.dll = L"pendop_example_resource.dll";
  o.type = L"pendop Example";
  auto h = dll_host::load(std::move(o));
  REQUIRE_MESSAGE(h, (h ? std::string() : h.error().message));
  return std::move(*h);
}

property_entry dword(std::string_view name, std::uint64_t value) {
  property_value v;
  v.syntax = property_syntax::dword;
  v.number = value;
  return {pendop::to_utf16(name), {v}};
}

property_entry text(std::string_view name, std::string_view value) {
  property_value v;
  v.syntax = property_syntax::sz;
  v.text = pendop::to_utf16(value);
  return {pendop::to_utf16(name), {v}};
}

std::vector<std::uint8_t> bytes(std::vector<property_entry> list) {
  return pendop::encode_property_list(list);
}

// The values of a GET_PRIVATE_PROPERTIES answer, by name.
std::uint64_t value_of(const std::vector<property_entry>& list, std::string_view name) {
  for (const auto& e : list) {
    if (pendop::to_utf8(e.name) == name) return e.values.front().number;
  }
  FAIL("no property " << std::string(name));
  return 0;
}

std::vector<property_entry> get(dll_host& h, RESID id) {
  const auto a = h.control(id, w::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES);
  REQUIRE(a.rc == w::PD_ERROR_SUCCESS);
  auto list = pendop::decode_property_list(a.out);
  REQUIRE(list);
  return *list;
}

bool logged(const dll_host& h, std::string_view part) {
  for (const auto& e : h.events()) {
    if (e.event == "log" && e.text.find(part) != std::string::npos) return true;
  }
  return false;
}

DWORD stored_dword(HKEY resource_key, const wchar_t* name) {
  HKEY params = nullptr;
  REQUIRE(ClusterRegOpenKey(resource_key, L"Parameters", KEY_READ, &params) == ERROR_SUCCESS);
  DWORD type = 0;
  DWORD value = 0;
  DWORD size = sizeof value;
  const LONG rc = ClusterRegQueryValue(params, name, &type, reinterpret_cast<BYTE*>(&value), &size);
  ClusterRegCloseKey(params);
  REQUIRE(rc == ERROR_SUCCESS);
  CHECK(type == REG_DWORD);
  CHECK(size == 4);
  return value;
}

}  // namespace

TEST_SUITE("win32/private_properties") {

TEST_CASE("ENUM_PRIVATE_PROPERTIES lists the seven names as a MULTI_SZ") {
  auto h = load();
  RESID id = h->open(L"Example1");
  const auto a = h->control(id, w::CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES);
  REQUIRE(a.rc == w::PD_ERROR_SUCCESS);
  CHECK(h->events().back().names == k_names);
  // Each name and its null, then one more null.
  std::size_t expected = 2;
  for (const auto& n : k_names) expected += (n.size() + 1) * 2;
  CHECK(a.out.size() == expected);
  CHECK(a.out[a.out.size() - 1] == 0);
  CHECK(a.out[a.out.size() - 2] == 0);
  CHECK(a.out[a.out.size() - 3] == 0);
  CHECK(a.out[a.out.size() - 4] == 0);
}

TEST_CASE("a buffer too small gets ERROR_MORE_DATA and the size needed, then the answer") {
  auto h = load();
  RESID id = h->open(L"Example1");
  auto control = h->table().V2Functions.ResourceControl;
  DWORD needed = 0;
  CHECK(control(id, w::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, nullptr, 0, nullptr, 0, &needed) ==
        w::PD_ERROR_MORE_DATA);
  // count + 7 x (name entry + DWORD entry + end mark)
  std::size_t expected = 4;
  for (const auto& n : k_names) expected += 8 + (((n.size() + 1) * 2 + 3) & ~std::size_t{3}) + 12 + 4;
  CHECK(needed == expected);
  std::vector<std::uint8_t> out(needed);
  DWORD returned = 0;
  CHECK(control(id, w::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, nullptr, 0, out.data(), needed - 1,
                &returned) == w::PD_ERROR_MORE_DATA);
  CHECK(returned == needed);
  CHECK(control(id, w::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, nullptr, 0, out.data(), needed,
                &returned) == w::PD_ERROR_SUCCESS);
  CHECK(returned == needed);
  CHECK(pendop::decode_property_list(out));
}

TEST_CASE("GET_PRIVATE_PROPERTIES starts from the declared defaults as DWORDs") {
  auto h = load();
  RESID id = h->open(L"Example1");
  const auto list = get(*h, id);
  REQUIRE(list.size() == 7);
  for (const auto& e : list) {
    REQUIRE(e.values.size() == 1);
    CHECK(e.values.front().syntax == property_syntax::dword);
  }
  CHECK(value_of(list, "online_ms") == 1000);
  CHECK(value_of(list, "offline_ms") == 500);
  CHECK(value_of(list, "report_ms") == 200);
  CHECK(value_of(list, "ignore_terminate") == 0);
  CHECK(value_of(list, "looks_alive") == 1);
  CHECK(value_of(list, "is_alive") == 1);
  CHECK(value_of(list, "fail_online") == 0);
}

TEST_CASE("property formats name CLUSPROP_FORMAT_DWORD for each, per resource and per type") {
  auto h = load();
  RESID id = h->open(L"Example1");
  for (const auto& a : {h->control(id, w::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS),
                        h->type_control(w::CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS)}) {
    REQUIRE(a.rc == w::PD_ERROR_SUCCESS);
    auto list = pendop::decode_property_list(a.out);
    REQUIRE(list);
    REQUIRE(list->size() == 7);
    for (std::size_t i = 0; i < 7; ++i) {
      CHECK(pendop::to_utf8((*list)[i].name) == k_names[i]);
      REQUIRE((*list)[i].values.size() == 1);
      CHECK((*list)[i].values.front().syntax == property_syntax::word);
      CHECK((*list)[i].values.front().number == 2);  // CLUSPROP_FORMAT_DWORD
    }
  }
}

TEST_CASE("VALIDATE refuses an unknown name, a wrong syntax, a value out of range, a broken list") {
  auto h = load();
  RESID id = h->open(L"Example1");
  struct bad_list {
    std::vector<std::uint8_t> list;
    DWORD rc;
    const char* logged;
  };
  auto truncated = bytes({dword("online_ms", 5)});
  truncated.resize(truncated.size() - 6);
  const bad_list cases[] = {
      {bytes({dword("onlin_ms", 5)}), w::PD_ERROR_INVALID_PARAMETER,
       "unknown parameter \"onlin_ms\", known: online_ms, offline_ms"},
      {bytes({text("online_ms", "5")}), w::PD_ERROR_INVALID_PARAMETER,
       "online_ms: expected a DWORD value, got SZ"},
      {bytes({dword("online_ms", 5), dword("ignore_terminate", 2)}), w::PD_ERROR_INVALID_PARAMETER,
       "ignore_terminate: 2 is out of range, allowed 0..1"},
      {bytes({dword("report_ms", 0)}), w::PD_ERROR_INVALID_PARAMETER,
       "report_ms: 0 is out of range, allowed 1..86400000"},
      {truncated, w::PD_ERROR_INVALID_DATA, "property list: byte"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.logged);
    CHECK(h->control(id, w::CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, c.list).rc == c.rc);
    CHECK(logged(*h, c.logged));
    // SET refuses the same lists with the same answers, and changes nothing.
    CHECK(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, c.list).rc == c.rc);
  }
  CHECK(value_of(get(*h, id), "online_ms") == 1000);
  CHECK(h->control(id, w::CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES,
                   bytes({dword("ONLINE_MS", 5)}))
            .rc == w::PD_ERROR_SUCCESS);  // names ignore case
  CHECK(value_of(get(*h, id), "online_ms") == 1000);  // VALIDATE changes nothing
}

TEST_CASE("SET while Offline: ERROR_SUCCESS, taken up at the next Online") {
  auto h = load();
  RESID id = h->open(L"Example1");
  REQUIRE(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                     bytes({dword("online_ms", 300), dword("report_ms", 100)}))
              .rc == w::PD_ERROR_SUCCESS);
  CHECK(value_of(get(*h, id), "online_ms") == 300);
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  CHECK(h->reports(id).size() == 4);  // 100, 200, 300 ms, then Online
  CHECK(h->reports(id).back().state == "Online");
}

TEST_CASE("SET while Online applies at once when no changed property waits for the next Online") {
  auto h = load();
  RESID id = h->open(L"Example1");
  REQUIRE(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bytes({dword("online_ms", 0)}))
              .rc == w::PD_ERROR_SUCCESS);
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  CHECK(h->looks_alive(id) == TRUE);
  CHECK(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                   bytes({dword("looks_alive", 0)}))
            .rc == w::PD_ERROR_SUCCESS);
  CHECK(h->looks_alive(id) == FALSE);
  CHECK(logged(*h, "private properties applied: looks_alive"));
}

TEST_CASE("SET while an operation is pending: ERROR_RESOURCE_PROPERTIES_STORED") {
  auto h = load();
  RESID id = h->open(L"Example1");
  REQUIRE(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                     bytes({dword("online_ms", 60000), dword("report_ms", 1000)}))
              .rc == w::PD_ERROR_SUCCESS);
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  CHECK(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bytes({dword("online_ms", 0)}))
            .rc == w::PD_ERROR_RESOURCE_PROPERTIES_STORED);
  CHECK(value_of(get(*h, id), "online_ms") == 0);
  // Setting what is already stored changes nothing: ERROR_SUCCESS.
  CHECK(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bytes({dword("online_ms", 0)}))
            .rc == w::PD_ERROR_SUCCESS);
  h->terminate(id);
  // The next Online runs with the stored value.
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  CHECK(h->reports(id).back().state == "Online");
}

TEST_CASE("GET_CHARACTERISTICS: not quorum-capable, per resource and per type") {
  auto h = load();
  RESID id = h->open(L"Example1");
  for (const auto& a : {h->control(id, w::CLUSCTL_RESOURCE_GET_CHARACTERISTICS),
                        h->type_control(w::CLUSCTL_RESOURCE_TYPE_GET_CHARACTERISTICS)}) {
    REQUIRE(a.rc == w::PD_ERROR_SUCCESS);
    CHECK(a.out == std::vector<std::uint8_t>{0, 0, 0, 0});
  }
}

TEST_CASE("GET_REQUIRED_DEPENDENCIES: the example requires none (an end mark alone)") {
  auto h = load();
  RESID id = h->open(L"Example1");
  const auto a = h->control(id, w::CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES);
  REQUIRE(a.rc == w::PD_ERROR_SUCCESS);
  CHECK(a.out == std::vector<std::uint8_t>{0, 0, 0, 0});
}

TEST_CASE("with a cluster key: SET stores REG_DWORDs under Parameters, a later Open reads them") {
  const long keys_before = PendopTestOpenKeys();
  HKEY key = PendopTestClusterKey(L"Resources\\set-and-reopen");
  {
    auto h = load();
    RESID id = h->open(L"Example1", key);
    REQUIRE(id != nullptr);
    REQUIRE(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                       bytes({dword("online_ms", 0), dword("looks_alive", 0)}))
                .rc == w::PD_ERROR_SUCCESS);
    CHECK(stored_dword(key, L"online_ms") == 0);
    CHECK(stored_dword(key, L"looks_alive") == 0);
    h->close(id);
  }
  {
    auto h = load();
    RESID id = h->open(L"Example1", key);
    CHECK(value_of(get(*h, id), "online_ms") == 0);
    CHECK(value_of(get(*h, id), "report_ms") == 200);  // never stored: the default
    REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
    REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
    CHECK(h->looks_alive(id) == FALSE);  // the stored value, taken at Open
    h->close(id);
  }
  ClusterRegCloseKey(key);
  CHECK(PendopTestOpenKeys() == keys_before);  // every key the DLL opened is closed
}

TEST_CASE("a stored value of the wrong type: Open logs it, Online refuses it, SET repairs it") {
  HKEY key = PendopTestClusterKey(L"Resources\\bad-stored");
  {
    HKEY params = PendopTestClusterKey(L"Resources\\bad-stored\\Parameters");
    const wchar_t soon[] = L"soon";
    REQUIRE(ClusterRegSetValue(params, L"online_ms", REG_SZ, reinterpret_cast<const BYTE*>(soon),
                               sizeof soon) == ERROR_SUCCESS);
    ClusterRegCloseKey(params);
  }
  auto h = load();
  RESID id = h->open(L"Example1", key);
  REQUIRE(id != nullptr);
  CHECK(logged(*h, "online_ms: the stored value has registry type 1, expected 4"));
  CHECK(h->online(id) == w::PD_ERROR_INVALID_PARAMETER);
  CHECK(logged(*h, "Online refused: online_ms: the stored value has registry type 1"));
  CHECK(h->reports(id).empty());
  REQUIRE(h->control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bytes({dword("online_ms", 0)}))
              .rc == w::PD_ERROR_SUCCESS);
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  CHECK(h->reports(id).back().state == "Online");
  h->close(id);
  ClusterRegCloseKey(key);
}

TEST_CASE("the test host's property verbs print their answers as JSON lines") {
  auto h = load();
  RESID id = h->open(L"Example1");
  (void)h->control(id, w::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES);
  const std::string line = h->events().back().to_json();
  CHECK(line.find("\"event\":\"control\"") != std::string::npos);
  CHECK(line.find("\"text\":\"0x01000081\"") != std::string::npos);
  CHECK(line.find("\"properties\":{\"online_ms\":1000,\"offline_ms\":500,\"report_ms\":200,"
                  "\"ignore_terminate\":0,\"looks_alive\":1,\"is_alive\":1,\"fail_online\":0}") !=
        std::string::npos);
}

}  // TEST_SUITE

// --- the adapter alone: what the example does not declare -------------------------

namespace {

void __cdecl ignore_log(w::RESOURCE_HANDLE, w::LOG_LEVEL, LPCWSTR, ...) {}

bool kept(std::wstring_view part) { return pendop_test::log_events().has(part); }

DWORD WINAPI accept_status(w::RESOURCE_HANDLE, w::RESOURCE_STATUS_EX*) {
  return w::ResourceExitStateContinue;
}

// A resource that records what it was given.
class configurable final : public pendop::resource {
 public:
  explicit configurable(const pendop::parameter_values& v) : values(v) {}
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> apply(const pendop::parameter_values& v) override {
    values = v;
    ++applied;
    return pendop::ok();
  }
  pendop::parameter_values values;
  int applied = 0;
};

struct adapter {
  explicit adapter(std::vector<pendop::parameter> parameters,
                   std::vector<std::wstring> dependencies = {}) {
    w::resource_type t;
    t.name = L"Configurable";
    t.parameters = std::move(parameters);
    t.required_dependencies = std::move(dependencies);
    t.make = [this](std::wstring_view, const pendop::parameter_values& v)
        -> pendop::result<std::unique_ptr<pendop::resource>> {
      auto r = std::make_unique<configurable>(v);
      made = r.get();
      return std::unique_ptr<pendop::resource>(std::move(r));
    };
    dll = std::make_unique<w::resource_dll>(std::move(t));
  }

  DWORD start(w::PLOG_EVENT_ROUTINE log = &ignore_log) {
    callbacks = {log, &accept_status, {}};
    w::CLRES_FUNCTION_TABLE* table = nullptr;
    return dll->startup_ex(L"Configurable", w::CLRES_VERSION_V1_00, w::CLRES_VERSION_V2_00,
                           &callbacks, &table);
  }

  DWORD control(RESID id, DWORD code, const std::vector<std::uint8_t>& in = {},
                std::vector<std::uint8_t>* out = nullptr) {
    std::vector<std::uint8_t> buffer(4096);
    DWORD returned = 0;
    const DWORD rc = dll->resource_control(id, code, const_cast<std::uint8_t*>(in.data()),
                                           static_cast<DWORD>(in.size()), buffer.data(),
                                           static_cast<DWORD>(buffer.size()), &returned);
    if (out) out->assign(buffer.begin(), buffer.begin() + (rc == 0 ? returned : 0));
    return rc;
  }

  w::CLRES_CALLBACK_FUNCTION_TABLE callbacks{};
  std::unique_ptr<w::resource_dll> dll;
  configurable* made = nullptr;
};

}  // namespace

TEST_SUITE("win32/private_properties") {

TEST_CASE("a required property never set: Online refuses with ERROR_INVALID_PARAMETER, naming it") {
  adapter a({{.name = "Path", .type = pendop::parameter_type::string,
              .default_value = std::string(), .required = true}});
  pendop_test::log_events().clear();
  REQUIRE(a.start(&pendop_test::record_log_event) == w::PD_ERROR_SUCCESS);
  RESID id = a.dll->open(L"r", nullptr, nullptr);
  REQUIRE(id != nullptr);
  CHECK(a.dll->online(id, nullptr) == w::PD_ERROR_INVALID_PARAMETER);
  CHECK(kept(L"Online refused: required private properties are not set: Path"));
  REQUIRE(a.control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bytes({text("Path", "C:\\data")})) ==
          w::PD_ERROR_SUCCESS);
  CHECK(a.dll->online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  CHECK(a.made->applied == 1);
  CHECK(a.made->values.text("Path") == "C:\\data");
  a.dll->close(id);
}

TEST_CASE("a change to a property that waits for the next Online is stored, not applied") {
  adapter a({{.name = "Port", .default_value = std::uint64_t{80}, .max = 65535,
              .applies_at_online = true},
             {.name = "Verbose", .default_value = std::uint64_t{0}, .max = 1}});
  REQUIRE(a.start() == w::PD_ERROR_SUCCESS);
  RESID id = a.dll->open(L"r", nullptr, nullptr);
  REQUIRE(a.dll->online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  // Wait until the Online body has ended (SET answers ERROR_SUCCESS for "no change" at once,
  // so probe with a real change of Verbose, which applies at once only when settled).
  DWORD rc = w::PD_ERROR_RESOURCE_PROPERTIES_STORED;
  for (int i = 0; i < 5000 && rc != w::PD_ERROR_SUCCESS; ++i) {
    rc = a.control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                   bytes({dword("Verbose", static_cast<std::uint64_t>(i % 2 == 0))}));
    Sleep(1);
  }
  REQUIRE(rc == w::PD_ERROR_SUCCESS);  // Online, nothing pending: applied at once
  const int applied = a.made->applied;
  CHECK(a.control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bytes({dword("Port", 8080)})) ==
        w::PD_ERROR_RESOURCE_PROPERTIES_STORED);
  CHECK(a.made->applied == applied);
  CHECK(a.made->values.number("Port") == 80);
  a.dll->terminate(id);
  REQUIRE(a.dll->online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  CHECK(a.made->values.number("Port") == 8080);
  a.dll->close(id);
}

TEST_CASE("GET_REQUIRED_DEPENDENCIES lists the declared resource types as a value list") {
  adapter a({}, {L"IP Address", L"Network Name"});
  REQUIRE(a.start() == w::PD_ERROR_SUCCESS);
  RESID id = a.dll->open(L"r", nullptr, nullptr);
  std::vector<std::uint8_t> out;
  REQUIRE(a.control(id, w::CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES, {}, &out) ==
          w::PD_ERROR_SUCCESS);
  // CLUSPROP_SYNTAX_NAME, length 22, "IP Address\0" (22 bytes, padded to 24),
  // CLUSPROP_SYNTAX_NAME, length 26, "Network Name\0" (26 bytes, padded to 28), ENDMARK.
  REQUIRE(out.size() == 8 + 24 + 8 + 28 + 4);
  CHECK(out[0] == 0x03);
  CHECK(out[2] == 0x04);
  CHECK(out[4] == 22);
  CHECK(out[8] == 'I');
  CHECK(out[32] == 0x03);
  CHECK(out[36] == 26);
  CHECK(out[40] == 'N');
  CHECK(std::vector<std::uint8_t>(out.end() - 4, out.end()) == std::vector<std::uint8_t>(4, 0));
  a.dll->close(id);
}

TEST_CASE("declarations that contradict themselves: Startup fails with ERROR_INVALID_DATA") {
  adapter a({{.name = "Port", .default_value = std::uint64_t{0}},
             {.name = "PORT", .default_value = std::uint64_t{0}}});
  pendop_test::log_events().clear();
  CHECK(a.start(&pendop_test::record_log_event) == w::PD_ERROR_INVALID_DATA);
  CHECK(kept(L"the resource type's parameters: parameter \"PORT\" is declared twice"));
}

}  // TEST_SUITE
