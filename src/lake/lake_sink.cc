#include "lake/lake_sink.h"

namespace gamelake {
namespace {

class LocalLakeSink final : public LakeSink {
 public:
  std::string Describe() const override { return "local"; }
  Result<LakeSinkRecovery> Recover() override { return LakeSinkRecovery{}; }
  Status Publish(const std::string& lake_path) override { return Status::OK(); }
};

}  // namespace

std::unique_ptr<LakeSink> NewLocalLakeSink() { return std::make_unique<LocalLakeSink>(); }

}  // namespace gamelake
