// The JSON, CSV and table writers behind NewResultWriter().
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "query/result_sink.h"

namespace gamelake {

namespace {

// Buffers output and hands it on in pieces of about flush_bytes.
class Buffered : public ResultSink {
 public:
  Buffered(Output output, size_t flush_bytes)
      : output_(std::move(output)), flush_bytes_(flush_bytes) {}

 protected:
  Status MaybeFlush() {
    if (out_.size() < flush_bytes_) return Status::OK();
    return Flush();
  }
  Status Flush() {
    if (out_.empty()) return Status::OK();
    bool ok = output_(out_);
    out_.clear();
    if (!ok) return Status::Cancelled("the client went away");
    return Status::OK();
  }
  std::string out_;

 private:
  Output output_;
  size_t flush_bytes_;
};

void AppendNumber(std::string* out, const Cell& c) {
  switch (c.kind) {
    case Cell::Kind::kInt:
      fmt::format_to(std::back_inserter(*out), "{}", c.i);
      break;
    case Cell::Kind::kUInt:
      fmt::format_to(std::back_inserter(*out), "{}", c.u);
      break;
    case Cell::Kind::kDouble:
      if (std::isfinite(c.d)) {
        fmt::format_to(std::back_inserter(*out), "{}", c.d);
      } else {
        out->append(std::isnan(c.d) ? "NaN" : (c.d > 0 ? "Infinity" : "-Infinity"));
      }
      break;
    default:
      out->append(c.text);
  }
}

class JsonResultWriter final : public Buffered {
 public:
  using Buffered::Buffered;

  Status Begin(const std::vector<ResultColumn>& columns) override {
    out_ += "{\"columns\":[";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) out_ += ',';
      out_ += "{\"name\":";
      AppendJsonString(&out_, columns[i].name);
      out_ += ",\"type\":";
      AppendJsonString(&out_, columns[i].type);
      out_ += '}';
    }
    out_ += "],\"rows\":[";
    return Status::OK();
  }

  Status AddRow(std::span<const Cell> row) override {
    if (rows_++) out_ += ',';
    out_ += '[';
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out_ += ',';
      const Cell& c = row[i];
      switch (c.kind) {
        case Cell::Kind::kNull:
          out_ += "null";
          break;
        case Cell::Kind::kBool:
          out_ += c.b ? "true" : "false";
          break;
        case Cell::Kind::kDouble:
          // JSON has no NaN or infinities.
          if (std::isfinite(c.d)) {
            AppendNumber(&out_, c);
          } else {
            AppendJsonString(&out_, std::isnan(c.d) ? "NaN" : (c.d > 0 ? "Infinity" : "-Infinity"));
          }
          break;
        case Cell::Kind::kInt:
        case Cell::Kind::kUInt:
        case Cell::Kind::kNumberText:
          AppendNumber(&out_, c);
          break;
        case Cell::Kind::kString:
          AppendJsonString(&out_, c.text);
          break;
        case Cell::Kind::kJson:
          out_.append(c.text.empty() ? std::string_view("null") : c.text);
          break;
      }
    }
    out_ += ']';
    return MaybeFlush();
  }

  Status Finish(const QueryStats& stats) override {
    fmt::format_to(std::back_inserter(out_),
                   "],\"row_count\":{},\"elapsed_ms\":{:.3f},\"bytes_scanned\":{},"
                   "\"query_id\":{}}}\n",
                   stats.row_count, stats.elapsed_ms, stats.bytes_scanned, stats.query_id);
    return Flush();
  }

  void Abort(const Status& error) override {
    out_ += "],\"error\":{\"code\":";
    AppendJsonString(&out_, CodeName(error.code()));
    out_ += ",\"message\":";
    AppendJsonString(&out_, error.message());
    out_ += "}}\n";
    (void)Flush();
  }

 private:
  uint64_t rows_ = 0;
};

