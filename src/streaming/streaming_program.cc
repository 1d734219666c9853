#include "streaming/streaming_program.h"
#include "common/ascii.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "streaming/expression_binder.h"
#include "streaming/select_planner.h"
#include "streaming/sql_parser.h"
#include "streaming/window_planner.h"

namespace gamelake {
namespace {

constexpr uint64_t kStateMagic = 0x4b44415354415445ull;  // "KDASTATE"
// How often (in pushed rows) the state bound is checked.
constexpr uint64_t kStateCheckEvery = 1024;

// NULL of a type: the value of a target column the INSERT does not name.
class NullLiteralExpr final : public BoundExpr {
 public:
  explicit NullLiteralExpr(ValueType type) : type_(type) {}
  ValueType type() const override { return type_; }
  SqlPos pos() const override { return {}; }
  Status Eval(const EvalRows&, SqlValue* out) const override {
    *out = SqlValue::Null(type_);
    return Status::OK();
  }

 private:
  ValueType type_;
};

// One pump's query, planned: which streams feed it, its operators, and how its
// output becomes rows of the target stream.
struct Pump {
  std::string name;
  int target = 0;  // Stream id (1.. : streams_[id - 1]).
  QueryPlan plan;
};

class ProgramImpl;

// Carries what operator `stage` of `pump` emits to the next operator, or into
// the pump's target stream after the last one.
class StageEmitter final : public RowEmitter {
 public:
  StageEmitter(ProgramImpl* program, int pump, int stage)
      : program_(program), pump_(pump), stage_(stage) {}
  void Emit(StreamRow row) override;
  void Error(const StreamRow& row, SqlPos pos, std::string_view message) override;

 private:
  ProgramImpl* program_;
  int pump_;
  int stage_;
};

class ProgramImpl final : public StreamingProgram {
 public:
  ProgramImpl(std::vector<PlanStream> streams, std::vector<Pump> pumps,
              const ProgramOptions& options)
      : all_(std::move(streams)), pumps_(std::move(pumps)), options_(options) {
    for (size_t i = 1; i < all_.size(); ++i) streams_.push_back({all_[i].name, all_[i].schema});
    readers_.resize(all_.size());
    for (size_t p = 0; p < pumps_.size(); ++p) {
      for (size_t port = 0; port < pumps_[p].plan.sources.size(); ++port) {
        readers_[pumps_[p].plan.sources[port]].push_back(
            {static_cast<int>(p), static_cast<int>(port)});
      }
      std::vector<std::unique_ptr<StageEmitter>> emitters;
      for (size_t k = 0; k < pumps_[p].plan.ops.size(); ++k) {
        emitters.push_back(
            std::make_unique<StageEmitter>(this, static_cast<int>(p), static_cast<int>(k)));
      }
      emitters_.push_back(std::move(emitters));
    }
  }

