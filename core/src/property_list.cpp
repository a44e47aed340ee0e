// SPDX-License-Identifier: MIT
#include <pendop/host/property_list.hpp>

#include <fmt/format.h>

#include <limits>

namespace pendop {

namespace {

constexpr std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

class writer {
 public:
  void dword(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void qword(std::uint64_t v) {
    dword(static_cast<std::uint32_t>(v));
    dword(static_cast<std::uint32_t>(v >> 32));
  }
  void utf16(std::u16string_view s) {
    for (char16_t c : s) {
      out_.push_back(static_cast<std::uint8_t>(c & 0xFF));
      out_.push_back(static_cast<std::uint8_t>(c >> 8));
    }
  }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void pad() { out_.resize(align4(out_.size()), 0); }
  // A syntax, then the length of what the caller writes next.
  void header(property_syntax s, std::size_t length) {
    dword(static_cast<std::uint32_t>(s));
    dword(static_cast<std::uint32_t>(length));
  }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  std::vector<std::uint8_t> out_;
};

std::size_t string_bytes(std::u16string_view s) { return (s.size() + 1) * 2; }

void write_value(writer& w, const property_value& v) {
  switch (v.syntax) {
    case property_syntax::dword:
      w.header(v.syntax, 4);
      w.dword(static_cast<std::uint32_t>(v.number));
      break;
    case property_syntax::ularge_integer:
      w.header(v.syntax, 8);
      w.qword(v.number);
      break;
    case property_syntax::word:
      w.header(v.syntax, 2);
      w.dword(static_cast<std::uint16_t>(v.number));  // two bytes of value, two of padding
      return;
    case property_syntax::sz:
    case property_syntax::expand_sz:
    case property_syntax::expanded_sz:
      w.header(v.syntax, string_bytes(v.text));
      w.utf16(v.text);
      w.utf16(std::u16string_view(u"\0", 1));
      break;
    case property_syntax::multi_sz: {
      std::size_t n = 2;  // the final empty string
      for (const auto& t : v.texts) n += string_bytes(t);
      w.header(v.syntax, n);
      for (const auto& t : v.texts) {
        w.utf16(t);
        w.utf16(std::u16string_view(u"\0", 1));
      }
      w.utf16(std::u16string_view(u"\0", 1));
      break;
    }
    case property_syntax::binary:
      w.header(v.syntax, v.bytes.size());
      w.bytes(v.bytes);
      break;
    case property_syntax::endmark:
    case property_syntax::name:
      return;  // not values: nothing is written
  }
  w.pad();
}

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> b) : b_(b) {}

  [[nodiscard]] std::size_t at() const noexcept { return pos_; }
  [[nodiscard]] std::size_t left() const noexcept { return b_.size() - pos_; }

  result<std::uint32_t> dword(std::string_view what) {
    if (left() < 4) return fail(fmt::format("the list ends inside {}", what));
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(b_[pos_ + i]) << (8 * i);
    pos_ += 4;
    return v;
  }

  // `length` data bytes, then the padding to a DWORD boundary.
  result<std::span<const std::uint8_t>> data(std::size_t length, std::string_view what) {
    if (length > left()) {
      return fail(fmt::format("{} claims {} bytes but only {} remain", what, length, left()));
    }
    auto d = b_.subspan(pos_, length);
    pos_ = std::min(align4(pos_ + length), b_.size());
    return d;
  }

