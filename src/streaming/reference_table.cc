#include "streaming/reference_table.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "streaming/schema_discovery.h"
#include "streaming/value_cast.h"

namespace gamelake {
namespace {

struct Field {
  std::string text;
  bool quoted = false;
  int line = 1;
  int column = 1;
};

// Splits RFC 4180 text into records of fields.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // The next record into *fields; false at the end of the text.
  Result<bool> Next(std::vector<Field>* fields) {
    fields->clear();
    if (at_ >= text_.size()) return false;
    for (;;) {
      Field f;
      f.line = line_;
      f.column = column_;
      GL_RETURN_IF_ERROR(ReadField(&f));
      fields->push_back(std::move(f));
      if (at_ >= text_.size()) return true;
      char c = text_[at_];
      Advance();
      if (c == ',') continue;
      if (c == '\r' && at_ < text_.size() && text_[at_] == '\n') Advance();
      return true;  // c was a line end.
    }
  }

 private:
  Status ReadField(Field* f) {
    if (at_ < text_.size() && text_[at_] == '"') {
      f->quoted = true;
      Advance();
      for (;;) {
        if (at_ >= text_.size()) {
          return Status::InvalidArgument(
              fmt::format("line {}, column {}: the quoted field never ends (a '\"' is missing)",
                          f->line, f->column));
        }
        char c = text_[at_];
        Advance();
        if (c != '"') {
          f->text.push_back(c);
        } else if (at_ < text_.size() && text_[at_] == '"') {
          f->text.push_back('"');
          Advance();
        } else {
          break;
        }
      }
      if (at_ < text_.size() && !IsEnd(text_[at_])) {
        return Status::InvalidArgument(
            fmt::format("line {}, column {}: after a quoted field comes ',' or the line's end",
                        line_, column_));
      }
      return Status::OK();
    }
    while (at_ < text_.size() && !IsEnd(text_[at_])) {
      f->text.push_back(text_[at_]);
      Advance();
    }
    return Status::OK();
  }

  static bool IsEnd(char c) { return c == ',' || c == '\n' || c == '\r'; }

  void Advance() {
    if (text_[at_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++at_;
  }

  std::string_view text_;
  size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// A field as discovery sees a JSON value: empty -> null, numbers, booleans, text.
JsonSample SampleOf(const Field& f) {
  if (f.text.empty() && !f.quoted) return std::monostate{};
  const char* end = f.text.data() + f.text.size();
  int64_t i = 0;
  if (auto [p, ec] = std::from_chars(f.text.data(), end, i); ec == std::errc() && p == end) {
    return i;
  }
  double d = 0;
  if (auto [p, ec] = std::from_chars(f.text.data(), end, d); ec == std::errc() && p == end) {
    return d;
  }
  if (f.text == "true" || f.text == "TRUE") return true;
  if (f.text == "false" || f.text == "FALSE") return false;
  return f.text;
}

Result<std::vector<std::string>> Header(const std::vector<Field>& fields) {
  if (fields.size() > kMaxReferenceColumns) {
    return Status::InvalidArgument(
        fmt::format("line 1: {} columns; at most {}", fields.size(), kMaxReferenceColumns));
  }
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const Field& f : fields) {
    if (f.text.empty()) {
      return Status::InvalidArgument(
          fmt::format("line 1, column {}: a column without a name", f.column));
    }
    if (!seen.insert(f.text).second) {
      return Status::InvalidArgument(
          fmt::format("line 1, column {}: column \"{}\" appears twice", f.column, f.text));
    }
    names.push_back(f.text);
  }
  return names;
}

}  // namespace

Result<ReferenceTable> ParseReferenceCsv(std::string name, std::string_view csv) {
  if (csv.size() > kMaxReferenceBytes) {
    return Status::InvalidArgument(fmt::format(
        "{} bytes of CSV; a reference table holds at most {}", csv.size(), kMaxReferenceBytes));
  }
  CsvReader reader(csv);
  std::vector<Field> fields;
  GL_ASSIGN_OR_RETURN(bool any, reader.Next(&fields));
  if (!any) return Status::InvalidArgument("line 1: no header (the CSV is empty)");
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, Header(fields));
  std::vector<std::vector<Field>> records;
  for (;;) {
    GL_ASSIGN_OR_RETURN(bool more, reader.Next(&fields));
    if (!more) break;
    if (fields.size() == 1 && fields[0].text.empty() && !fields[0].quoted) continue;  // Blank.
    if (fields.size() != names.size()) {
      return Status::InvalidArgument(fmt::format("line {}: {} fields, but the header names {}",
                                                 fields[0].line, fields.size(), names.size()));
    }
    records.push_back(fields);
  }
  ReferenceTable table;
  table.name = std::move(name);
  for (size_t c = 0; c < names.size(); ++c) {
    std::vector<JsonSample> samples;
    samples.reserve(records.size());
    for (const auto& r : records) samples.push_back(SampleOf(r[c]));
    table.schema.columns.push_back({names[c], InferSqlType(samples)});
  }
  table.rows.reserve(records.size());
  for (const auto& r : records) {
    StreamRow row;
    for (size_t c = 0; c < names.size(); ++c) {
      const SqlType& type = table.schema.columns[c].type;
      SqlValue v = SqlValue::Null(ValueTypeOf(type));
      if (!r[c].text.empty() || r[c].quoted) {
        Status s = CastValue(SqlValue::String(r[c].text), type, &v);
        if (!s.ok()) {
          return Status::InvalidArgument(
              fmt::format("line {}, column {}: {}", r[c].line, r[c].column, s.message()));
        }
      }
      row.values.push_back(std::move(v));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace gamelake