  const std::vector<InAppStream>& streams() const override { return streams_; }
  int FindStream(std::string_view name) const override {
    for (size_t i = 0; i < streams_.size(); ++i) {
      if (streams_[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  Status Push(const StreamRow& row, Sink* sink) override {
    sink_ = sink;
    Dispatch(0, row);
    if (++pushed_ % kStateCheckEvery == 0 && StateBytes() > options_.max_state_bytes) {
      hard_error_ = Status::ResourceExhausted("window state over streaming.max_state_bytes (" +
                                              std::to_string(options_.max_state_bytes) + " bytes)");
    }
    return hard_error_;
  }

  Status AdvanceTime(int64_t rowtime_ms, Sink* sink) override {
    sink_ = sink;
    for (size_t p = 0; p < pumps_.size(); ++p) {
      for (size_t k = 0; k < pumps_[p].plan.ops.size() && hard_error_.ok(); ++k) {
        Status s = pumps_[p].plan.ops[k]->AdvanceTime(rowtime_ms, emitters_[p][k].get());
        if (!s.ok()) hard_error_ = s;
      }
    }
    return hard_error_;
  }

  std::string SaveState() const override {
    StateWriter w;
    w.PutU64(kStateMagic);
    w.PutU64(pumps_.size());
    for (const Pump& pump : pumps_) {
      w.PutString(pump.name);
      w.PutU64(pump.plan.ops.size());
      for (const StreamOperatorPtr& op : pump.plan.ops) op->SaveState(&w);
    }
    return w.Release();
  }

  Status LoadState(std::string_view state) override {
    StateReader r(state);
    uint64_t magic = 0, pumps = 0;
    GL_RETURN_IF_ERROR(r.GetU64(&magic));
    GL_RETURN_IF_ERROR(r.GetU64(&pumps));
    if (magic != kStateMagic || pumps != pumps_.size()) {
      return Status::Corruption("the saved state is not this application's");
    }
    for (Pump& pump : pumps_) {
      std::string name;
      uint64_t ops = 0;
      GL_RETURN_IF_ERROR(r.GetString(&name));
      GL_RETURN_IF_ERROR(r.GetU64(&ops));
      if (name != pump.name || ops != pump.plan.ops.size()) {
        return Status::Corruption("the saved state of pump " + QuotedName(name) +
                                  " does not match the application's code");
      }
      for (StreamOperatorPtr& op : pump.plan.ops) GL_RETURN_IF_ERROR(op->LoadState(&r));
    }
    if (!r.done()) return Status::Corruption("trailing bytes after the saved state");
    return Status::OK();
  }

  size_t StateBytes() const override {
    size_t n = 0;
    for (const Pump& pump : pumps_) {
      for (const StreamOperatorPtr& op : pump.plan.ops) n += op->StateBytes();
    }
    return n;
  }

  // Called by StageEmitter.
  void StageOutput(int pump, int stage, StreamRow row) {
    Pump& p = pumps_[pump];
    if (static_cast<size_t>(stage) + 1 < p.plan.ops.size()) {
      Status s = p.plan.ops[stage + 1]->Push(0, row, emitters_[pump][stage + 1].get());
      if (!s.ok() && hard_error_.ok()) hard_error_ = s;
      return;
    }
    sink_->OnRow(p.target - 1, row);
    Dispatch(p.target, row);
  }

  void StageError(int pump, int stage, const StreamRow& row, SqlPos pos, std::string_view message) {
    ErrorRow e;
    e.error_time_ms = row.rowtime_ms;
    e.error_level = "ERROR";
    e.error_name = "EVALUATION_ERROR";
    e.message =
        std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + std::string(message);
    e.data_rowtime_ms = row.rowtime_ms;
    AppendRowJson(pumps_[pump].plan.stage_inputs[stage], row, &e.data_row);
    e.pump_name = pumps_[pump].name;
    sink_->OnError(e);
  }

 private:
  struct Reader {
    int pump;
    int port;
  };

  void Dispatch(int stream, const StreamRow& row) {
    for (const Reader& r : readers_[stream]) {
      Status s = pumps_[r.pump].plan.ops[0]->Push(r.port, row, emitters_[r.pump][0].get());
      if (!s.ok() && hard_error_.ok()) hard_error_ = s;
    }
  }

  std::vector<PlanStream> all_;  // Id 0: SOURCE_SQL_STREAM_001; then in-app streams.
  std::vector<InAppStream> streams_;
  std::vector<Pump> pumps_;
  std::vector<std::vector<Reader>> readers_;  // By stream id.
  std::vector<std::vector<std::unique_ptr<StageEmitter>>> emitters_;
  ProgramOptions options_;
  Sink* sink_ = nullptr;
  Status hard_error_;
  uint64_t pushed_ = 0;
};

void StageEmitter::Emit(StreamRow row) { program_->StageOutput(pump_, stage_, std::move(row)); }
void StageEmitter::Error(const StreamRow& row, SqlPos pos, std::string_view message) {
  program_->StageError(pump_, stage_, row, pos, message);
}

// Builds the streams and pumps of a program, statement by statement.
class Compiler {
 public:
  Compiler(const StreamSchema& input, const ProgramOptions& options) : options_(options) {
    streams_.push_back({kSourceStreamName, input});
  }

  Status Statement(const SqlStatement& st) {
    if (st.kind == SqlStatement::Kind::kCreateStream) return CreateStream(st.create_stream);
    return CreatePump(st.create_pump);
  }

  Result<std::unique_ptr<StreamingProgram>> Finish() {
    return std::unique_ptr<StreamingProgram>(
        new ProgramImpl(std::move(streams_), std::move(pumps_), options_));
  }

 private:
  int Find(std::string_view name) const {
    for (size_t i = 0; i < streams_.size(); ++i) {
      if (streams_[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  Status CreateStream(const SqlCreateStream& cs) {
    if (cs.name.name == kSourceStreamName || cs.name.name == kErrorStreamName) {
      return ErrorAt(cs.name.pos, QuotedName(cs.name.name) + " is the application's own stream");
    }
    if (cs.columns.empty()) return ErrorAt(cs.name.pos, "a stream needs at least one column");
    PlanStream stream{cs.name.name, {}};
    for (const SqlColumnDef& c : cs.columns) {
      if (stream.schema.Find(c.name.name) >= 0) {
        return ErrorAt(c.name.pos, "column " + QuotedName(c.name.name) + " is defined twice");
      }
      stream.schema.columns.push_back({c.name.name, c.type});
    }
    int existing = Find(cs.name.name);
    if (existing < 0) {
      streams_.push_back(std::move(stream));
      return Status::OK();
    }
    if (!cs.or_replace) {
      return ErrorAt(cs.name.pos, "stream " + QuotedName(cs.name.name) +
                                      " already exists (use CREATE OR REPLACE STREAM)");
    }
    for (const Pump& p : pumps_) {
      bool reads = false;
      for (int s : p.plan.sources) reads = reads || s == existing;
      if (reads || p.target == existing) {
        return ErrorAt(cs.name.pos, "stream " + QuotedName(cs.name.name) + " is used by pump " +
                                        QuotedName(p.name) + " and cannot be replaced");
      }
    }
    streams_[existing] = std::move(stream);
    return Status::OK();
  }

  Status CheckCycle(const SqlCreatePump& cp, int target, const QueryPlan& plan) {
    // A pump closes a cycle if its target already (transitively) feeds one of
    // its sources.
    std::vector<int> reach = {target};
    std::vector<bool> seen(streams_.size(), false);
    seen[target] = true;
    for (size_t i = 0; i < reach.size(); ++i) {
      for (const Pump& p : pumps_) {
        bool reads = false;
        for (int s : p.plan.sources) reads = reads || s == reach[i];
        if (reads && !seen[p.target]) {
          seen[p.target] = true;
          reach.push_back(p.target);
        }
      }
    }
    for (int s : plan.sources) {
      if (seen[s]) {
        return ErrorAt(cp.name.pos, "pump " + QuotedName(cp.name.name) + " makes a cycle: " +
                                        QuotedName(streams_[target].name) + " feeds " +
                                        QuotedName(streams_[s].name) + ", which the pump reads");
      }
    }
    return Status::OK();
  }

  // The target columns the query's output fills, in output order.
  Result<std::vector<int>> TargetColumns(const SqlCreatePump& cp, const PlanStream& target,
                                         const QueryPlan& plan) {
    std::vector<int> cols;
    if (cp.target_columns.empty()) {
      for (size_t i = 0; i < target.schema.columns.size(); ++i) cols.push_back(i);
    } else {
      for (const SqlIdentifier& id : cp.target_columns) {
        int c = target.schema.Find(id.name);
        if (c < 0) {
          return ErrorAt(id.pos, "column " + QuotedName(id.name) + " not found in stream " +
                                     QuotedName(target.name));
        }
        cols.push_back(c);
      }
    }
    if (cols.size() != plan.output.columns.size()) {
      return ErrorAt(cp.query->pos, "the query gives " +
                                        std::to_string(plan.output.columns.size()) +
                                        " columns but INSERT INTO " + QuotedName(target.name) +
                                        " takes " + std::to_string(cols.size()));
    }
    return cols;
  }

  // Appends the stage that turns the query's rows into rows of the target:
  // each value cast to its column's declared type, unnamed columns NULL.
  Status AppendInsert(const SqlCreatePump& cp, const PlanStream& target, QueryPlan* plan) {
    GL_ASSIGN_OR_RETURN(std::vector<int> cols, TargetColumns(cp, target, *plan));
    std::vector<OutputColumn> out(target.schema.columns.size());
    std::vector<bool> filled(out.size(), false);
    for (size_t i = 0; i < cols.size(); ++i) {
      const StreamColumn& tc = target.schema.columns[cols[i]];
      const StreamColumn& qc = plan->output.columns[i];
      SqlPos pos =
          cp.query->items.size() == cols.size() ? cp.query->items[i].expr->pos : cp.query->pos;
      if (!AssignableTo(ValueTypeOf(qc.type), tc.type)) {
        return ErrorAt(pos, std::string("cannot insert ") + ValueTypeName(ValueTypeOf(qc.type)) +
                                " into column " + QuotedName(tc.name) + " " + tc.type.ToString() +
                                " of " + QuotedName(target.name));
      }
      BoundExprPtr ref =
          std::make_unique<ColumnRefExpr>(0, static_cast<int>(i), ValueTypeOf(qc.type), pos);
      GL_ASSIGN_OR_RETURN(out[cols[i]].expr, BindCast(std::move(ref), tc.type, pos));
      filled[cols[i]] = true;
    }
    for (size_t c = 0; c < out.size(); ++c) {
      out[c].name = target.schema.columns[c].name;
      out[c].type = target.schema.columns[c].type;
      if (!filled[c]) {
        out[c].expr = std::make_unique<NullLiteralExpr>(ValueTypeOf(out[c].type));
      }
    }
    StreamSchema input = plan->output;
    AppendProjection(plan, nullptr, std::move(out), -1, std::move(input));
    return Status::OK();
  }

  Status CreatePump(const SqlCreatePump& cp) {
    for (const Pump& p : pumps_) {
      if (p.name == cp.name.name) {
        return ErrorAt(cp.name.pos, "pump " + QuotedName(cp.name.name) + " already exists");
      }
    }
    int target = Find(cp.target.name);
    if (target < 0) {
      return ErrorAt(cp.target.pos, "stream " + QuotedName(cp.target.name) +
                                        " not found (CREATE STREAM it before the pump)");
    }
    if (target == 0) {
      return ErrorAt(cp.target.pos, std::string("a pump cannot insert into ") + kSourceStreamName);
    }
    PlanContext ctx{&streams_, &options_};
    // UNION ALL: each branch is a pump of its own into the same target.
    for (const SqlSelect* branch = cp.query.get(); branch != nullptr;
         branch = branch->union_all.get()) {
      GL_ASSIGN_OR_RETURN(QueryPlan plan, PlanSelectBranch(*branch, ctx));
      GL_RETURN_IF_ERROR(CheckCycle(cp, target, plan));
      GL_RETURN_IF_ERROR(AppendInsert(cp, streams_[target], &plan));
      pumps_.push_back({cp.name.name, target, std::move(plan)});
    }
    return Status::OK();
  }

  std::vector<PlanStream> streams_;
  std::vector<Pump> pumps_;
  ProgramOptions options_;
};

}  // namespace

Result<std::unique_ptr<StreamingProgram>> StreamingProgram::Compile(std::string_view sql,
                                                                    const StreamSchema& input,
                                                                    const ProgramOptions& options) {
  GL_ASSIGN_OR_RETURN(SqlProgram program, ParseProgram(sql));
  Compiler compiler(input, options);
  for (const SqlStatement& st : program.statements) GL_RETURN_IF_ERROR(compiler.Statement(st));
  return compiler.Finish();
}

}  // namespace gamelake
