#include "lake/lake_files.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <numeric>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace gamelake {
namespace {

constexpr std::string_view kFloorFile = "watermarks";

std::string FloorPath(const std::string& lake_dir) {
  return JoinPath(JoinPath(lake_dir, kLakeStateDir), kFloorFile);
}

bool IsDirectory(Env* env, const std::string& path) { return env->ListDir(path).ok(); }

// Calls fn(rel_path, name) for every file below <root>/<rel_dir>, skipping
// hidden names (and temporary ones, which are hidden too).
Status Walk(Env* env, const std::string& root, const std::string& rel_dir,
            const std::function<void(const std::string&, const std::string&)>& fn) {
  std::string dir = rel_dir.empty() ? root : JoinPath(root, rel_dir);
  Result<std::vector<std::string>> names = env->ListDir(dir);
  if (!names.ok()) {
    if (!env->FileExists(dir)) return Status::OK();  // Removed while we walked.
    return names.status();
  }
  for (const std::string& name : *names) {
    if (name.empty() || name[0] == '.') continue;
    std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
    if (IsDirectory(env, JoinPath(root, rel))) {
      GL_RETURN_IF_ERROR(Walk(env, root, rel, fn));
    } else {
      fn(rel, name);
    }
  }
  return Status::OK();
}

// Every temporary file under dir (writers' leftovers), lake-relative.
Status FindTemporary(Env* env, const std::string& lake_dir, const std::string& rel_dir,
                     std::vector<std::string>* out) {
  std::string dir = rel_dir.empty() ? lake_dir : JoinPath(lake_dir, rel_dir);
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& name : names) {
    if (rel_dir.empty() && name == kLakeStateDir) continue;
    std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
    if (IsDirectory(env, JoinPath(lake_dir, rel))) {
      GL_RETURN_IF_ERROR(FindTemporary(env, lake_dir, rel, out));
    } else if (IsTempName(name)) {
      out->push_back(rel);
    }
  }
  return Status::OK();
}

Result<std::map<std::string, uint64_t>> ReadFloors(Env* env, const std::string& lake_dir) {
  std::map<std::string, uint64_t> floors;
  const std::string path = FloorPath(lake_dir);
  if (!env->FileExists(path)) return floors;
  GL_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty()) continue;
    size_t space = line.rfind(' ');
    uint64_t seq = 0;
    std::string_view digits = space == std::string_view::npos ? "" : line.substr(space + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
    if (space == 0 || space == std::string_view::npos || ec != std::errc() ||
        end != digits.data() + digits.size()) {
      return Status::Corruption(
          fmt::format("{}:{}: expected \"<table> <record id>\"", path, line_no));
    }
    uint64_t& floor = floors[std::string(line.substr(0, space))];
    floor = std::max(floor, seq);
  }
  return floors;
}

}  // namespace

Visibility ResolveVisibility(std::span<const LakeFileName> names) {
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  // Widest ranges first, then the newest version of a range: each file is
  // judged against those that may supersede it.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const LakeFileName& x = names[a];
    const LakeFileName& y = names[b];
    uint64_t wx = x.last_seq - x.first_seq, wy = y.last_seq - y.first_seq;
    if (wx != wy) return wx > wy;
    if (x.version != y.version) return x.version > y.version;
    return x.first_seq < y.first_seq;
  });
  Visibility out;
  std::map<uint64_t, size_t> accepted;  // first_seq -> index, disjoint ranges.
  for (size_t i : order) {
    const LakeFileName& n = names[i];
    // Accepted ranges are disjoint: if any overlaps n, so does the one
    // starting last at or before n.last_seq.
    auto it = accepted.upper_bound(n.last_seq);
    std::optional<size_t> hit;
    if (it != accepted.begin()) {
      auto prev = std::prev(it);
      if (names[prev->second].Overlaps(n)) hit = prev->second;
    }
    if (!hit) {
      accepted.emplace(n.first_seq, i);
    } else if (names[*hit].Contains(n)) {
      out.superseded.push_back(i);
    } else {
      out.conflicts.emplace_back(i, *hit);
    }
  }
  for (const auto& [first, i] : accepted) out.visible.push_back(i);
  std::sort(out.superseded.begin(), out.superseded.end());
  return out;
}