  error fail(std::string_view what) const {
    return make_error(errc::invalid_argument,
                      fmt::format("property list: byte {}: {}", pos_, what));
  }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
};

// UTF-16 code units of `d`, which must end with `nulls` null characters.
result<std::u16string> utf16_of(reader& r, std::span<const std::uint8_t> d,
                                std::string_view what) {
  if (d.size() % 2 != 0) return r.fail(fmt::format("{} has an odd length ({} bytes)", what, d.size()));
  std::u16string s;
  s.reserve(d.size() / 2);
  for (std::size_t i = 0; i < d.size(); i += 2) {
    s.push_back(static_cast<char16_t>(d[i] | (d[i + 1] << 8)));
  }
  if (s.empty() || s.back() != u'\0') {
    return r.fail(fmt::format("{} does not end with a null character", what));
  }
  return s;
}

result<property_value> read_value(reader& r, property_syntax syntax, std::uint32_t length) {
  property_value v;
  v.syntax = syntax;
  const std::string what = fmt::format("a {} value", to_string(syntax));
  auto d = r.data(length, what);
  if (!d) return d.error();
  auto fixed = [&](std::size_t n) -> result<std::uint64_t> {
    if (d->size() != n) {
      return r.fail(fmt::format("{} has length {}, it must be {}", what, d->size(), n));
    }
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < n; ++i) x |= static_cast<std::uint64_t>((*d)[i]) << (8 * i);
    return x;
  };
  switch (syntax) {
    case property_syntax::dword:
    case property_syntax::ularge_integer:
    case property_syntax::word: {
      auto x = fixed(syntax == property_syntax::dword ? 4 : syntax == property_syntax::word ? 2 : 8);
      if (!x) return x.error();
      v.number = *x;
      return v;
    }
    case property_syntax::sz:
    case property_syntax::expand_sz:
    case property_syntax::expanded_sz: {
      auto s = utf16_of(r, *d, what);
      if (!s) return s.error();
      s->pop_back();
      if (s->find(u'\0') != std::u16string::npos) {
        return r.fail(fmt::format("{} has a null character inside", what));
      }
      v.text = std::move(*s);
      return v;
    }
    case property_syntax::multi_sz: {
      auto s = utf16_of(r, *d, what);
      if (!s) return s.error();
      if (s->size() < 2 || (*s)[s->size() - 2] != u'\0') {
        if (*s != std::u16string(1, u'\0')) {
          return r.fail(fmt::format("{} does not end with two null characters", what));
        }
        return v;  // a lone null: no strings
      }
      s->pop_back();  // the list's own terminator
      std::size_t start = 0;
      for (std::size_t i = 0; i < s->size(); ++i) {
        if ((*s)[i] != u'\0') continue;
        v.texts.emplace_back(s->substr(start, i - start));
        start = i + 1;
      }
      return v;
    }
    case property_syntax::binary:
      v.bytes.assign(d->begin(), d->end());
      return v;
    case property_syntax::endmark:
    case property_syntax::name:
      break;
  }
  return r.fail(fmt::format("syntax {} is not a value", to_string(syntax)));
}

bool known_value_syntax(std::uint32_t s) {
  switch (static_cast<property_syntax>(s)) {
    case property_syntax::binary:
    case property_syntax::dword:
    case property_syntax::sz:
    case property_syntax::expand_sz:
    case property_syntax::multi_sz:
    case property_syntax::ularge_integer:
    case property_syntax::expanded_sz:
    case property_syntax::word:
      return true;
    case property_syntax::endmark:
    case property_syntax::name:
      return false;
  }
  return false;
}

}  // namespace

std::string to_string(property_syntax s) {
  switch (s) {
    case property_syntax::endmark: return "ENDMARK";
    case property_syntax::name: return "NAME";
    case property_syntax::binary: return "BINARY";
    case property_syntax::dword: return "DWORD";
    case property_syntax::sz: return "SZ";
    case property_syntax::expand_sz: return "EXPAND_SZ";
    case property_syntax::multi_sz: return "MULTI_SZ";
    case property_syntax::ularge_integer: return "ULARGE_INTEGER";
    case property_syntax::expanded_sz: return "EXPANDED_SZ";
    case property_syntax::word: return "WORD";
  }
  return fmt::format("0x{:08x}", static_cast<std::uint32_t>(s));
}

