// SPDX-License-Identifier: MIT
// Parameters declared once per resource type (pendop::parameter_values):
// checked declarations, checked values, property lists in and out.
#include <pendop/parameter.hpp>

#include <doctest/doctest.h>

using pendop::errc;
using pendop::parameter;
using pendop::parameter_type;
using pendop::parameter_values;
using pendop::property_entry;
using pendop::property_syntax;
using pendop::property_value;

namespace {

std::vector<parameter> example_declarations() {
  return {
      {.name = "online_ms", .description = "time Online takes", .default_value = 1000u,
       .max = 86'400'000},
      {.name = "ignore_terminate", .default_value = 0u, .max = 1},
      {.name = "mode", .type = parameter_type::string, .default_value = std::string("fast"),
       .allowed = {"fast", "safe"}},
      {.name = "path", .type = parameter_type::expand_string,
       .default_value = std::string("%TEMP%"), .required = true},
      {.name = "size", .type = parameter_type::ularge, .default_value = std::uint64_t{1} << 40,
       .max = std::numeric_limits<std::uint64_t>::max()},
      {.name = "hosts", .type = parameter_type::multi_string,
       .default_value = std::vector<std::string>{"a"}, .applies_at_online = true},
      {.name = "key", .type = parameter_type::binary,
       .default_value = std::vector<std::uint8_t>{0xAB}},
  };
}

property_value dword(std::uint64_t v) { return {.syntax = property_syntax::dword, .number = v}; }

}  // namespace

TEST_SUITE("core/parameter") {

TEST_CASE("defaults come from the declarations and round-trip as a property list") {
  auto v = parameter_values::defaults(example_declarations());
  REQUIRE(v);
  CHECK(v->number("online_ms") == 1000);
  CHECK(v->text("mode") == "fast");
  CHECK(v->missing() == std::vector<std::string>{"path"});
  const auto list = v->to_property_list();
  REQUIRE(list.size() == 7);
  CHECK(list[0].name == u"online_ms");
  CHECK(list[0].values[0] == dword(1000));
  CHECK(list[3].values[0].syntax == property_syntax::expand_sz);
  CHECK(list[4].values[0].syntax == property_syntax::ularge_integer);
  CHECK(list[5].values[0].texts == std::vector<std::u16string>{u"a"});
  auto decoded = pendop::decode_property_list(pendop::encode_property_list(list));
  REQUIRE(decoded);
  auto same = v->with_property_list(*decoded);
  REQUIRE(same);
  CHECK(*same == *v);
}

TEST_CASE("values are checked: unknown name, wrong type, out of range, not allowed") {
  auto v = parameter_values::defaults(example_declarations());
  REQUIRE(v);
  auto unknown = v->set("online", std::uint64_t{5});
  CHECK(unknown.error().code == pendop::make_error_code(errc::property_unknown));
  CHECK(unknown.error().message ==
        "unknown parameter \"online\", known: online_ms, ignore_terminate, mode, path, size, "
        "hosts, key");
  auto range = v->set("online_ms", std::uint64_t{90'000'000});
  CHECK(range.error().message == "online_ms: 90000000 is out of range, allowed 0..86400000");
  auto type = v->set("online_ms", std::string("5"));
  CHECK(type.error().message == "online_ms: expected a number (dword), got a string");
  auto allowed = v->set("mode", std::string("slow"));
  CHECK(allowed.error().message == "mode: \"slow\" is not allowed, allowed \"fast\", \"safe\"");
  CHECK(v->number("online_ms") == 1000);  // nothing changed
  REQUIRE(v->set("path", std::string("C:\\data")));
  CHECK(v->missing().empty());
}

TEST_CASE("text values: decimal numbers, newline-separated lists, hex bytes") {
  auto v = parameter_values::defaults(example_declarations());
  REQUIRE(v);
  REQUIRE(v->set_text("online_ms", "2500"));
  CHECK(v->number("online_ms") == 2500);
  CHECK(v->set_text("online_ms", "2.5").error().message ==
        "online_ms: \"2.5\" is not a whole number");
  REQUIRE(v->set_text("hosts", "a\nb"));
  CHECK(std::get<2>(v->get("hosts")) == std::vector<std::string>{"a", "b"});
  REQUIRE(v->set_text("key", "00ff10"));
  CHECK(std::get<3>(v->get("key")) == std::vector<std::uint8_t>{0x00, 0xFF, 0x10});
  CHECK(v->set_text("key", "0g").error().message == "key: \"0g\" is not hex");
}

TEST_CASE("a property list is applied all or nothing") {
  auto v = parameter_values::defaults(example_declarations());
  REQUIRE(v);
  const std::vector<property_entry> good{{u"online_ms", {dword(30)}}, {u"ignore_terminate", {dword(1)}}};
  auto next = v->with_property_list(good);
  REQUIRE(next);
  CHECK(next->number("online_ms") == 30);
  CHECK(next->number("ignore_terminate") == 1);
  CHECK(v->number("online_ms") == 1000);  // the original is untouched

  const std::vector<property_entry> bad{{u"online_ms", {dword(30)}}, {u"ignore_terminate", {dword(2)}}};
  auto refused = v->with_property_list(bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "ignore_terminate: 2 is out of range, allowed 0..1");

  const std::vector<property_entry> wrong_syntax{
      {u"online_ms", {{.syntax = property_syntax::sz, .text = u"30"}}}};
  CHECK(v->with_property_list(wrong_syntax).error().message ==
        "online_ms: expected a DWORD value, got SZ");
  const std::vector<property_entry> unknown{{u"onlinems", {dword(30)}}};
  CHECK(v->with_property_list(unknown).error().code ==
        pendop::make_error_code(errc::property_unknown));
  // Names ignore case, as a cluster's property names do.
  const std::vector<property_entry> other_case{{u"Online_MS", {dword(30)}}};
  auto cased = v->with_property_list(other_case);
  REQUIRE(cased);
  CHECK(cased->number("online_ms") == 30);
  CHECK(cased->changed_from(*v).size() == 1);
  CHECK(cased->changed_from(*v).front()->name == "online_ms");
  CHECK(cased->find("ONLINE_ms") == &cased->declared().front());
  CHECK(cased->find("nothing") == nullptr);
}

TEST_CASE("declarations that contradict themselves are refused") {
  auto dup = parameter_values::defaults({{.name = "a"}, {.name = "A"}});
  CHECK(dup.error().message == "parameter \"A\" is declared twice (names ignore case)");
  auto bad_default = parameter_values::defaults({{.name = "a", .default_value = 5u, .max = 1}});
  CHECK(bad_default.error().message ==
        "parameter \"a\": its default does not fit: a: 5 is out of range, allowed 0..1");
  auto wide = parameter_values::defaults({{.name = "a", .max = std::uint64_t{1} << 33}});
  CHECK(wide.error().message ==
        "parameter \"a\": a dword's max is at most 4294967295, not 8589934592");
  auto unnamed = parameter_values::defaults({{.name = ""}});
  CHECK(unnamed.error().message == "parameter 1 has no name");
}

}  // TEST_SUITE
