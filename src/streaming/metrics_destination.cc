#include "streaming/metrics_destination.h"

#include <utility>

#include <fmt/format.h>

namespace gamelake {
namespace {

bool IsNumeric(const SqlType& type) {
  ValueType v = ValueTypeOf(type);
  return v == ValueType::kInteger || v == ValueType::kDouble || v == ValueType::kDecimal;
}

double AsDouble(const SqlValue& v) {
  return v.type == ValueType::kInteger ? static_cast<double>(v.i) : v.d;
}

// Worth another try: the store is busy, closed for now, or its disk failed.
bool Retryable(const Status& s) { return s.code() != Status::Code::kInvalidArgument; }

}  // namespace

MetricsDestination::MetricsDestination(MetricsDestinationOptions options)
    : options_(std::move(options)) {}

Result<std::vector<MetricsDestination::Metric>> MetricsDestination::Plan(
    const StreamSchema& schema) const {
  std::vector<Metric> plan;
  if (options_.metric_map.empty()) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      if (IsNumeric(schema.columns[i].type)) {
        plan.push_back(Metric{static_cast<int>(i), schema.columns[i].name});
      }
    }
    return plan;
  }
  for (const auto& [column, metric] : options_.metric_map) {
    int i = schema.Find(column);
    if (i < 0) {
      return Status::InvalidArgument(fmt::format(
          "metrics destination: the stream has no column \"{}\" (mapped to metric \"{}\")", column,
          metric));
    }
    if (!IsNumeric(schema.columns[i].type)) {
      return Status::InvalidArgument(
          fmt::format("metrics destination: column \"{}\" is {}, not numeric", column,
                      schema.columns[i].type.ToString()));
    }
    plan.push_back(Metric{i, metric});
  }
  return plan;
}

Status MetricsDestination::RowData(const std::vector<Metric>& plan, const StreamRow& row,
                                   int64_t now_ms, std::vector<MetricDatum>* out) const {
  const size_t start = out->size();
  for (const Metric& m : plan) {
    const SqlValue& v = row.values[m.column];
    if (v.is_null) continue;
    MetricDatum datum;
    datum.id.ns = options_.ns;
    datum.id.name = m.name;
    datum.timestamp_ms = row.rowtime_ms;
    datum.storage_resolution_s = 1;
    datum.value = AsDouble(v);
    Status s = ValidateDatum(&datum, now_ms, fmt::format("metric \"{}\"", m.name));
    if (!s.ok()) {
      out->resize(start);
      return s;
    }
    out->push_back(std::move(datum));
  }
  return Status::OK();
}

Status MetricsDestination::Put(Batch* batch) {
  Status last;
  for (int attempt = 1;; ++attempt) {
    if (stop_.stopped()) return Status::Cancelled("metrics destination stopped");
    // Put takes the vector; keep ours for a retry.
    last = options_.store->Put(batch->data);
    if (last.ok() || !Retryable(last)) return last;
    if (options_.retry.max_attempts > 0 && attempt >= options_.retry.max_attempts) return last;
    if (!stop_.WaitMs(options_.env, options_.retry.BackoffMs(attempt))) {
      return Status::Cancelled("metrics destination stopped");
    }
  }
}

Status MetricsDestination::Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                                   std::vector<FailedRow>* failed) {
  GL_ASSIGN_OR_RETURN(std::vector<Metric> plan, Plan(schema));
  if (plan.empty()) return Status::OK();  // No numeric column: nothing to publish.
  const int64_t now_ms = options_.env->NowMicros() / 1000;
  Batch batch;
  auto flush = [&]() -> Status {
    if (batch.data.empty()) return Status::OK();
    Status s = Put(&batch);
    if (s.code() == Status::Code::kCancelled) return s;
    if (!s.ok()) {
      for (uint64_t ordinal : batch.ordinals) {
        failed->push_back(FailedRow{ordinal, "metrics: " + s.ToString()});
      }
    }
    batch = Batch();
    return Status::OK();
  };
  std::vector<MetricDatum> row_data;
  for (const OutputRow& row : rows) {
    row_data.clear();
    Status s = RowData(plan, row.row, now_ms, &row_data);
    if (!s.ok()) {
      failed->push_back(FailedRow{row.ordinal, "metrics: " + s.message()});
      continue;
    }
    if (row_data.empty()) continue;
    if (batch.data.size() + row_data.size() > kMaxDatumsPerPut) GL_RETURN_IF_ERROR(flush());
    for (MetricDatum& d : row_data) batch.data.push_back(std::move(d));
    batch.ordinals.push_back(row.ordinal);
  }
  return flush();
}

}  // namespace gamelake