std::vector<std::uint8_t> encode_property_list(std::span<const property_entry> list) {
  writer w;
  w.dword(static_cast<std::uint32_t>(list.size()));
  for (const auto& p : list) {
    w.header(property_syntax::name, string_bytes(p.name));
    w.utf16(p.name);
    w.utf16(std::u16string_view(u"\0", 1));
    w.pad();
    for (const auto& v : p.values) write_value(w, v);
    w.dword(static_cast<std::uint32_t>(property_syntax::endmark));
  }
  return w.take();
}

result<std::vector<property_entry>> decode_property_list(std::span<const std::uint8_t> bytes) {
  reader r(bytes);
  auto count = r.dword("the property count");
  if (!count) return count.error();
  // Each property takes at least 16 bytes (a name header, the shortest name
  // and an end mark): a bound before anything is reserved.
  if (*count > r.left() / 16) {
    return r.fail(fmt::format("{} properties cannot fit in the {} bytes that follow", *count,
                              r.left()));
  }
  std::vector<property_entry> out;
  out.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    const std::string which = fmt::format("property {} of {}", i + 1, *count);
    auto syntax = r.dword(which);
    if (!syntax) return syntax.error();
    if (*syntax != static_cast<std::uint32_t>(property_syntax::name)) {
      return r.fail(fmt::format("{} starts with syntax 0x{:08x}, not NAME (0x00040003)", which,
                                *syntax));
    }
    auto length = r.dword(which);
    if (!length) return length.error();
    auto d = r.data(*length, fmt::format("the name of {}", which));
    if (!d) return d.error();
    auto name = utf16_of(r, *d, fmt::format("the name of {}", which));
    if (!name) return name.error();
    name->pop_back();
    if (name->empty() || name->find(u'\0') != std::u16string::npos) {
      return r.fail(fmt::format("the name of {} is empty or has a null character inside", which));
    }
    property_entry p{std::move(*name), {}};
    while (true) {
      auto s = r.dword(fmt::format("the values of \"{}\"", to_utf8(p.name)));
      if (!s) return s.error();
      if (*s == static_cast<std::uint32_t>(property_syntax::endmark)) break;
      if (!known_value_syntax(*s)) {
        return r.fail(fmt::format("\"{}\" has a value of unknown syntax 0x{:08x}", to_utf8(p.name),
                                  *s));
      }
      if (p.values.size() == 3) {
        return r.fail(fmt::format("\"{}\" has more than three values", to_utf8(p.name)));
      }
      auto len = r.dword(fmt::format("a value of \"{}\"", to_utf8(p.name)));
      if (!len) return len.error();
      auto v = read_value(r, static_cast<property_syntax>(*s), *len);
      if (!v) return v.error();
      p.values.push_back(std::move(*v));
    }
    if (p.values.empty()) {
      return r.fail(fmt::format("\"{}\" has no value", to_utf8(p.name)));
    }
    out.push_back(std::move(p));
  }
  if (r.left() != 0) {
    return r.fail(fmt::format("{} bytes follow the last of the {} properties", r.left(), *count));
  }
  return out;
}

std::u16string to_utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    std::size_t n = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6) {
      n = 2;
    } else if ((c >> 4) == 0xE) {
      n = 3;
    } else if ((c >> 3) == 0x1E) {
      n = 4;
    }
    if (n > 1) {
      if (i + n > s.size()) {
        n = 1;
      } else {
        cp = c & (0xFF >> (n + 1));
        for (std::size_t k = 1; k < n; ++k) {
          const auto cc = static_cast<unsigned char>(s[i + k]);
          if ((cc >> 6) != 0x2) {
            cp = 0xFFFD;
            n = k;
            break;
          }
          cp = (cp << 6) | (cc & 0x3F);
        }
        const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
                              (n == 4 && cp < 0x10000);
        if (cp != 0xFFFD && (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) {
          cp = 0xFFFD;
        }
      }
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += n;
  }
  return out;
}

std::string to_utf8(std::u16string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char32_t cp = s[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
        s[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

}  // namespace pendop
