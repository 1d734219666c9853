#include "query/view_builder.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "delivery/schema_inferrer.h"

namespace gamelake {

namespace {

struct Column {
  std::string name;
  SqlType type;
  std::string tail_key;  // The record key in the live tail, if it has one.
  bool from_tail = false;
};

// "2026-11-26" + "10" -> the hour's [start, end) as SQL timestamps.
std::optional<std::pair<std::string, std::string>> HourRange(std::string_view dt,
                                                             std::string_view hr) {
  if (dt.size() != 10 || dt[4] != '-' || dt[7] != '-' || hr.size() != 2) return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(dt[i]))) return std::nullopt;
  }
  if (!std::isdigit(static_cast<unsigned char>(hr[0])) ||
      !std::isdigit(static_cast<unsigned char>(hr[1]))) {
    return std::nullopt;
  }
  struct tm tm {};
  tm.tm_year = std::stoi(std::string(dt.substr(0, 4))) - 1900;
  tm.tm_mon = std::stoi(std::string(dt.substr(5, 2))) - 1;
  tm.tm_mday = std::stoi(std::string(dt.substr(8, 2)));
  tm.tm_hour = std::stoi(std::string(hr));
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23) return std::nullopt;
  time_t start = timegm(&tm);
  time_t end = start + 3600;
  auto fmt_time = [](time_t t) {
    struct tm out {};
    gmtime_r(&t, &out);
    return fmt::format("TIMESTAMP '{:04}-{:02}-{:02} {:02}:00:00'", out.tm_year + 1900,
                       out.tm_mon + 1, out.tm_mday, out.tm_hour);
  };
  return std::make_pair(fmt_time(start), fmt_time(end));
}

std::string PartitionValue(const CatalogFile& f, std::string_view key) {
  for (const auto& [k, v] : f.partitions) {
    if (k == key) return QuoteLiteral(v);
  }
  return "CAST(NULL AS VARCHAR)";
}

const ColumnInfo* FindColumn(const std::vector<ColumnInfo>& columns, std::string_view name) {
  for (const auto& c : columns) {
    if (EqualsIgnoreCase(c.name, name)) return &c;
  }
  return nullptr;
}

std::string CastTo(const std::string& expr, const SqlType& from, const SqlType& to) {
  std::string to_text = to.ToString();
  if (from.ToString() == to_text) return expr;
  return fmt::format("CAST({} AS {})", expr, to_text);
}

std::string ColumnsSpec(const std::vector<ColumnInfo>& columns) {
  std::string spec = "{";
  for (size_t i = 0; i < columns.size(); ++i) {
    spec += fmt::format("{}{}: {}", i ? ", " : "", QuoteLiteral(columns[i].name),
                        QuoteLiteral(columns[i].type.ToString()));
  }
  return spec + "}";
}

std::string FileList(const std::string& lake_dir, const std::vector<const CatalogFile*>& files) {
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    list += (i ? ", " : "") + QuoteLiteral(lake_dir + "/" + files[i]->path);
  }
  return list + "]";
}

// The key that groups files one read_* call can read together.
// Up to this many files, a table's view gives the optimizer every Parquet
// file's column statistics (see TableViewSelect); binding then costs about
// 10-20 us per file with the footer cache (measured: 2,000 files, +25-40 ms).
constexpr size_t kStatisticsMaxFiles = 1000;

std::string GroupKey(const CatalogFile& f) {
  std::string key = fmt::format("{}|{}|{}|", FileFormatName(f.format), f.gzip, f.first_seq > 0);
  for (const auto& [k, v] : f.partitions) key += k + "=" + v + "/";
  key += "|";
  for (const auto& c : f.columns) key += c.name + " " + c.type.ToString() + ",";
  return key;
}

