#include "generator/generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <thread>

#include <fmt/format.h>

#include "common/mutex.h"

namespace gamelake {
namespace {

constexpr size_t kWriteChunkBytes = 1 << 20;  // --output: write in pieces this large.
constexpr int64_t kMaxBatchWaitUs = 100'000;  // A partial batch waits at most this long.
constexpr int64_t kMaxSleepUs = 50'000;       // So stop and duration are noticed quickly.

std::string Thousands(uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// Prints a progress line to a terminal four times a second.
class ProgressLine {
 public:
  ProgressLine(std::FILE* out, const char* verb, uint64_t total,
               std::function<void(uint64_t*, uint64_t*)> sample)
      : out_(out), verb_(verb), total_(total), sample_(std::move(sample)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ProgressLine() {
    {
      MutexLock lock(&mu_);
      stop_ = true;
    }
    cv_.SignalAll();
    thread_.join();
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  }

 private:
  void Run() GL_EXCLUDES(mu_) {
    auto last_time = std::chrono::steady_clock::now();
    uint64_t last_done = 0;
    double rate = 0;
    MutexLock lock(&mu_);
    while (!cv_.WaitFor(&mu_, std::chrono::milliseconds(250),
                        [&]() GL_REQUIRES(mu_) { return stop_; })) {
      uint64_t done = 0, errors = 0;
      sample_(&done, &errors);
      auto now = std::chrono::steady_clock::now();
      double dt = std::chrono::duration<double>(now - last_time).count();
      double instant = dt > 0 ? static_cast<double>(done - last_done) / dt : 0;
      rate = rate == 0 ? instant : 0.7 * rate + 0.3 * instant;
      last_time = now;
      last_done = done;
      std::string line = fmt::format("\r\033[K{} {}  {}/s  errors {}", verb_, Thousands(done),
                                     Thousands(static_cast<uint64_t>(rate)), Thousands(errors));
      if (total_ > 0) {
        double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
        int filled = static_cast<int>(f * 30);
        line += fmt::format("  [{}{}] {:3.0f}%", std::string(filled, '#'),
                            std::string(30 - filled, '.'), f * 100);
        if (rate > 0 && done < total_) {
          line += fmt::format("  ETA {:.0f}s", static_cast<double>(total_ - done) / rate);
        }
      }
      std::fputs(line.c_str(), out_);
      std::fflush(out_);
    }
  }

  std::FILE* out_;
  const char* verb_;
  uint64_t total_;
  std::function<void(uint64_t*, uint64_t*)> sample_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

Status Generate(const GenerateOptions& o, RecordSource* source, GenerateReport* report) {
  *report = GenerateReport();
  Env* env = o.env;
  if (o.batch == 0) return Status::InvalidArgument("--batch must be at least 1");
  if (o.rate < 0 || !std::isfinite(o.rate)) return Status::InvalidArgument("--rate must be >= 0");

  const bool virtual_clock = o.seed.has_value() || o.start_time_us.has_value();
  const int64_t virtual_start = o.start_time_us.value_or(kDefaultVirtualStartUs);
  const double virtual_step = o.time_step_us > 0 ? static_cast<double>(o.time_step_us)
                              : o.rate > 0       ? 1e6 / o.rate
                                                 : 1000.0;
  const bool needs_clock = source->uses_clock();

  // Where records go.
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<HttpSender> sender;
  const bool to_stdout = o.output_path == "-";
  if (!o.output_path.empty() && !to_stdout) {
    auto f = env->NewWritableFile(o.output_path);
    if (!f.ok()) return f.status().WithContext("--output");
    file = std::move(f).value();
  } else if (o.output_path.empty()) {
    auto s = HttpSender::Start(o.sender);
    if (!s.ok()) return s.status();
    sender = std::move(s).value();
  }

  std::atomic<uint64_t> written{0};
  std::unique_ptr<ProgressLine> progress;
  if (o.progress != nullptr) {
    uint64_t total = o.count;
    if (total == 0 && o.duration_s > 0 && o.rate > 0) {
      total = static_cast<uint64_t>(o.duration_s * o.rate);
    }
    progress = std::make_unique<ProgressLine>(o.progress, sender ? "sent" : "written", total,
                                              [&](uint64_t* done, uint64_t* errors) {
                                                if (sender) {
                                                  SenderStats s = sender->stats();
                                                  *done = s.accepted + s.rejected;
                                                  *errors = s.rejected + s.unsent;
                                                } else {
                                                  *done = written.load(std::memory_order_relaxed);
                                                  *errors = 0;
                                                }
                                              });
  }

  std::string buf;
  const size_t reserve = sender ? o.batch * 160 : kWriteChunkBytes + 65536;
  buf.reserve(reserve);
  size_t in_buf = 0;  // Records in buf.
  uint64_t made = 0;
  const int64_t t0 = env->MonotonicMicros();
  int64_t buf_started = t0;
  Status status;

  auto flush = [&]() -> Status {
    if (in_buf == 0) return Status::OK();
    size_t n = in_buf;
    in_buf = 0;
    if (sender) {
      Status s = sender->Send(std::move(buf), n);
      buf = std::string();
      buf.reserve(reserve);
      return s;
    }
    if (to_stdout) {
      if (std::fwrite(buf.data(), 1, buf.size(), stdout) != buf.size() ||
          std::fflush(stdout) != 0) {
        return Status::FromErrno("--output -: writing to stdout", errno);
      }
    } else {
      GL_RETURN_IF_ERROR(file->Append(buf).WithContext("--output"));
    }
    buf.clear();
    written.fetch_add(n, std::memory_order_relaxed);
    return Status::OK();
  };

  const uint64_t limit = o.count > 0 ? o.count : std::numeric_limits<uint64_t>::max();
  const int64_t duration_us = o.duration_s > 0 ? static_cast<int64_t>(o.duration_s * 1e6)
                                               : std::numeric_limits<int64_t>::max();
  while (made < limit) {
    if (o.stop != nullptr && o.stop->load(std::memory_order_relaxed)) {
      report->interrupted = true;
      break;
    }
    int64_t now = env->MonotonicMicros();
    if (now - t0 >= duration_us) break;
    // Records due by now: one at t0, then one every 1/rate seconds.
    uint64_t due = limit;
    if (o.rate > 0) {
      double d = std::floor(static_cast<double>(now - t0) * 1e-6 * o.rate) + 1;
      due = std::min<uint64_t>(limit, static_cast<uint64_t>(std::min(d, 1e19)));
    }
    if (made >= due) {
      if (in_buf > 0 && (!sender || now - buf_started >= kMaxBatchWaitUs)) {
        status = flush();
        if (!status.ok()) break;
      }
      int64_t next_us = t0 + static_cast<int64_t>(static_cast<double>(made) / o.rate * 1e6);
      int64_t sleep_us = std::clamp<int64_t>(next_us - now, 50, kMaxSleepUs);
      if (sender && in_buf > 0) sleep_us = std::min(sleep_us, buf_started + kMaxBatchWaitUs - now);
      std::this_thread::sleep_for(std::chrono::microseconds(std::max<int64_t>(sleep_us, 50)));
      continue;
    }
    // Make what is due, a batch (or a write chunk) at a time.
    uint64_t n = std::min<uint64_t>(due - made, sender ? o.batch - in_buf : 65536);
    if (in_buf == 0) buf_started = now;
    for (uint64_t k = 0; k < n; ++k) {
      int64_t ts = 0;
      if (virtual_clock) {
        ts = virtual_start + static_cast<int64_t>(static_cast<double>(made) * virtual_step);
      } else if (needs_clock) {
        ts = env->NowMicros();
      }
      if (o.check_all || made < kCheckedRecords) {
        status = source->NextChecked(ts, &buf);
        if (!status.ok()) break;
      } else {
        source->Next(ts, &buf);
      }
      buf.push_back('\n');
      ++made;
      ++in_buf;
    }
    if (!status.ok()) break;
    if (sender ? in_buf >= o.batch : buf.size() >= kWriteChunkBytes) {
      status = flush();
      if (!status.ok()) break;
    }
  }
  if (status.ok()) {
    status = flush();
  }
  report->generated = made;
  if (sender) {
    // A fatal answer (a rejected key) or a bad record: what is queued is dropped.
    Status s = sender->Finish(!status.ok());
    if (status.ok()) status = s;
    report->sent = sender->stats();
  }
  if (file) {
    Status s = file->Close();
    if (status.ok()) status = s.WithContext("--output");
  }
  progress.reset();
  report->written = written.load();
  report->seconds = static_cast<double>(env->MonotonicMicros() - t0) * 1e-6;
  return status;
}

}  // namespace gamelake
