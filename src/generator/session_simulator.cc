#include "generator/session_simulator.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "generator/time_format.h"
#include "generator/word_lists.h"

namespace gamelake {
namespace {

constexpr size_t kConcurrentSessions = 40;
constexpr size_t kMaxPlayers = 1'000'000;
constexpr char kHex[] = "0123456789abcdef";
constexpr const char* kPlatforms[] = {"ios", "android", "pc", "switch"};
constexpr double kPlatformWeights[] = {0.35, 0.45, 0.15, 0.05};
// A player installs one of the last releases; newer ones are more common.
constexpr const char* kAppVersions[] = {"1.2.0", "1.3.0", "1.4.0"};
constexpr double kAppVersionWeights[] = {0.2, 0.3, 0.5};
constexpr const char* kEnemies[] = {"ghost", "gargoyle", "skeleton", "spider", "bat", "witch"};
struct Item {
  const char* id;
  double price;
};
constexpr Item kItems[] = {{"coins_small", 0.99}, {"coins_medium", 4.99}, {"coins_large", 9.99},
                           {"extra_lives", 1.99}, {"skin_pumpkin", 2.99}, {"season_pass", 14.99}};
constexpr double kItemWeights[] = {0.35, 0.2, 0.08, 0.2, 0.12, 0.05};

template <size_t N>
size_t PickWeighted(Rng* rng, const double (&weights)[N]) {
  double r = rng->NextDouble();
  for (size_t i = 0; i < N; ++i) {
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  return N - 1;
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// Fixed-point with `decimals` places (values here are small and positive).
void AppendFixed(double v, int decimals, std::string* out) {
  int64_t scale = decimals == 1 ? 10 : 100;
  int64_t x = std::llround(v * static_cast<double>(scale));
  if (x < 0) {
    out->push_back('-');
    x = -x;
  }
  AppendInt(x / scale, out);
  out->push_back('.');
  int64_t frac = x % scale;
  if (decimals == 2 && frac < 10) out->push_back('0');
  AppendInt(frac, out);
}

void AppendSeconds(int64_t us, std::string* out) {
  AppendFixed(static_cast<double>(us) / 1e6, 1, out);
}

}  // namespace

SessionSimulator::SessionSimulator(uint64_t seed) : rng_(seed) {
  sessions_.reserve(kConcurrentSessions);
}

void SessionSimulator::NewId(char id[36]) {
  uint64_t hi = rng_.Next(), lo = rng_.Next();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  int p = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id[p++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    id[p++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
}

uint32_t SessionSimulator::PickPlayer() {
  // Returning players: a few tries, each accepted with the player's loyalty,
  // so loyal players come back often and most others drift away.
  if (players_.size() >= 20 && !rng_.Chance(0.3)) {
    for (int attempt = 0; attempt < 6; ++attempt) {
      uint32_t i = static_cast<uint32_t>(rng_.Below(players_.size()));
      Player& p = players_[i];
      if (!p.playing && rng_.Chance(p.loyalty)) return i;
    }
  }
  if (players_.size() >= kMaxPlayers) {
    for (;;) {
      uint32_t i = static_cast<uint32_t>(rng_.Below(players_.size()));
      if (!players_[i].playing) return i;
    }
  }
  Player p;
  NewId(p.id);
  p.country = static_cast<uint8_t>(rng_.Below(words::CountryCodes().size()));
  p.platform = static_cast<uint8_t>(PickWeighted(&rng_, kPlatformWeights));
  p.app_version = static_cast<uint8_t>(PickWeighted(&rng_, kAppVersionWeights));
  p.skill = 0.2 + 0.75 * rng_.NextDouble();
  double l = rng_.NextDouble();
  p.loyalty = l * l;  // Most players are not very loyal.
  p.spend = rng_.Chance(0.12) ? 0.05 + 0.3 * rng_.NextDouble() : 0.0;
  players_.push_back(p);
  return static_cast<uint32_t>(players_.size() - 1);
}

void SessionSimulator::Header(const char* type, const Session& s, int64_t now_us,
                              std::string* out) {
  char id[36];
  NewId(id);
  out->append("{\"event_id\":\"");
  out->append(id, 36);
  out->append("\",\"event_type\":\"");
  out->append(type);
  out->append("\",\"ts\":\"");
  static const TimeFormat kIso = TimeFormat::Iso(true);
  kIso.Append(now_us, out);
  out->append("\",\"player_id\":\"");
  out->append(players_[s.player].id, 36);
  out->append("\",\"session_id\":\"");
  out->append(s.id, 36);
  // The segment fields ride on every event (docs/events.md), so any event
  // can be broken down by them without a join to its session.
  const Player& p = players_[s.player];
  out->append("\",\"platform\":\"");
  out->append(kPlatforms[p.platform]);
  out->append("\",\"country\":\"");
  out->append(words::CountryCodes()[p.country]);
  out->append("\",\"app_version\":\"");
  out->append(kAppVersions[p.app_version]);
  out->push_back('"');
}

void SessionSimulator::StartSession(int64_t now_us, std::string* out) {
  Session s;
  s.player = PickPlayer();
  Player& p = players_[s.player];
  p.playing = true;
  ++p.sessions;
  NewId(s.id);
  s.start_us = now_us;
  sessions_.push_back(s);
  Header("session_start", s, now_us, out);
  out->append(",\"session_number\":");
  AppendInt(p.sessions, out);
  out->append(",\"level\":");
  AppendInt(p.level, out);
  out->push_back('}');
}

void SessionSimulator::Step(size_t index, int64_t now_us, std::string* out) {
  Session& s = sessions_[index];
  Player& p = players_[s.player];
  auto level_start = [&] {
    s.state = State::kInLevel;
    s.attempt_deaths = 0;
    s.level_start_us = now_us;
    Header("level_start", s, now_us, out);
    out->append(",\"level\":");
    AppendInt(p.level, out);
    out->push_back('}');
  };
  auto session_end = [&] { EndSession(index, now_us, out); };
  switch (s.state) {
    case State::kStarted:
      level_start();
      break;
    case State::kInLevel: {
      // Harder levels kill more; skilled players die less.
      double p_death = std::clamp(0.25 + 0.04 * p.level - 0.45 * p.skill, 0.05, 0.85);
      if (rng_.Chance(p_death)) {
        ++s.deaths;
        ++s.attempt_deaths;
        s.state = State::kAfterDeath;
        Header("death", s, now_us, out);
        out->append(",\"level\":");
        AppendInt(p.level, out);
        out->append(",\"enemy\":\"");
        out->append(kEnemies[std::min<size_t>(rng_.Below(3) + (p.level - 1) / 3, 5)]);
        out->append("\",\"x\":");
        AppendFixed(rng_.NextDouble() * 1000, 1, out);
        out->append(",\"y\":");
        AppendFixed(rng_.NextDouble() * 1000, 1, out);
        out->append(",\"time_in_level_s\":");
        AppendSeconds(now_us - s.level_start_us, out);
        out->push_back('}');
      } else {
        ++s.levels_completed;
        s.state = State::kAfterComplete;
        Header("level_complete", s, now_us, out);
        out->append(",\"level\":");
        AppendInt(p.level, out);
        out->append(",\"duration_s\":");
        AppendSeconds(now_us - s.level_start_us, out);
        out->append(",\"deaths\":");
        AppendInt(s.attempt_deaths, out);
        out->append(",\"score\":");
        AppendInt(static_cast<int64_t>(100 * p.level + rng_.Below(500) * p.skill), out);
        out->append(",\"stars\":");
        AppendInt(s.attempt_deaths == 0 ? 3 : (s.attempt_deaths < 3 ? 2 : 1), out);
        out->push_back('}');
        ++p.level;
      }
      break;
    }
    case State::kAfterDeath:
      // Retry, less willingly after many deaths; or quit.
      if (rng_.Chance(std::max(0.2, 0.85 - 0.12 * s.attempt_deaths))) {
        level_start();
      } else {
        session_end();
      }
      break;
    case State::kAfterComplete:
      if (p.spend > 0 && rng_.Chance(p.spend)) {
        const Item& item = kItems[PickWeighted(&rng_, kItemWeights)];
        s.spent += item.price;
        s.state = State::kAfterPurchase;
        Header("purchase", s, now_us, out);
        out->append(",\"item_id\":\"");
        out->append(item.id);
        // Prices are in USD, so the amount paid is also the revenue.
        out->append("\",\"amount\":");
        AppendFixed(item.price, 2, out);
        out->append(",\"currency\":\"USD\",\"revenue\":");
        AppendFixed(item.price, 2, out);
        out->append(",\"level\":");
        AppendInt(p.level, out);
        out->push_back('}');
        break;
      }
      [[fallthrough]];
    case State::kAfterPurchase:
      if (rng_.Chance(0.7)) {
        level_start();
      } else {
        session_end();
      }
      break;
  }
}

void SessionSimulator::EndSession(size_t index, int64_t now_us, std::string* out) {
  Session& s = sessions_[index];
  Header("session_end", s, now_us, out);
  out->append(",\"duration_s\":");
  AppendSeconds(now_us - s.start_us, out);
  out->append(",\"levels_completed\":");
  AppendInt(s.levels_completed, out);
  out->append(",\"deaths\":");
  AppendInt(s.deaths, out);
  out->append(",\"spent_usd\":");
  AppendFixed(s.spent, 2, out);
  out->push_back('}');
  players_[s.player].playing = false;
  sessions_[index] = sessions_.back();
  sessions_.pop_back();
}

bool SessionSimulator::EndASession(int64_t now_us, std::string* out) {
  if (sessions_.empty()) return false;
  EndSession(sessions_.size() - 1, now_us, out);
  return true;
}

void SessionSimulator::Next(int64_t now_us, std::string* out) {
  if (sessions_.size() < kConcurrentSessions) {
    StartSession(now_us, out);
  } else {
    Step(rng_.Below(sessions_.size()), now_us, out);
  }
}

Status SessionSimulator::NextChecked(int64_t now_us, std::string* out) {
  size_t start = out->size();
  Next(now_us, out);
  return CheckJsonObject(std::string_view(*out).substr(start));
}

}  // namespace gamelake
