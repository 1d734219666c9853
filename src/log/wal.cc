#include "log/wal.h"

#include "log/wal_impl.h"

namespace gamelake {

Result<std::unique_ptr<Wal>> Wal::Open(const WalOptions& options, RecoveryReport* report) {
  auto wal = std::make_unique<wal_internal::WalImpl>(options);
  GL_RETURN_IF_ERROR(wal->Open(report));
  return std::unique_ptr<Wal>(std::move(wal));
}

}  // namespace gamelake
