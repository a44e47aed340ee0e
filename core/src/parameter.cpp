// SPDX-License-Identifier: MIT
#include <pendop/parameter.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pendop {

namespace {

// Property names compare case-insensitively, as the cluster's do (ASCII).
bool same_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Which alternative of parameter_value each type holds.
std::size_t alternative_of(parameter_type t) {
  switch (t) {
    case parameter_type::dword:
    case parameter_type::ularge: return 0;
    case parameter_type::string:
    case parameter_type::expand_string: return 1;
    case parameter_type::multi_string: return 2;
    case parameter_type::binary: return 3;
  }
  return 0;
}

std::string_view kind_of(std::size_t alternative) {
  switch (alternative) {
    case 0: return "a number";
    case 1: return "a string";
    case 2: return "a list of strings";
    default: return "bytes";
  }
}

property_syntax syntax_of(parameter_type t) {
  switch (t) {
    case parameter_type::dword: return property_syntax::dword;
    case parameter_type::ularge: return property_syntax::ularge_integer;
    case parameter_type::string: return property_syntax::sz;
    case parameter_type::expand_string: return property_syntax::expand_sz;
    case parameter_type::multi_string: return property_syntax::multi_sz;
    case parameter_type::binary: return property_syntax::binary;
  }
  return property_syntax::binary;
}

// The value a property carries for a parameter of type `t` (its first value
// of the matching syntax; an EXPAND_SZ may be followed by its EXPANDED_SZ),
// written to `out`.
result<void> value_of(const parameter& p, const property_entry& e, parameter_value& out) {
  const property_syntax want = syntax_of(p.type);
  const property_value& v = e.values.front();
  // A DWORD may come for a ULARGE parameter and the other way round.
  const bool number_ok = (p.type == parameter_type::dword || p.type == parameter_type::ularge) &&
                         (v.syntax == property_syntax::dword ||
                          v.syntax == property_syntax::ularge_integer);
  if (v.syntax != want && !number_ok) {
    return make_error(errc::property_wrong_type,
                      fmt::format("{}: expected a {} value, got {}", p.name, to_string(want),
                                  to_string(v.syntax)));
  }
  switch (p.type) {
    case parameter_type::dword:
    case parameter_type::ularge:
      out.emplace<0>(v.number);
      break;
    case parameter_type::string:
    case parameter_type::expand_string:
      out.emplace<1>(to_utf8(v.text));
      break;
    case parameter_type::multi_string: {
      auto& texts = out.emplace<2>();
      for (const auto& t : v.texts) texts.push_back(to_utf8(t));
      break;
    }
    case parameter_type::binary:
      out.emplace<3>(v.bytes);
      break;
  }
  return ok();
}

property_value property_of(const parameter& p, const parameter_value& v) {
  property_value out;
  out.syntax = syntax_of(p.type);
  switch (v.index()) {
    case 0: out.number = std::get<0>(v); break;
    case 1: out.text = to_utf16(std::get<1>(v)); break;
    case 2:
      for (const auto& t : std::get<2>(v)) out.texts.push_back(to_utf16(t));
      break;
    default: out.bytes = std::get<3>(v); break;
  }
  return out;
}

std::string known_names(const std::vector<parameter>& declared) {
  std::string out;
  for (const auto& p : declared) out += (out.empty() ? "" : ", ") + p.name;
  return out.empty() ? std::string("none") : out;
}

// Checks `v` against `p` alone (the declaration's own rules).
result<void> check_against(const parameter& p, const parameter_value& v) {
  if (v.index() != alternative_of(p.type)) {
    return make_error(errc::property_wrong_type,
                      fmt::format("{}: expected {} ({}), got {}", p.name,
                                  kind_of(alternative_of(p.type)), to_string(p.type),
                                  kind_of(v.index())));
  }
  if (v.index() == 0) {
    const auto n = std::get<0>(v);
    if (n < p.min || n > p.max) {
      return make_error(errc::property_out_of_range,
                        fmt::format("{}: {} is out of range, allowed {}..{}", p.name, n, p.min,
                                    p.max));
    }
  }
  if (v.index() == 1 && !p.allowed.empty() &&
      std::find(p.allowed.begin(), p.allowed.end(), std::get<1>(v)) == p.allowed.end()) {
    std::string allowed;
    for (const auto& a : p.allowed) allowed += (allowed.empty() ? "\"" : ", \"") + a + "\"";
    return make_error(errc::property_out_of_range,
                      fmt::format("{}: \"{}\" is not allowed, allowed {}", p.name, std::get<1>(v),
                                  allowed));
  }
  return ok();
}

}  // namespace

std::string_view to_string(parameter_type t) noexcept {
  switch (t) {
    case parameter_type::dword: return "dword";
    case parameter_type::ularge: return "ularge";
    case parameter_type::string: return "string";
    case parameter_type::expand_string: return "expand_string";
    case parameter_type::multi_string: return "multi_string";
    case parameter_type::binary: return "binary";
  }
  return "?";
}

parameter_values::parameter_values(std::vector<parameter> declared)
    : declared_(std::move(declared)), set_(declared_.size(), false) {
  for (const auto& p : declared_) values_.push_back(p.default_value);
}

