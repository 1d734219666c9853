#include "query/tail_function.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace gamelake {
namespace {

struct TailBind {
  std::shared_ptr<const TailPin> pin;  // Keeps the chunks alive.
  std::shared_ptr<std::atomic<uint64_t>> bytes_read;
  const std::vector<std::shared_ptr<const TailChunk>>* chunks = nullptr;
  uint64_t after = 0;
};
// Threads scan the pinned chunks in parallel: each claims the next whole
// chunk (at most kTailChunkRecords records, one output vector) from the
// shared counter, so the JSON parsing above the scan runs on every core.
struct TailScan {
  std::atomic<size_t> next_chunk{0};
};
struct TailLocalScan {
  size_t chunk = SIZE_MAX;  // The chunk this thread is emitting, if any.
  size_t row = 0;
};

void TailBindFn(duckdb_bind_info info) {
  auto* registry = static_cast<TailPins*>(duckdb_bind_get_extra_info(info));
  duckdb_value stream_v = duckdb_bind_get_parameter(info, 0);
  duckdb_value after_v = duckdb_bind_get_parameter(info, 1);
  char* stream = duckdb_get_varchar(stream_v);
  int64_t after_signed = duckdb_get_int64(after_v);
  uint64_t after = after_signed < 0 ? 0 : static_cast<uint64_t>(after_signed);
  auto bind = std::make_unique<TailBind>();
  bind->after = after;
  duckdb_client_context ctx = nullptr;
  duckdb_table_function_get_client_context(info, &ctx);
  idx_t conn_id = duckdb_client_context_get_connection_id(ctx);
  duckdb_destroy_client_context(&ctx);
  TailPins::Entry entry = registry->Get(conn_id);
  bind->pin = entry.pin;
  bind->bytes_read = entry.bytes_read;
  if (bind->pin) {
    auto s = bind->pin->streams.find(std::string_view(stream));
    if (s != bind->pin->streams.end()) bind->chunks = &s->second;
  }
  duckdb_free(stream);
  duckdb_destroy_value(&stream_v);
  duckdb_destroy_value(&after_v);

  duckdb_logical_type ts = duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP);
  duckdb_logical_type bi = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_logical_type vc = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_bind_add_result_column(info, "_ingest_time", ts);
  duckdb_bind_add_result_column(info, "_record_id", bi);
  duckdb_bind_add_result_column(info, "doc", vc);
  duckdb_destroy_logical_type(&ts);
  duckdb_destroy_logical_type(&bi);
  duckdb_destroy_logical_type(&vc);
  duckdb_bind_set_bind_data(info, bind.release(),
                            [](void* p) { delete static_cast<TailBind*>(p); });  // NOLINT
}

void TailInitFn(duckdb_init_info info) {
  auto* bind = static_cast<TailBind*>(duckdb_init_get_bind_data(info));
  size_t chunks = bind->chunks != nullptr ? bind->chunks->size() : 0;
  duckdb_init_set_max_threads(info, std::max<idx_t>(1, chunks));
  duckdb_init_set_init_data(info, new TailScan(),  // NOLINT: owned by DuckDB.
                            [](void* p) { delete static_cast<TailScan*>(p); });
}

void TailLocalInitFn(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new TailLocalScan(),  // NOLINT: owned by DuckDB.
                            [](void* p) { delete static_cast<TailLocalScan*>(p); });
}

void TailScanFn(duckdb_function_info info, duckdb_data_chunk output) {
  auto* bind = static_cast<TailBind*>(duckdb_function_get_bind_data(info));
  auto* scan = static_cast<TailScan*>(duckdb_function_get_init_data(info));
  auto* local = static_cast<TailLocalScan*>(duckdb_function_get_local_init_data(info));
  idx_t n = 0;
  uint64_t bytes = 0;
  if (bind->chunks != nullptr) {
    duckdb_vector tv = duckdb_data_chunk_get_vector(output, 0);
    duckdb_vector rv = duckdb_data_chunk_get_vector(output, 1);
    duckdb_vector dv = duckdb_data_chunk_get_vector(output, 2);
    auto* times = static_cast<int64_t*>(duckdb_vector_get_data(tv));
    auto* ids = static_cast<int64_t*>(duckdb_vector_get_data(rv));
    idx_t capacity = duckdb_vector_size();
    const auto& chunks = *bind->chunks;
    while (n < capacity) {
      if (local->chunk >= chunks.size() || local->row >= chunks[local->chunk]->seqs.size()) {
        // Done with this chunk; an empty output chunk ends this thread's scan,
        // so only claim another while nothing is written yet.
        if (n > 0) break;
        local->chunk = scan->next_chunk.fetch_add(1);
        local->row = 0;
        if (local->chunk >= chunks.size()) break;
        continue;
      }
      const TailChunk& c = *chunks[local->chunk];
      size_t r = local->row++;
      if (c.seqs[r] <= bind->after) continue;
      times[n] = c.ingest_us[r];
      ids[n] = static_cast<int64_t>(c.seqs[r]);
      duckdb_vector_assign_string_element_len(dv, n, c.text.data() + c.offsets[r],
                                              c.offsets[r + 1] - c.offsets[r]);
      bytes += c.offsets[r + 1] - c.offsets[r];
      ++n;
    }
  }
  if (bytes > 0 && bind->bytes_read) bind->bytes_read->fetch_add(bytes);
  duckdb_data_chunk_set_size(output, n);
}

}  // namespace

void TailPins::Set(idx_t connection_id, Entry entry) {
  MutexLock lock(&mu_);
  pins_[connection_id] = std::move(entry);
}

void TailPins::Clear(idx_t connection_id) {
  MutexLock lock(&mu_);
  pins_.erase(connection_id);
}

TailPins::Entry TailPins::Get(idx_t connection_id) const {
  MutexLock lock(&mu_);
  auto it = pins_.find(connection_id);
  return it == pins_.end() ? Entry{} : it->second;
}

Status RegisterTailFunction(duckdb_connection conn, TailPins* pins) {
  duckdb_table_function f = duckdb_create_table_function();
  duckdb_table_function_set_name(f, "gamelake_tail");
  duckdb_logical_type vc = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type bi = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(f, vc);
  duckdb_table_function_add_parameter(f, bi);
  duckdb_destroy_logical_type(&vc);
  duckdb_destroy_logical_type(&bi);
  duckdb_table_function_set_extra_info(f, pins, nullptr);
  duckdb_table_function_set_bind(f, TailBindFn);
  duckdb_table_function_set_init(f, TailInitFn);
  duckdb_table_function_set_local_init(f, TailLocalInitFn);
  duckdb_table_function_set_function(f, TailScanFn);
  duckdb_state state = duckdb_register_table_function(conn, f);
  duckdb_destroy_table_function(&f);
  if (state != DuckDBSuccess) return Status::Internal("registering gamelake_tail");
  return Status::OK();
}

}  // namespace gamelake
