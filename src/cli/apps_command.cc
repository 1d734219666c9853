#include "cli/apps_command.h"

#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "cli/server_client.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "common/percent_decode.h"
#include "streaming/application_definition.h"

namespace gamelake {
namespace {

using simdjson::dom::element;

int Fail(std::string_view message) {
  std::fprintf(stderr, "gamelake apps: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

std::string Encoded(std::string_view s) {
  std::string out;
  AppendPercentEncoded(&out, s);
  return out;
}

// The file's text, or stdin's for "-".
Result<std::string> ReadInput(const std::string& path, std::string_view flag) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  Result<std::string> text = Env::Default()->ReadFile(path);
  if (!text.ok())
    return Status::InvalidArgument(fmt::format("{}: {}", flag, text.status().message()));
  return text;
}

// The create or update body from the flags.
Result<std::string> SpecBody(const AppsCommand& c, bool create) {
  JsonWriter w;
  w.BeginObject().Key("name").String(c.name);
  if (!c.source.empty()) w.Key("source").String(c.source);
  if (!c.sql_file.empty()) {
    GL_ASSIGN_OR_RETURN(std::string sql, ReadInput(c.sql_file, "--sql-file"));
    w.Key("sql").String(sql);
  }
  if (!c.schema_file.empty()) {
    GL_ASSIGN_OR_RETURN(std::string text, ReadInput(c.schema_file, "--schema-file"));
    Result<InputSchema> schema = InputSchemaFromJson(text);
    if (!schema.ok()) {
      return Status::InvalidArgument(
          fmt::format("--schema-file {}: {}", c.schema_file, schema.status().message()));
    }
    w.Key("input_schema").Raw(InputSchemaToJson(*schema));
  }
  if (!c.from.empty()) w.Key("start_position").String(c.from);
  if (c.rowtime_field_given) w.Key("rowtime_field").String(c.rowtime_field);
  if (!c.destinations.empty() || c.no_destinations) {
    w.Key("destinations").BeginArray();
    for (const std::string& d : c.destinations) w.String(d);
    w.EndArray();
  }
  if (!c.references.empty() || c.no_references) {
    w.Key("reference_data").BeginArray();
    for (const std::string& r : c.references) {
      size_t eq = r.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == r.size()) {
        return Status::InvalidArgument(
            fmt::format("--reference {}: expected TABLE=FILE.csv (the table's name in SQL, then "
                        "its CSV file)",
                        r));
      }
      GL_ASSIGN_OR_RETURN(std::string csv, ReadInput(r.substr(eq + 1), "--reference"));
      w.BeginObject().Key("name").String(r.substr(0, eq)).Key("csv").String(csv).EndObject();
    }
    w.EndArray();
  }
  if (create) w.Key("start").Bool(!c.no_start);
  w.EndObject();
  return w.Take();
}

std::string Str(element e, std::string_view key) {
  std::string_view s;
  return e[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

uint64_t UInt(element e, std::string_view key) {
  uint64_t v = 0;
  return e[key].get(v) == simdjson::SUCCESS ? v : 0;
}

double Num(element e, std::string_view key) {
  double v = 0;
  return e[key].get(v) == simdjson::SUCCESS ? v : 0;
}

int PrintList(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::array apps;
  if (parser.parse(body)["apps"].get(apps) != simdjson::SUCCESS) {
    return Fail("the server's answer is not a list of applications");
  }
  std::printf("%-32s %-8s %-24s %7s %12s %12s %8s %8s\n", "NAME", "STATE", "SOURCE", "VERSION",
              "RECORDS_IN", "ROWS_OUT", "ERRORS", "LAG_S");
  for (element a : apps) {
    element def = a["application"], st = a["status"];
    std::printf("%-32s %-8s %-24s %7llu %12llu %12llu %8llu %8.1f\n", Str(def, "name").c_str(),
                Str(st, "state").c_str(), Str(def, "source").c_str(),
                static_cast<unsigned long long>(UInt(def, "version")),
                static_cast<unsigned long long>(UInt(st, "records_in")),
                static_cast<unsigned long long>(UInt(st, "rows_out")),
                static_cast<unsigned long long>(UInt(st, "error_rows")), Num(st, "lag_seconds"));
  }
  if (apps.size() == 0) std::printf("(no applications)\n");
  return 0;
}

void PrintColumns(element columns, bool mapping) {
  for (element c : columns) {
    std::string m = mapping ? "$." + Str(c, "mapping") : "";
    std::string type = Str(c, mapping ? "sqlType" : "type");
    std::printf("    %-32s %-16s %s\n", Str(c, "name").c_str(), type.c_str(), m.c_str());
  }
}

int PrintDescription(const std::string& body) {
  simdjson::dom::parser parser;
  element a;
  if (parser.parse(body).get(a) != simdjson::SUCCESS) {
    return Fail("the server's answer is not an application");
  }
  element def = a["application"], st = a["status"];
  std::printf("name:           %s\n", Str(def, "name").c_str());
  std::printf("state:          %s\n", Str(st, "state").c_str());
  if (std::string e = Str(st, "last_error"); !e.empty())
    std::printf("last error:     %s\n", e.c_str());
  std::printf("source:         %s (SOURCE_SQL_STREAM_001)\n", Str(def, "source").c_str());
  std::printf("start position: %s\n", Str(def, "start_position").c_str());
  std::string rowtime = Str(def, "rowtime_field");
  std::printf("ROWTIME:        %s\n",
              rowtime.empty() ? "ingest time" : ("field " + rowtime).c_str());
  std::printf("version:        %llu (code version %llu), updated %s\n",
              static_cast<unsigned long long>(UInt(def, "version")),
              static_cast<unsigned long long>(UInt(def, "code_version")),
              Str(def, "updated_at").c_str());
  std::printf("records in:     %llu, rows out: %llu, error rows: %llu\n",
              static_cast<unsigned long long>(UInt(st, "records_in")),
              static_cast<unsigned long long>(UInt(st, "rows_out")),
              static_cast<unsigned long long>(UInt(st, "error_rows")));
  std::printf("lag:            %.1f s, %llu log records; state %llu bytes\n",
              Num(st, "lag_seconds"), static_cast<unsigned long long>(UInt(st, "lag_records")),
              static_cast<unsigned long long>(UInt(st, "state_bytes")));
  std::printf("input schema:\n");
  PrintColumns(def["input_schema"]["columns"], true);
  std::printf("in-application streams:\n");
  simdjson::dom::array streams;
  if (a["streams"].get(streams) == simdjson::SUCCESS) {
    for (element s : streams) {
      std::printf("  %s\n", Str(s, "name").c_str());
      PrintColumns(s["columns"], false);
    }
  }
  simdjson::dom::array refs;
  if (def["reference_data"].get(refs) == simdjson::SUCCESS && refs.size() > 0) {
    std::printf("reference data:\n");
    for (element r : refs) {
      std::printf("  %s (%llu bytes of CSV)\n", Str(r, "name").c_str(),
                  static_cast<unsigned long long>(UInt(r, "bytes")));
    }
  }
  std::printf("destinations:\n");
  simdjson::dom::array dests;
  if (def["destinations"].get(dests) == simdjson::SUCCESS) {
    for (element d : dests) {
      std::string_view text;
      if (d.get(text) == simdjson::SUCCESS) {
        std::printf("  %.*s\n", static_cast<int>(text.size()), text.data());
      }
    }
    if (dests.size() == 0) std::printf("  (none; rows are shown live only)\n");
  }
  std::printf("code:\n%s\n", Str(def, "sql").c_str());
  return 0;
}

int PrintDiscovery(const std::string& body) {
  simdjson::dom::parser parser;
  element d;
  if (parser.parse(body).get(d) != simdjson::SUCCESS) {
    return Fail("the server's answer is not a discovered schema");
  }
  simdjson::dom::array records;
  size_t n = d["raw_records"].get(records) == simdjson::SUCCESS ? records.size() : 0;
  std::printf("SOURCE_SQL_STREAM_001 of %s, discovered from %zu records:\n",
              Str(d, "source").c_str(), n);
  std::printf("    %-32s %-16s %s\n", "NAME", "SQL TYPE", "MAPPING");
  PrintColumns(d["input_schema"]["columns"], true);
  return 0;
}

// Follows the live SSE stream, printing each row's JSON on a line.
int Tail(const AppsCommand& c, const std::string& url, const std::string& key) {
  std::string pending;
  int result = 0;
  std::string path = fmt::format("/v1/apps/{}/streams/{}/live", Encoded(c.name), Encoded(c.stream));
  Status s = FollowServer(url, key, path, [&](std::string_view data) {
    pending.append(data);
    size_t end;
    while ((end = pending.find("\n\n")) != std::string::npos) {
      std::string_view event(pending.data(), end);
      bool dropped = event.starts_with("event: dropped");
      size_t at = 0;
      while (at < event.size()) {
        size_t nl = event.find('\n', at);
        std::string_view line = event.substr(at, nl == std::string_view::npos ? nl : nl - at);
        at = nl == std::string_view::npos ? event.size() : nl + 1;
        if (!line.starts_with("data: ")) continue;
        if (dropped) {
          std::fprintf(stderr, "gamelake apps: the server dropped this subscriber: %.*s\n",
                       static_cast<int>(line.size() - 6), line.data() + 6);
          result = 1;
        } else {
          std::fwrite(line.data() + 6, 1, line.size() - 6, stdout);
          std::fputc('\n', stdout);
        }
      }
      std::fflush(stdout);
      pending.erase(0, end + 2);
    }
    return true;
  });
  if (!s.ok()) return Fail(s.message());
  return result;
}

void AddSpecFlags(CLI::App* sub, AppsCommand* c) {
  sub->add_option("--source", c->source,
                  "The stream the application reads (SOURCE_SQL_STREAM_001)");
  sub->add_option("--sql-file", c->sql_file, "File holding the application code ('-': stdin)");
  sub->add_option("--rowtime-field", c->rowtime_field,
                  "Take ROWTIME from this field of the record (ISO 8601 text or epoch ms) instead "
                  "of the ingest time")
      ->each([c](const std::string&) { c->rowtime_field_given = true; });
  sub->add_option("--schema-file", c->schema_file,
                  "Input schema (JSON: {\"columns\":[{\"name\",\"sqlType\",\"mapping\"}]} or KDA's "
                  "RecordColumns) instead of discovering it");
  sub->add_option("--reference", c->references,
                  "TABLE=FILE.csv: reference data the code can JOIN to by the name TABLE (CSV "
                  "with a header line; repeatable)");
  sub->add_option("--destination", c->destinations,
                  "IN_APP_STREAM=KIND:TARGET: metrics:NAMESPACE[,column=metric...], stream:NAME "
                  "or webhook:URL (repeatable)");
}

}  // namespace

void AddAppsCommand(CLI::App* app, AppsCommand* c) {
  c->apps = app->add_subcommand("apps", "Streaming SQL applications (Kinesis Data Analytics SQL)");
  c->apps->require_subcommand(1);
  c->create = c->apps->add_subcommand("create", "Create an application (and start it)");
  c->update = c->apps->add_subcommand("update", "Change an application (it restarts)");
  c->discover = c->apps->add_subcommand("discover", "Discover a stream's input schema");
  c->list = c->apps->add_subcommand("list", "List applications with their state");
  c->describe = c->apps->add_subcommand("describe", "Show an application");
  c->start = c->apps->add_subcommand("start", "Start an application");
  c->stop = c->apps->add_subcommand("stop", "Stop an application (it checkpoints)");
  c->del = c->apps->add_subcommand("delete", "Delete an application and its checkpoint");
  c->tail = c->apps->add_subcommand("tail", "Follow the rows of an in-application stream live");
  for (CLI::App* sub : {c->create, c->update, c->describe, c->start, c->stop, c->del, c->tail}) {
    sub->add_option("name", c->name, "Application name")->required();
  }
  c->tail->add_option("stream", c->stream, "In-application stream (or error_stream)")->required();
  AddSpecFlags(c->create, c);
  AddSpecFlags(c->update, c);
  c->create->get_option("--source")->required();
  c->create->get_option("--sql-file")->required();
  c->create
      ->add_option("--from", c->from,
                   "Where the first start reads from: now (default) or earliest (the "
                   "lake, then the log)")
      ->check(CLI::IsMember({"now", "earliest"}));
  c->create->add_flag("--no-start", c->no_start, "Create it READY, without starting it");
  c->update->add_flag("--no-destinations", c->no_destinations, "Remove every destination");
  c->update->add_flag("--no-references", c->no_references, "Remove every reference table");
  c->discover->add_option("--source", c->source, "The stream to sample")->required();
  c->discover->add_option("--sample", c->sample, "Recent records to read (default 100)")
      ->check(CLI::Range(1, 10000));
  for (CLI::App* sub : {c->create, c->update, c->discover, c->list, c->describe, c->start, c->stop,
                        c->del, c->tail}) {
    sub->add_option("--url", c->url, "A running server, e.g. http://127.0.0.1:8080");
    sub->add_option("--key", c->key, "Admin API key (default: $GAMELAKE_KEY or dev-admin)");
    sub->add_option("--data-dir", c->data_dir, "Data directory (default ./gamelake-data)");
    if (sub != c->tail) {
      sub->add_option("--format", c->format, "text (default) or json (the server's answer)")
          ->check(CLI::IsMember({"text", "json"}));
    }
  }
}

bool AppsCommandParsed(const AppsCommand& c) { return c.apps != nullptr && c.apps->parsed(); }

int RunAppsCommand(const AppsCommand& c) {
  Result<ServerTarget> server = RunningServer(c.url, c.data_dir, c.key);
  if (!server.ok()) return Fail(server.status().message());
  const std::string& key = server->key;
  if (c.tail->parsed()) return Tail(c, server->url, key);
  std::string method = "GET", path = "/v1/apps", body;
  std::string app_path = "/v1/apps/" + Encoded(c.name);
  if (c.create->parsed() || c.update->parsed()) {
    Result<std::string> b = SpecBody(c, c.create->parsed());
    if (!b.ok()) return Fail(b.status().message());
    body = std::move(b).value();
    method = c.create->parsed() ? "POST" : "PUT";
    if (c.update->parsed()) path = app_path;
  } else if (c.discover->parsed()) {
    JsonWriter w;
    w.BeginObject().Key("source").String(c.source).Key("sample").UInt(c.sample).EndObject();
    method = "POST", path = "/v1/apps/discover", body = w.Take();
  } else if (c.describe->parsed()) {
    path = app_path;
  } else if (c.start->parsed() || c.stop->parsed()) {
    method = "POST", path = app_path + (c.start->parsed() ? "/start" : "/stop");
  } else if (c.del->parsed()) {
    method = "DELETE", path = app_path;
  }
  Result<ServerReply> reply = CallServer(server->url, key, method, path, body);
  if (!reply.ok()) return Fail(reply.status().message());
  if (reply->status != 200 && reply->status != 201) return Fail(reply->ErrorMessage());
  if (c.format == "json") {
    std::printf("%s", reply->body.c_str());
    return 0;
  }
  if (c.list->parsed()) return PrintList(reply->body);
  if (c.discover->parsed()) return PrintDiscovery(reply->body);
  if (c.del->parsed()) {
    std::printf("deleted %s\n", c.name.c_str());
    return 0;
  }
  return PrintDescription(reply->body);
}

}  // namespace gamelake
