#include "metrics/dashboard_store.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

namespace gamelake {
namespace {

constexpr std::string_view kMagic = "GLDASH1 ";
constexpr std::string_view kSuffix = ".dashboard";
const std::set<std::string_view> kWidgetTypes = {"metric", "text",     "log",
                                                 "alarm",  "explorer", "custom"};

std::string EncodeFile(const Dashboard& d) {
  return fmt::format("{}{}\n{}", kMagic, d.modified_ms, d.body);
}

Result<Dashboard> DecodeFile(std::string_view name, std::string_view file) {
  if (!file.starts_with(kMagic)) {
    return Status::Corruption(fmt::format("dashboard {}: not a dashboard file", name));
  }
  file.remove_prefix(kMagic.size());
  size_t nl = file.find('\n');
  Dashboard d;
  d.name = std::string(name);
  auto [end, ec] =
      std::from_chars(file.data(), file.data() + std::min(nl, file.size()), d.modified_ms);
  if (nl == std::string_view::npos || ec != std::errc() || end != file.data() + nl) {
    return Status::Corruption(fmt::format("dashboard {}: bad header line", name));
  }
  d.body = std::string(file.substr(nl + 1));
  return d;
}

void CheckNumber(simdjson::dom::object w, std::string_view key, double lo, double hi,
                 const std::string& path, std::vector<DashboardProblem>* problems) {
  simdjson::dom::element e;
  if (w[key].get(e) != simdjson::SUCCESS) return;
  double v = 0;
  if (e.get_double().get(v) != simdjson::SUCCESS || v < lo || v > hi ||
      v != static_cast<int64_t>(v)) {
    problems->push_back({fmt::format("{}/{}", path, key),
                         fmt::format("{} must be a whole number from {} to {}", key, lo, hi)});
  }
}

void CheckWidget(simdjson::dom::element e, size_t i, std::vector<DashboardProblem>* problems) {
  std::string path = fmt::format("/widgets/{}", i);
  simdjson::dom::object w;
  if (e.get_object().get(w) != simdjson::SUCCESS) {
    problems->push_back({path, "a widget must be a JSON object"});
    return;
  }
  std::string_view type;
  if (w["type"].get_string().get(type) != simdjson::SUCCESS || !kWidgetTypes.contains(type)) {
    problems->push_back(
        {path + "/type", "type must be one of metric, text, log, alarm, explorer, custom"});
  }
  CheckNumber(w, "x", 0, 23, path, problems);
  CheckNumber(w, "y", 0, 1e6, path, problems);
  CheckNumber(w, "width", 1, 24, path, problems);
  CheckNumber(w, "height", 1, 1000, path, problems);
  simdjson::dom::element props;
  if (w["properties"].get(props) != simdjson::SUCCESS) return;
  if (!props.is_object()) {
    problems->push_back({path + "/properties", "properties must be a JSON object"});
    return;
  }
  simdjson::dom::element metrics;
  if (type == "metric" && props["metrics"].get(metrics) == simdjson::SUCCESS &&
      !metrics.is_array()) {
    problems->push_back({path + "/properties/metrics", "metrics must be an array"});
  }
}

}  // namespace

Status ValidateDashboardName(std::string_view name) {
  bool ok =
      !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
      });
  if (ok) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "InvalidParameterValue: DashboardName '{}' must be 1 to 255 letters, digits, '_' or '-'",
      name.substr(0, 300)));
}

std::vector<DashboardProblem> ValidateDashboardBody(std::string_view body) {
  std::vector<DashboardProblem> problems;
  if (body.size() > kMaxDashboardBodyBytes) {
    problems.push_back(
        {"", fmt::format("the body is {} bytes; at most {}", body.size(), kMaxDashboardBodyBytes)});
    return problems;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    problems.push_back({"", "the body is not valid JSON"});
    return problems;
  }
  simdjson::dom::array widgets;
  if (!root.is_object()) {
    problems.push_back({"", "the body must be a JSON object"});
  } else if (root["widgets"].get_array().get(widgets) != simdjson::SUCCESS) {
    problems.push_back({"/widgets", "widgets must be an array"});
  } else {
    size_t i = 0;
    for (simdjson::dom::element w : widgets) CheckWidget(w, i++, &problems);
  }
  return problems;
}

