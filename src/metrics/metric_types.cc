#include "metrics/metric_types.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace gamelake {
namespace {

constexpr std::array<std::string_view, 27> kUnits = {"Seconds",
                                                     "Microseconds",
                                                     "Milliseconds",
                                                     "Bytes",
                                                     "Kilobytes",
                                                     "Megabytes",
                                                     "Gigabytes",
                                                     "Terabytes",
                                                     "Bits",
                                                     "Kilobits",
                                                     "Megabits",
                                                     "Gigabits",
                                                     "Terabits",
                                                     "Percent",
                                                     "Count",
                                                     "Bytes/Second",
                                                     "Kilobytes/Second",
                                                     "Megabytes/Second",
                                                     "Gigabytes/Second",
                                                     "Terabytes/Second",
                                                     "Bits/Second",
                                                     "Kilobits/Second",
                                                     "Megabits/Second",
                                                     "Gigabits/Second",
                                                     "Terabits/Second",
                                                     "Count/Second",
                                                     "None"};

Status Invalid(std::string_view code, std::string_view where, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {}: {}", code, where, what));
}

// Names are printable text: no control characters (CloudWatch: ASCII without
// control characters; UTF-8 beyond ASCII is let through as bytes >= 0x80).
bool PrintableText(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

Status CheckName(std::string_view what, std::string_view s, size_t max, std::string_view where) {
  if (s.empty()) return Invalid("MissingParameter", where, fmt::format("{} is empty", what));
  if (s.size() > max) {
    return Invalid("InvalidParameterValue", where,
                   fmt::format("{} is {} bytes; at most {}", what, s.size(), max));
  }
  if (!PrintableText(s)) {
    return Invalid("InvalidParameterValue", where, fmt::format("{} has a control character", what));
  }
  return Status::OK();
}

Status CheckValue(double v, std::string_view what, std::string_view where) {
  if (!std::isfinite(v)) {
    return Invalid("InvalidParameterValue", where,
                   fmt::format("{} is not a finite number (NaN and Infinity are refused)", what));
  }
  if (std::fabs(v) > kMaxAbsValue) {
    return Invalid("InvalidParameterValue", where,
                   fmt::format("{} {} is outside -2^360..2^360", what, v));
  }
  return Status::OK();
}

Status CheckValues(const MetricDatum& d, std::string_view where) {
  if (d.values.empty()) {
    return Invalid("InvalidParameterValue", where, "Values is an empty array");
  }
  if (d.values.size() > kMaxValuesPerDatum) {
    return Invalid(
        "InvalidParameterValue", where,
        fmt::format("Values has {} entries; at most {}", d.values.size(), kMaxValuesPerDatum));
  }
  if (!d.counts.empty() && d.counts.size() != d.values.size()) {
    return Invalid(
        "InvalidParameterValue", where,
        fmt::format("Counts has {} entries but Values has {}", d.counts.size(), d.values.size()));
  }
  for (size_t i = 0; i < d.values.size(); ++i) {
    GL_RETURN_IF_ERROR(CheckValue(d.values[i], fmt::format("Values[{}]", i), where));
  }
  for (size_t i = 0; i < d.counts.size(); ++i) {
    GL_RETURN_IF_ERROR(CheckValue(d.counts[i], fmt::format("Counts[{}]", i), where));
    if (d.counts[i] <= 0) {
      return Invalid("InvalidParameterValue", where,
                     fmt::format("Counts[{}] is {}; counts must be positive", i, d.counts[i]));
    }
  }
  return Status::OK();
}

Status CheckStatisticSet(const StatisticSet& s, std::string_view where) {
  GL_RETURN_IF_ERROR(CheckValue(s.sample_count, "StatisticValues.SampleCount", where));
  GL_RETURN_IF_ERROR(CheckValue(s.sum, "StatisticValues.Sum", where));
  GL_RETURN_IF_ERROR(CheckValue(s.minimum, "StatisticValues.Minimum", where));
  GL_RETURN_IF_ERROR(CheckValue(s.maximum, "StatisticValues.Maximum", where));
  if (s.sample_count <= 0) {
    return Invalid("InvalidParameterValue", where, "StatisticValues.SampleCount must be positive");
  }
  if (s.minimum > s.maximum) {
    return Invalid("InvalidParameterValue", where,
                   "StatisticValues.Minimum is greater than StatisticValues.Maximum");
  }
  return Status::OK();
}

Status CheckKinds(const MetricDatum& d, std::string_view where) {
  int kinds =
      (d.value ? 1 : 0) + (d.values.empty() && d.counts.empty() ? 0 : 1) + (d.statistics ? 1 : 0);
  if (kinds == 0) {
    return Invalid("MissingParameter", where,
                   "one of Value, Values or StatisticValues must be given");
  }
  if (kinds > 1) {
    return Invalid("InvalidParameterCombination", where,
                   "give only one of Value, Values and StatisticValues");
  }
  if (d.value) return CheckValue(*d.value, "Value", where);
  if (d.statistics) return CheckStatisticSet(*d.statistics, where);
  return CheckValues(d, where);
}

Result<double> ParseNumber(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
    return Status::InvalidArgument(fmt::format("'{}' is not a number", s));
  }
  return v;
}

Result<Statistic> ParseTrimmedMean(std::string_view text) {
  Statistic st;
  st.kind = Statistic::Kind::kTrimmedMean;
  st.name = std::string(text);
  std::string_view rest = text.substr(2);
  if (rest.starts_with('(') && rest.ends_with(')')) {
    rest = rest.substr(1, rest.size() - 2);
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("statistic '{}': expected tm(A%:B%)", text));
    }
    std::string_view a = rest.substr(0, colon), b = rest.substr(colon + 1);
    if (!a.ends_with('%') || !b.ends_with('%')) {
      return Status::InvalidArgument(fmt::format("statistic '{}': bounds end with %", text));
    }
    GL_ASSIGN_OR_RETURN(st.lo, ParseNumber(a.substr(0, a.size() - 1)));
    GL_ASSIGN_OR_RETURN(st.hi, ParseNumber(b.substr(0, b.size() - 1)));
  } else {
    GL_ASSIGN_OR_RETURN(st.hi, ParseNumber(rest));
    st.lo = 0;
  }
  if (!(st.lo >= 0 && st.lo < st.hi && st.hi <= 100)) {
    return Status::InvalidArgument(
        fmt::format("statistic '{}': bounds must satisfy 0 <= A < B <= 100", text));
  }
  return st;
}

}  // namespace