// The SELECT of a table's view (see query_engine.h). hour_bounds: each
// delivered file's branch also states its hour's _ingest_time range.
std::string TableViewSelect(const std::string& name, const CatalogTable* table,
                            const SqlType* tail_type, bool with_tail, const std::string& lake_dir,
                            bool hour_bounds) {
  // Columns learnt from the tail stay in the schema even while the tail holds
  // nothing of this table, so a table's shape does not flicker.
  std::vector<Column> columns;
  std::vector<std::string> partition_keys;
  if (table != nullptr) {
    for (const auto& c : table->columns) columns.push_back({c.name, c.type, "", false});
    partition_keys = table->partition_keys;
  }
  if (table == nullptr || table->files.empty()) {
    // A stream with nothing delivered yet: the shape delivery will give it.
    auto has = [&](std::string_view n) {
      return std::any_of(columns.begin(), columns.end(),
                         [&](const Column& c) { return EqualsIgnoreCase(c.name, n); });
    };
    if (!has("_ingest_time"))
      columns.insert(columns.begin(), {"_ingest_time", SqlType::Scalar("TIMESTAMP"), "", false});
    if (!has("_record_id"))
      columns.insert(columns.begin() + 1, {"_record_id", SqlType::Scalar("BIGINT"), "", false});
    if (partition_keys.empty()) partition_keys = {"dt", "hr"};
  }
  // The tail's keys within the limits delivery will apply; the rest are in
  // the overflow column, as they will be in the delivered file.
  std::vector<std::string> tail_overflow;
  SqlType bounded_tail;
  if (tail_type != nullptr && tail_type->kind == SqlType::Kind::kStruct) {
    std::set<std::string> known;
    if (table != nullptr) {
      for (const auto& c : table->columns) known.insert(c.name);
    }
    bounded_tail = BoundedRecordType(*tail_type, ColumnLimits{}, known, &tail_overflow);
    tail_type = &bounded_tail;
  }
  if (tail_type != nullptr && tail_type->kind == SqlType::Kind::kStruct) {
    for (size_t i = 0; i < tail_type->field_names.size(); ++i) {
      const std::string& key = tail_type->field_names[i];
      const SqlType& type = tail_type->children[i];
      // Delivery renames such keys (<key>_1); until then they stay out of SQL.
      if (EqualsIgnoreCase(key, "_ingest_time") || EqualsIgnoreCase(key, "_record_id")) continue;
      auto it = std::find_if(columns.begin(), columns.end(),
                             [&](const Column& c) { return EqualsIgnoreCase(c.name, key); });
      if (it == columns.end()) {
        columns.push_back({key, type, key, true});
      } else if (it->tail_key.empty()) {
        it->type = WidenType(it->type, type);
        it->tail_key = key;
      }
    }
  }
  if (!tail_overflow.empty() && std::none_of(columns.begin(), columns.end(), [](const Column& c) {
        return EqualsIgnoreCase(c.name, kOverflowColumn);
      })) {
    columns.push_back({kOverflowColumn, SqlType::Scalar("JSON"), "", true});
  }
  // A partition key named like a data column is left to the data column.
  std::erase_if(partition_keys, [&](const std::string& k) {
    return std::any_of(columns.begin(), columns.end(),
                       [&](const Column& c) { return EqualsIgnoreCase(c.name, k); });
  });

  std::vector<std::string> branches;
  if (table != nullptr) {
    const bool file_statistics = table->files.size() <= kStatisticsMaxFiles;
    std::map<std::string, std::vector<const CatalogFile*>> groups;
    for (const auto& [path, f] : table->files) groups[GroupKey(f)].push_back(&f);
    for (const auto& [key, files] : groups) {
      const CatalogFile& first = *files.front();
      std::string select;
      for (const auto& c : columns) {
        const ColumnInfo* fc = FindColumn(first.columns, c.name);
        select += select.empty() ? "" : ", ";
        if (fc != nullptr) {
          select += CastTo(QuoteIdentifier(fc->name), fc->type, c.type);
        } else {
          select += fmt::format("CAST(NULL AS {})", c.type.ToString());
        }
        select += " AS " + QuoteIdentifier(c.name);
      }
      for (const auto& k : partition_keys) {
        select += fmt::format(", {} AS {}", PartitionValue(first, k), QuoteIdentifier(k));
      }
      std::string reader;
      switch (first.format) {
        case FileFormat::kParquet:
          // The files of a branch share one schema, so union_by_name changes
          // no column; it makes DuckDB read every footer when it binds, and
          // with their min/max it can compress group keys and use a perfect
          // hash aggregate (1.5x on GROUP BY CaughtAt, CaughtBy over 10 M
          // rows). Footers are cached, but binding still looks at each file,
          // so a table of very many files goes without.
          reader = fmt::format("read_parquet({}{})", FileList(lake_dir, files),
                               file_statistics ? ", union_by_name = true" : "");
          break;
        case FileFormat::kNdjson:
          reader = fmt::format("read_json({}, format = 'newline_delimited', columns = {})",
                               FileList(lake_dir, files), ColumnsSpec(first.columns));
          break;
        case FileFormat::kCsv:
          reader = fmt::format("read_csv({}, header = true, columns = {})",
                               FileList(lake_dir, files), ColumnsSpec(first.columns));
          break;
      }
      std::string branch = fmt::format("SELECT {} FROM {}", select, reader);
      // A delivered file holds records of one ingest hour: saying so lets a
      // filter on _ingest_time drop the whole branch before it is read.
      const ColumnInfo* it = FindColumn(first.columns, "_ingest_time");
      if (hour_bounds && first.first_seq > 0 && it != nullptr &&
          it->type.ToString() == "TIMESTAMP") {
        std::string dt, hr;
        for (const auto& [k, v] : first.partitions) {
          if (k == "dt") dt = v;
          if (k == "hr") hr = v;
        }
        if (auto range = HourRange(dt, hr)) {
          branch += fmt::format(" WHERE {0} >= {1} AND {0} < {2}", QuoteIdentifier(it->name),
                                range->first, range->second);
        }
      }
      branches.push_back(std::move(branch));
    }
  }
  if (with_tail) {
    std::string structure;
    for (const auto& c : columns) {
      if (c.tail_key.empty()) continue;
      std::string entry;
      AppendJsonString(&entry, c.tail_key);
      structure += (structure.empty() ? "{" : ",") + entry + ":" + JsonStructure(c.type);
    }
    std::string select;
    for (const auto& c : columns) {
      select += select.empty() ? "" : ", ";
      if (EqualsIgnoreCase(c.name, "_ingest_time")) {
        select += CastTo("\"__t\"", SqlType::Scalar("TIMESTAMP"), c.type);
      } else if (EqualsIgnoreCase(c.name, "_record_id")) {
        select += CastTo("\"__r\"", SqlType::Scalar("BIGINT"), c.type);
      } else if (!c.tail_key.empty()) {
        select += fmt::format("struct_extract(\"__s\", {})", QuoteLiteral(c.tail_key));
      } else if (!tail_overflow.empty() && EqualsIgnoreCase(c.name, kOverflowColumn)) {
        // What delivery will put there: the record without its column keys.
        select += CastTo(OverflowColumnSql("\"__d\"", tail_type->field_names),
                         SqlType::Scalar("JSON"), c.type);
      } else {
        select += fmt::format("CAST(NULL AS {})", c.type.ToString());
      }
      select += " AS " + QuoteIdentifier(c.name);
    }
    for (const auto& k : partition_keys) {
      if (k == "dt") {
        select += ", strftime(\"__t\", '%Y-%m-%d') AS \"dt\"";
      } else if (k == "hr") {
        select += ", strftime(\"__t\", '%H') AS \"hr\"";
      } else {
        select += fmt::format(", CAST(NULL AS VARCHAR) AS {}", QuoteIdentifier(k));
      }
    }
    std::string inner = "SELECT \"_ingest_time\" AS \"__t\", \"_record_id\" AS \"__r\"";
    if (!structure.empty()) {
      inner += fmt::format(", from_json(\"doc\", {}) AS \"__s\"", QuoteLiteral(structure + "}"));
    }
    if (!tail_overflow.empty()) inner += ", CAST(\"doc\" AS JSON) AS \"__d\"";
    uint64_t after = table != nullptr ? table->delivered_seq() : 0;
    branches.push_back(fmt::format("SELECT {} FROM ({} FROM gamelake_tail({}, {})) AS _gl_tail",
                                   select, inner, QuoteLiteral(name), after));
  }
  if (branches.empty()) {
    std::string select;
    for (const auto& c : columns) {
      select += fmt::format("{}CAST(NULL AS {}) AS {}", select.empty() ? "" : ", ",
                            c.type.ToString(), QuoteIdentifier(c.name));
    }
    for (const auto& k : partition_keys) {
      select += fmt::format(", CAST(NULL AS VARCHAR) AS {}", QuoteIdentifier(k));
    }
    branches.push_back(fmt::format("SELECT {} WHERE false", select));
  }
  std::string sql;
  for (size_t i = 0; i < branches.size(); ++i) {
    sql += i ? "\nUNION ALL\n" : "";
    sql += branches.size() > 1 ? "(" + branches[i] + ")" : branches[i];
  }
  return sql;
}