std::string LabDashboardBody() {
  auto widget = [](int x, std::string_view title, bool stacked, std::string_view stat) {
    return fmt::format(
        R"({{"type":"metric","x":{},"y":0,"width":12,"height":6,"properties":{{)"
        R"("view":"timeSeries","stacked":{},"metrics":[["serverless-analytics-demo","wins"],)"
        R"([".","losses"]],"region":"us-east-1","period":1,"stat":"{}","liveData":true,)"
        R"("title":"{}"}}}})",
        x, stacked ? "true" : "false", stat, title);
  };
  return fmt::format(R"({{"start":"-PT1M","periodOverride":"inherit","widgets":[{},{}]}})",
                     widget(0, "Wins and losses", true, "Sum"),
                     widget(12, "p90 of wins and losses", false, "p90"));
}

Result<std::unique_ptr<DashboardStore>> DashboardStore::Open(Env* env, std::string dir) {
  GL_RETURN_IF_ERROR(env->CreateDirs(dir));
  return std::unique_ptr<DashboardStore>(new DashboardStore(env, std::move(dir)));
}

std::string DashboardStore::PathOf(std::string_view name) const {
  return fmt::format("{}/{}{}", dir_, name, kSuffix);
}

Status DashboardStore::Put(std::string_view name, std::string_view body) {
  GL_RETURN_IF_ERROR(ValidateDashboardName(name));
  std::vector<DashboardProblem> problems = ValidateDashboardBody(body);
  if (!problems.empty()) {
    return Status::InvalidArgument(fmt::format(
        "InvalidParameterInput: {}{}",
        problems[0].data_path.empty() ? "" : problems[0].data_path + ": ", problems[0].message));
  }
  Dashboard d{std::string(name), std::string(body), env_->NowMicros() / 1000};
  MutexLock l(&mu_);
  return env_->WriteFileAtomic(PathOf(name), EncodeFile(d));
}

Result<Dashboard> DashboardStore::Get(std::string_view name) const {
  GL_RETURN_IF_ERROR(ValidateDashboardName(name));
  std::string path = PathOf(name);
  if (!env_->FileExists(path)) {
    return Status::NotFound(fmt::format("ResourceNotFound: Dashboard {} does not exist", name));
  }
  Result<std::string> file = env_->ReadFile(path);
  if (!file.ok()) return file.status();
  return DecodeFile(name, file.value());
}

Result<std::vector<Dashboard>> DashboardStore::List(std::string_view prefix) const {
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir_));
  std::sort(names.begin(), names.end());
  std::vector<Dashboard> out;
  for (const std::string& file : names) {
    if (!file.ends_with(kSuffix)) continue;  // Temporary files of a Put in progress.
    std::string name = file.substr(0, file.size() - kSuffix.size());
    if (!name.starts_with(prefix) || !ValidateDashboardName(name).ok()) continue;
    auto d = Get(name);
    if (d.ok()) out.push_back(std::move(d).value());  // Deleted meanwhile: skipped.
  }
  return out;
}

Status DashboardStore::Delete(const std::vector<std::string>& names) {
  MutexLock l(&mu_);
  for (const std::string& name : names) {
    GL_RETURN_IF_ERROR(ValidateDashboardName(name));
    if (!env_->FileExists(PathOf(name))) {
      return Status::NotFound(fmt::format("ResourceNotFound: Dashboard {} does not exist", name));
    }
  }
  for (const std::string& name : names) GL_RETURN_IF_ERROR(env_->RemoveFile(PathOf(name)));
  return env_->SyncDir(dir_);
}

}  // namespace gamelake
