// SPDX-License-Identifier: MIT
// CLUSPROP property lists against byte layouts written from the documentation
// (MS-CMRP 2.2.3.10 and "Property Lists"): counts, DWORD alignment, lengths
// without padding, one end mark per property, little-endian.
#include <pendop/host/property_list.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

using pendop::property_entry;
using pendop::property_syntax;
using pendop::property_value;
using bytes = std::vector<std::uint8_t>;

namespace {

property_value dword(std::uint32_t v) { return {.syntax = property_syntax::dword, .number = v}; }

std::string error_of(const bytes& b) {
  auto r = pendop::decode_property_list(b);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pendop::make_error_code(pendop::errc::invalid_argument));
  return r.error().message;
}

}  // namespace

TEST_SUITE("core/property_list") {

TEST_CASE("one DWORD property: count, name, value, end mark, 32 bytes") {
  const std::vector<property_entry> list{{u"A", {dword(5)}}};
  const bytes expected{
      0x01, 0x00, 0x00, 0x00,  // propertyCount 1
      0x03, 0x00, 0x04, 0x00,  // CLUSPROP_SYNTAX_NAME 0x00040003
      0x04, 0x00, 0x00, 0x00,  // name length: "A\0" in UTF-16, 4 bytes
      0x41, 0x00, 0x00, 0x00,  // 'A', null (already DWORD-aligned)
      0x02, 0x00, 0x01, 0x00,  // CLUSPROP_SYNTAX_LIST_VALUE_DWORD 0x00010002
      0x04, 0x00, 0x00, 0x00,  // length 4
      0x05, 0x00, 0x00, 0x00,  // 5
      0x00, 0x00, 0x00, 0x00,  // CLUSPROP_SYNTAX_ENDMARK
  };
  CHECK(pendop::encode_property_list(list) == expected);
  auto back = pendop::decode_property_list(expected);
  REQUIRE(back);
  CHECK(*back == list);
}

TEST_CASE("names and strings are padded to DWORDs, and the padding is not counted") {
  const std::vector<property_entry> list{
      {u"AB", {{.syntax = property_syntax::sz, .text = u"x"}}}};
  const bytes expected{
      0x01, 0x00, 0x00, 0x00,                          // one property
      0x03, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00,  // NAME, 6 bytes: "AB\0"
      0x41, 0x00, 0x42, 0x00, 0x00, 0x00, 0x00, 0x00,  // "AB\0" + 2 bytes padding
      0x03, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00,  // LIST_VALUE_SZ, 4 bytes: "x\0"
      0x78, 0x00, 0x00, 0x00,                          // "x\0"
      0x00, 0x00, 0x00, 0x00,                          // end mark
  };
  CHECK(pendop::encode_property_list(list) == expected);
  CHECK(*pendop::decode_property_list(expected) == list);
}

TEST_CASE("MULTI_SZ ends with two nulls, ULARGE_INTEGER is 8 bytes, BINARY is padded") {
  const std::vector<property_entry> list{
      {u"M", {{.syntax = property_syntax::multi_sz, .texts = {u"a", u"b"}}}},
      {u"U", {{.syntax = property_syntax::ularge_integer, .number = 0x0102030405060708ULL}}},
      {u"B", {{.syntax = property_syntax::binary, .bytes = {0xAA, 0xBB, 0xCC}}}},
  };
  const bytes encoded = pendop::encode_property_list(list);
  const bytes multi_sz{0x05, 0x00, 0x01, 0x00, 0x0A, 0x00, 0x00, 0x00,  // MULTI_SZ, 10 bytes
                       0x61, 0x00, 0x00, 0x00, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00,  // a\0b\0\0
                       0x00, 0x00};                                                 // padding
  CHECK(bytes(encoded.begin() + 16, encoded.begin() + 16 + 20) == multi_sz);
  const bytes ularge{0x06, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00,
                     0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  CHECK(bytes(encoded.begin() + 52, encoded.begin() + 68) == ularge);
  const bytes binary{0x01, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0xAA, 0xBB, 0xCC, 0x00};
  CHECK(bytes(encoded.begin() + 84, encoded.begin() + 96) == binary);
  CHECK(encoded.size() == 100);
  CHECK(*pendop::decode_property_list(encoded) == list);
}

TEST_CASE("an EXPAND_SZ property may carry its EXPANDED_SZ form as a second value") {
  const std::vector<property_entry> list{
      {u"Path",
       {{.syntax = property_syntax::expand_sz, .text = u"%TEMP%\\x"},
        {.syntax = property_syntax::expanded_sz, .text = u"C:\\Temp\\x"}}}};
  auto back = pendop::decode_property_list(pendop::encode_property_list(list));
  REQUIRE(back);
  CHECK(*back == list);
}

TEST_CASE("a property format is a LIST_VALUE_WORD: length 2, two bytes of padding") {
  const std::vector<property_entry> list{
      {u"A", {{.syntax = property_syntax::word, .number = 2}}}};  // CLUSPROP_FORMAT_DWORD
  const bytes expected{
      0x01, 0x00, 0x00, 0x00,                          // one property
      0x03, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00,  // NAME, 4 bytes
      0x41, 0x00, 0x00, 0x00,                          // "A\0"
      0x0B, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,  // LIST_VALUE_WORD 0x0001000B, 2 bytes
      0x02, 0x00, 0x00, 0x00,                          // 2, then padding
      0x00, 0x00, 0x00, 0x00,                          // end mark
  };
  CHECK(pendop::encode_property_list(list) == expected);
  auto back = pendop::decode_property_list(expected);
  REQUIRE(back);
  CHECK(*back == list);
  CHECK(pendop::to_string(property_syntax::word) == "WORD");
}

TEST_CASE("malformed lists are refused with the byte offset and what is wrong") {
  CHECK(error_of({}) == "property list: byte 0: the list ends inside the property count");
  CHECK(error_of({0xFF, 0xFF, 0xFF, 0xFF}) ==
        "property list: byte 4: 4294967295 properties cannot fit in the 0 bytes that follow");
  auto good = pendop::encode_property_list(std::vector<property_entry>{{u"A", {dword(5)}}});

  auto truncated = good;
  truncated.resize(good.size() - 4);
  CHECK(error_of(truncated) == "property list: byte 28: the list ends inside the values of \"A\"");

  auto bad_syntax = good;
  bad_syntax[4] = 0x02;  // NAME -> something else
  CHECK(error_of(bad_syntax) ==
        "property list: byte 8: property 1 of 1 starts with syntax 0x00040002, not NAME "
        "(0x00040003)");

  auto odd = good;
  odd[8] = 0x03;  // name length 3
  CHECK(error_of(odd) == "property list: byte 16: the name of property 1 of 1 has an odd length "
                         "(3 bytes)");

  auto long_name = good;
  long_name[8] = 0xFF;
  CHECK(error_of(long_name) ==
        "property list: byte 12: the name of property 1 of 1 claims 255 bytes but only 20 remain");

  auto short_dword = good;
  short_dword[20] = 0x02;  // DWORD value of length 2
  CHECK(error_of(short_dword) ==
        "property list: byte 28: a DWORD value has length 2, it must be 4");

  auto unknown = good;
  unknown[16] = 0x99;
  CHECK(error_of(unknown) ==
        "property list: byte 20: \"A\" has a value of unknown syntax 0x00010099");

  auto trailing = good;
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  CHECK(error_of(trailing) == "property list: byte 32: 4 bytes follow the last of the 1 properties");

  auto no_value = pendop::encode_property_list(std::vector<property_entry>{{u"A", {}}});
  CHECK(error_of(no_value) == "property list: byte 20: \"A\" has no value");
}

TEST_CASE("UTF-8 and UTF-16 convert both ways and ill-formed input becomes U+FFFD") {
  CHECK(pendop::to_utf16("online_ms") == u"online_ms");
  CHECK(pendop::to_utf8(pendop::to_utf16("Grüße €𝄞")) == "Grüße €𝄞");
  CHECK(pendop::to_utf16("\xC3") == u"\uFFFD");
  CHECK(pendop::to_utf8(u"\xD800x") == "\xEF\xBF\xBDx");
}

}  // TEST_SUITE