std::string CreateView(const std::string& name, const std::string& select) {
  return fmt::format("CREATE OR REPLACE VIEW lake.{} AS {}", QuoteIdentifier(name), select);
}

}  // namespace

ViewPlan PlanViews(const CatalogSnapshot& snapshot,
                   const std::map<std::string, SqlType>& tail_types,
                   const std::set<std::string>* tail_branches, const std::string& lake_dir) {
  ViewPlan plan;
  std::set<std::string> done;
  for (const auto& [name, table] : snapshot.tables) {
    auto tail = tail_types.find(name);
    const SqlType* tail_type = tail == tail_types.end() ? nullptr : &tail->second;
    bool with_tail = tail_branches != nullptr && tail_branches->count(name) > 0;
    plan.tables.push_back({name, CreateView(name, TableViewSelect(name, table.get(), tail_type,
                                                                  with_tail, lake_dir, false))});
    plan.pruned.push_back(
        {name, TableViewSelect(name, table.get(), tail_type, with_tail, lake_dir, true)});
    plan.delivered[name] = table->delivered_seq();
    done.insert(name);
  }
  if (tail_branches != nullptr) {
    for (const auto& [name, type] : tail_types) {
      if (done.count(name) || snapshot.FindTable(name) != nullptr) continue;
      plan.tables.push_back(
          {name, CreateView(name, TableViewSelect(name, nullptr, &type, true, lake_dir, false))});
    }
  }
  std::vector<const CatalogView*> views;
  for (const auto& [key, v] : snapshot.views) views.push_back(&v);
  std::sort(views.begin(), views.end(), [](const CatalogView* a, const CatalogView* b) {
    return a->created_us < b->created_us;
  });
  for (const CatalogView* v : views) {
    plan.views.push_back({v->name, fmt::format("CREATE OR REPLACE VIEW lake.{} AS {}",
                                               QuoteIdentifier(v->name), v->sql)});
  }
  return plan;
}

}  // namespace gamelake