Result<std::vector<std::string>> ListTables(Env* env, const std::string& lake_dir) {
  std::vector<std::string> tables;
  if (!env->FileExists(lake_dir)) return tables;
  GL_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(lake_dir));
  for (const std::string& name : names) {
    if (IgnoredDirName(name, /*below_table=*/false)) continue;
    if (IsDirectory(env, JoinPath(lake_dir, name))) tables.push_back(name);
  }
  return tables;
}

Result<std::vector<WrittenFile>> ListWrittenFiles(Env* env, const std::string& lake_dir,
                                                  const std::string& table) {
  std::vector<WrittenFile> out;
  GL_RETURN_IF_ERROR(
      Walk(env, JoinPath(lake_dir, table), "", [&](const std::string& rel, const std::string& n) {
        if (std::optional<LakeFileName> name = ParseLakeFileName(table, n)) {
          out.push_back(WrittenFile{table + "/" + rel, *name});
        }
      }));
  return out;
}

Result<std::map<std::string, uint64_t>> ScanWatermarks(Env* env, const std::string& lake_dir) {
  using Floors = std::map<std::string, uint64_t>;
  GL_ASSIGN_OR_RETURN(Floors out, ReadFloors(env, lake_dir));
  GL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(env, lake_dir));
  for (const std::string& table : tables) {
    GL_ASSIGN_OR_RETURN(std::vector<WrittenFile> files, ListWrittenFiles(env, lake_dir, table));
    for (const WrittenFile& f : files) {
      uint64_t& wm = out[table];
      wm = std::max(wm, f.name.last_seq);
    }
  }
  return out;
}

Status RaiseWatermarkFloors(Env* env, const std::string& lake_dir,
                            const std::map<std::string, uint64_t>& floors) {
  using Floors = std::map<std::string, uint64_t>;
  GL_ASSIGN_OR_RETURN(Floors current, ReadFloors(env, lake_dir));
  bool changed = false;
  for (const auto& [table, seq] : floors) {
    uint64_t& floor = current[table];
    if (seq > floor) {
      floor = seq;
      changed = true;
    }
  }
  if (!changed) return Status::OK();
  std::string text;
  for (const auto& [table, seq] : current) text += fmt::format("{} {}\n", table, seq);
  GL_RETURN_IF_ERROR(env->CreateDirs(JoinPath(lake_dir, kLakeStateDir)));
  return env->WriteFileAtomic(FloorPath(lake_dir), text);
}

Result<LeftoverReport> RemoveLeftovers(Env* env, const std::string& lake_dir) {
  LeftoverReport report;
  if (!env->FileExists(lake_dir)) return report;
  GL_RETURN_IF_ERROR(FindTemporary(env, lake_dir, "", &report.temporary));
  for (const std::string& rel : report.temporary) {
    GL_RETURN_IF_ERROR(env->RemoveFile(JoinPath(lake_dir, rel)));
  }
  GL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(env, lake_dir));
  for (const std::string& table : tables) {
    GL_ASSIGN_OR_RETURN(std::vector<WrittenFile> files, ListWrittenFiles(env, lake_dir, table));
    std::vector<LakeFileName> names;
    for (const WrittenFile& f : files) names.push_back(f.name);
    Visibility v = ResolveVisibility(names);
    std::set<std::string> dirs;
    for (size_t i : v.superseded) {
      GL_RETURN_IF_ERROR(env->RemoveFile(JoinPath(lake_dir, files[i].path)));
      report.superseded.push_back(files[i].path);
      dirs.insert(DirName(files[i].path));
    }
    for (const auto& [i, other] : v.conflicts) report.conflicts.push_back(files[i].path);
    for (const std::string& dir : dirs) {
      GL_RETURN_IF_ERROR(env->SyncDir(JoinPath(lake_dir, dir)));
      GL_RETURN_IF_ERROR(RemoveEmptyDirs(env, lake_dir, dir));
    }
  }
  return report;
}

Status RemoveEmptyDirs(Env* env, const std::string& lake_dir, const std::string& rel_dir) {
  std::string rel = rel_dir;
  // Stop at the table folder (no '/' left in rel).
  while (rel.find('/') != std::string::npos) {
    std::string dir = JoinPath(lake_dir, rel);
    Result<std::vector<std::string>> names = env->ListDir(dir);
    if (!names.ok() || !names->empty()) return Status::OK();
    GL_RETURN_IF_ERROR(env->RemoveDir(dir));
    rel = DirName(rel);
  }
  return Status::OK();
}

}  // namespace gamelake