Status ValidatePeriod(int64_t p) {
  bool ok = p > 0 && (p < 60 ? (p == 1 || p == 5 || p == 10 || p == 20 || p == 30) : p % 60 == 0);
  if (ok) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "InvalidParameterValue: The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60 "
      "(got {})",
      p));
}

bool IsKnownUnit(std::string_view unit) {
  return std::find(kUnits.begin(), kUnits.end(), unit) != kUnits.end();
}

Status NormalizeMetricId(MetricId* id, std::string_view where) {
  GL_RETURN_IF_ERROR(CheckName("Namespace", id->ns, kMaxNameBytes, where));
  if (id->ns.starts_with("AWS/")) {
    return Invalid("InvalidParameterValue", where,
                   "namespaces starting with 'AWS/' are reserved for AWS services");
  }
  if (id->ns.starts_with(':')) {
    return Invalid("InvalidParameterValue", where, "a namespace may not start with ':'");
  }
  GL_RETURN_IF_ERROR(CheckName("MetricName", id->name, kMaxNameBytes, where));
  if (id->dimensions.size() > kMaxDimensions) {
    return Invalid("InvalidParameterValue", where,
                   fmt::format("{} dimensions; at most {}", id->dimensions.size(), kMaxDimensions));
  }
  for (const Dimension& d : id->dimensions) {
    GL_RETURN_IF_ERROR(CheckName("Dimension Name", d.name, kMaxNameBytes, where));
    GL_RETURN_IF_ERROR(CheckName("Dimension Value", d.value, kMaxDimensionValueBytes, where));
  }
  std::sort(id->dimensions.begin(), id->dimensions.end());
  for (size_t i = 1; i < id->dimensions.size(); ++i) {
    if (id->dimensions[i].name == id->dimensions[i - 1].name) {
      return Invalid("InvalidParameterValue", where,
                     fmt::format("dimension '{}' is given twice", id->dimensions[i].name));
    }
  }
  return Status::OK();
}

Status ValidateDatum(MetricDatum* d, int64_t now_ms, std::string_view where) {
  GL_RETURN_IF_ERROR(NormalizeMetricId(&d->id, where));
  if (!IsKnownUnit(d->unit)) {
    return Invalid("InvalidParameterValue", where,
                   fmt::format("Unit '{}' is not a CloudWatch unit", d->unit));
  }
  if (d->storage_resolution_s != 1 && d->storage_resolution_s != 60) {
    return Invalid("InvalidParameterValue", where,
                   fmt::format("StorageResolution {} must be 1 or 60", d->storage_resolution_s));
  }
  if (d->timestamp_ms < now_ms - kMaxAgeMs || d->timestamp_ms > now_ms + kMaxAheadMs) {
    return Invalid("InvalidParameterValue", where,
                   "Timestamp must be at most two weeks old and at most two hours ahead");
  }
  return CheckKinds(*d, where);
}

Result<Statistic> ParseStatistic(std::string_view text) {
  static constexpr std::pair<std::string_view, Statistic::Kind> kSimple[] = {
      {"SampleCount", Statistic::Kind::kSampleCount},
      {"Sum", Statistic::Kind::kSum},
      {"Average", Statistic::Kind::kAverage},
      {"Minimum", Statistic::Kind::kMinimum},
      {"Maximum", Statistic::Kind::kMaximum}};
  for (const auto& [name, kind] : kSimple) {
    if (text == name) return Statistic{kind, 0, 0, std::string(text)};
  }
  if (text.size() > 1 && (text[0] == 'p' || text[0] == 'P') && text[1] != '(') {
    Result<double> p = ParseNumber(text.substr(1));
    if (p.ok() && *p >= 0 && *p <= 100) {
      return Statistic{Statistic::Kind::kPercentile, *p, 0, std::string(text)};
    }
    return Status::InvalidArgument(
        fmt::format("statistic '{}': a percentile is p0 to p100 (e.g. p90, p99.9)", text));
  }
  if (text.size() > 2 && (text.starts_with("tm") || text.starts_with("TM"))) {
    return ParseTrimmedMean(text);
  }
  return Status::InvalidArgument(fmt::format(
      "unknown statistic '{}': use SampleCount, Sum, Average, Minimum, Maximum, pNN or tmNN",
      text));
}

std::string MetricIdText(const MetricId& id) {
  std::string out = fmt::format("{}/{}", id.ns, id.name);
  if (id.dimensions.empty()) return out;
  out += '{';
  for (size_t i = 0; i < id.dimensions.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("{}={}", id.dimensions[i].name, id.dimensions[i].value);
  }
  out += '}';
  return out;
}

}  // namespace gamelake
