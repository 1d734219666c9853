// AnalysisStore: the console's saved analyses and dashboards (QuickSight-like
// documents), kept on the server so they are listed, shared by URL and
// survive restarts. The server treats a document as opaque JSON: it checks
// that it is an object with a "name" and sets "id" and "updated_at" itself.
// Layout and rules: analysis_store.md.
//
// Thread-safety: all methods may be called concurrently (one mutex orders
// writers; readers see whole files thanks to atomic renames).
#ifndef GAMELAKE_SERVER_ANALYSIS_STORE_H_
#define GAMELAKE_SERVER_ANALYSIS_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"

namespace gamelake {

inline constexpr size_t kMaxAnalysisBytes = 1u << 20;
inline constexpr size_t kMaxAnalysisNameBytes = 200;

struct AnalysisInfo {
  std::string id;
  std::string name;
  std::string updated_at;  // ISO-8601 UTC.
  uint64_t bytes = 0;      // Of the stored document.
  bool created = false;    // Put only: there was no analysis with this id before.
};

// OK if id is [A-Za-z0-9][A-Za-z0-9_-]{0,127}; else InvalidArgument saying why.
[[nodiscard]] Status ValidateAnalysisId(std::string_view id);

class AnalysisStore {
 public:
  // Creates `dir` if needed. env must outlive the store.
  static Result<std::unique_ptr<AnalysisStore>> Open(Env* env, std::string dir);

  // Stores `json` as analysis `id`, with "id" and "updated_at" (env's clock)
  // set by the store. InvalidArgument for a bad id or document (not JSON, with
  // the byte offset; not an object; "name" missing, not a string, empty or
  // longer than kMaxAnalysisNameBytes); ResourceExhausted when json is larger
  // than kMaxAnalysisBytes. *info (optional) gets what was stored.
  Status Put(std::string_view id, std::string_view json, AnalysisInfo* info = nullptr)
      GL_EXCLUDES(mu_);
  // The stored document; NotFound if there is none.
  Result<std::string> Get(std::string_view id) const;
  // Every analysis, sorted by name (then id).
  Result<std::vector<AnalysisInfo>> List() const;
  // NotFound if there is none.
  Status Delete(std::string_view id) GL_EXCLUDES(mu_);

 private:
  AnalysisStore(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  std::string PathOf(std::string_view id) const;

  Env* env_;
  std::string dir_;
  // Orders the writers (Put, Delete): it guards the files, not a member.
  Mutex mu_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_ANALYSIS_STORE_H_