void AppendCsvField(std::string* out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

class CsvResultWriter final : public Buffered {
 public:
  using Buffered::Buffered;

  Status Begin(const std::vector<ResultColumn>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) out_ += ',';
      AppendCsvField(&out_, columns[i].name);
    }
    out_ += "\r\n";
    return Status::OK();
  }

  Status AddRow(std::span<const Cell> row) override {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out_ += ',';
      const Cell& c = row[i];
      switch (c.kind) {
        case Cell::Kind::kNull:
          break;
        case Cell::Kind::kBool:
          out_ += c.b ? "true" : "false";
          break;
        case Cell::Kind::kInt:
        case Cell::Kind::kUInt:
        case Cell::Kind::kDouble:
        case Cell::Kind::kNumberText:
          AppendNumber(&out_, c);
          break;
        case Cell::Kind::kString:
        case Cell::Kind::kJson:
          AppendCsvField(&out_, c.text);
          break;
      }
    }
    out_ += "\r\n";
    return MaybeFlush();
  }

  Status Finish(const QueryStats&) override { return Flush(); }
  // CSV cannot carry an error in-band: the caller cuts the stream short.
  void Abort(const Status&) override { (void)Flush(); }
};

// Holds up to max_rows rows to size the columns, then prints them.
class TableResultWriter final : public Buffered {
 public:
  TableResultWriter(Output output, size_t flush_bytes, uint64_t max_rows)
      : Buffered(std::move(output), flush_bytes), max_rows_(max_rows) {}

  Status Begin(const std::vector<ResultColumn>& columns) override {
    header_.clear();
    for (const auto& c : columns) header_.push_back(c.name);
    return Status::OK();
  }

  Status AddRow(std::span<const Cell> row) override {
    ++total_;
    if (rows_.size() >= max_rows_) return Status::OK();
    std::vector<std::string> r;
    r.reserve(row.size());
    for (const Cell& c : row) {
      std::string s;
      switch (c.kind) {
        case Cell::Kind::kNull:
          s = "NULL";
          break;
        case Cell::Kind::kBool:
          s = c.b ? "true" : "false";
          break;
        case Cell::Kind::kString:
        case Cell::Kind::kJson:
          s = std::string(c.text);
          break;
        default:
          AppendNumber(&s, c);
      }
      for (char& ch : s) {
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
      }
      r.push_back(std::move(s));
    }
    rows_.push_back(std::move(r));
    return Status::OK();
  }

  Status Finish(const QueryStats& stats) override {
    Print();
    fmt::format_to(std::back_inserter(out_), "({} row{}{}, {:.1f} ms, {} bytes scanned)\n", total_,
                   total_ == 1 ? "" : "s",
                   total_ > rows_.size() ? fmt::format(", {} shown", rows_.size()) : "",
                   stats.elapsed_ms, stats.bytes_scanned);
    return Flush();
  }

  void Abort(const Status&) override {
    Print();
    (void)Flush();
  }

 private:
  static size_t Width(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // Code points, roughly columns.
    return n;
  }
  void Print() {
    std::vector<size_t> widths(header_.size());
    for (size_t i = 0; i < header_.size(); ++i) widths[i] = Width(header_[i]);
    for (const auto& r : rows_) {
      for (size_t i = 0; i < r.size() && i < widths.size(); ++i) {
        widths[i] = std::min<size_t>(std::max(widths[i], Width(r[i])), 60);
      }
    }
    auto line = [&](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size(); ++i) {
        std::string cell = cells[i];
        if (Width(cell) > widths[i]) {
          while (!cell.empty() && Width(cell) > widths[i] - 1) cell.pop_back();
          cell += "~";
        }
        out_ += i ? " | " : "";
        out_ += cell;
        if (i + 1 < cells.size()) out_.append(widths[i] - Width(cell), ' ');
      }
      out_ += '\n';
    };
    line(header_);
    for (size_t i = 0; i < widths.size(); ++i) {
      out_ += i ? "-+-" : "";
      out_.append(widths[i], '-');
    }
    out_ += '\n';
    for (const auto& r : rows_) line(r);
  }

  uint64_t max_rows_;
  uint64_t total_ = 0;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace

std::unique_ptr<ResultSink> NewResultWriter(ResultFormat format, Output output, size_t flush_bytes,
                                            uint64_t max_table_rows) {
  switch (format) {
    case ResultFormat::kJson:
      return std::make_unique<JsonResultWriter>(std::move(output), flush_bytes);
    case ResultFormat::kCsv:
      return std::make_unique<CsvResultWriter>(std::move(output), flush_bytes);
    case ResultFormat::kTable:
      return std::make_unique<TableResultWriter>(std::move(output), flush_bytes, max_table_rows);
  }
  return nullptr;
}

}  // namespace gamelake