result<parameter_values> parameter_values::defaults(std::vector<parameter> declared) {
  for (std::size_t i = 0; i < declared.size(); ++i) {
    const parameter& p = declared[i];
    if (p.name.empty()) {
      return make_error(errc::invalid_argument, fmt::format("parameter {} has no name", i + 1));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (same_name(declared[j].name, p.name)) {
        return make_error(errc::invalid_argument,
                          fmt::format("parameter \"{}\" is declared twice (names ignore case)",
                                      p.name));
      }
    }
    if (p.min > p.max) {
      return make_error(errc::invalid_argument,
                        fmt::format("parameter \"{}\": min {} is above max {}", p.name, p.min,
                                    p.max));
    }
    if (p.type == parameter_type::dword && p.max > std::numeric_limits<std::uint32_t>::max()) {
      return make_error(errc::invalid_argument,
                        fmt::format("parameter \"{}\": a dword's max is at most 4294967295, not {}",
                                    p.name, p.max));
    }
    if (auto fits = check_against(p, p.default_value); !fits) {
      return make_error(errc::invalid_argument,
                        fmt::format("parameter \"{}\": its default does not fit: {}", p.name,
                                    fits.error().message));
    }
  }
  return parameter_values(std::move(declared));
}

std::size_t parameter_values::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < declared_.size(); ++i) {
    if (same_name(declared_[i].name, name)) return i;
  }
  return declared_.size();
}

const parameter* parameter_values::find(std::string_view name) const noexcept {
  const std::size_t i = index_of(name);
  return i == declared_.size() ? nullptr : &declared_[i];
}

result<void> parameter_values::check(std::string_view name, const parameter_value& value) const {
  const std::size_t i = index_of(name);
  if (i == declared_.size()) {
    return make_error(errc::property_unknown, fmt::format("unknown parameter \"{}\", known: {}",
                                                          name, known_names(declared_)));
  }
  return check_against(declared_[i], value);
}

result<void> parameter_values::set(std::string_view name, parameter_value value) {
  if (auto ok_ = check(name, value); !ok_) return ok_.error();
  const std::size_t i = index_of(name);
  values_[i] = std::move(value);
  set_[i] = true;
  return ok();
}

result<void> parameter_values::set_text(std::string_view name, std::string_view text) {
  const std::size_t i = index_of(name);
  if (i == declared_.size()) return check(name, parameter_value{});
  const parameter& p = declared_[i];
  switch (p.type) {
    case parameter_type::dword:
    case parameter_type::ularge: {
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return make_error(errc::property_wrong_type,
                          fmt::format("{}: \"{}\" is not a whole number", p.name, text));
      }
      return set(name, n);
    }
    case parameter_type::string:
    case parameter_type::expand_string: return set(name, std::string(text));
    case parameter_type::multi_string: {
      std::vector<std::string> lines;
      std::size_t start = 0;
      while (start <= text.size() && !text.empty()) {
        const auto nl = text.find('\n', start);
        lines.emplace_back(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
      }
      return set(name, std::move(lines));
    }
    case parameter_type::binary: {
      if (text.size() % 2 != 0) {
        return make_error(errc::property_wrong_type,
                          fmt::format("{}: hex bytes come in pairs, \"{}\" has {} digits", p.name,
                                      text, text.size()));
      }
      std::vector<std::uint8_t> bytes;
      for (std::size_t k = 0; k < text.size(); k += 2) {
        unsigned b = 0;
        const auto [end, ec] = std::from_chars(text.data() + k, text.data() + k + 2, b, 16);
        if (ec != std::errc() || end != text.data() + k + 2) {
          return make_error(errc::property_wrong_type,
                            fmt::format("{}: \"{}\" is not hex", p.name, text));
        }
        bytes.push_back(static_cast<std::uint8_t>(b));
      }
      return set(name, std::move(bytes));
    }
  }
  return ok();
}

const parameter_value& parameter_values::get(std::string_view name) const {
  return values_.at(index_of(name));
}

std::uint64_t parameter_values::number(std::string_view name) const {
  return std::get<0>(get(name));
}

const std::string& parameter_values::text(std::string_view name) const {
  return std::get<1>(get(name));
}

std::vector<std::string> parameter_values::missing() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < declared_.size(); ++i) {
    if (declared_[i].required && !set_[i]) out.push_back(declared_[i].name);
  }
  return out;
}

std::vector<const parameter*> parameter_values::changed_from(const parameter_values& before) const {
  std::vector<const parameter*> out;
  for (std::size_t i = 0; i < declared_.size(); ++i) {
    const std::size_t j = before.index_of(declared_[i].name);
    if (j == before.declared_.size() || before.values_[j] != values_[i]) {
      out.push_back(&declared_[i]);
    }
  }
  return out;
}

std::vector<property_entry> parameter_values::to_property_list() const {
  std::vector<property_entry> out;
  for (std::size_t i = 0; i < declared_.size(); ++i) {
    out.push_back({to_utf16(declared_[i].name), {property_of(declared_[i], values_[i])}});
  }
  return out;
}

result<parameter_values> parameter_values::with_property_list(
    std::span<const property_entry> list) const {
  parameter_values next = *this;
  for (const auto& e : list) {
    const std::string name = to_utf8(e.name);
    const std::size_t i = index_of(name);
    if (i == declared_.size()) {
      return make_error(errc::property_unknown, fmt::format("unknown parameter \"{}\", known: {}",
                                                            name, known_names(declared_)));
    }
    if (e.values.empty()) {
      return make_error(errc::property_wrong_type, fmt::format("{}: no value", name));
    }
    parameter_value v;
    if (auto read = value_of(declared_[i], e, v); !read) return read.error();
    if (auto set_ok = next.set(name, std::move(v)); !set_ok) return set_ok.error();
  }
  return next;
}

}  // namespace pendop
