// SessionSimulator: the builtin:sessions source. It simulates players of a
// level-based game and emits their events in the order they happen, linked by
// ids that join: session_start, level_start, death, level_complete, purchase,
// session_end (docs/generator.md, "builtin:sessions", lists every field).
//
// Model: about 40 sessions run at once; each record advances one of them by
// one event. A session is played by a new player or a returning one; players
// differ in skill (how often they die), loyalty (how often they come back, so
// retention decays as in real games) and spending (a few pay, most never).
// Within a session a player starts levels, dies (then retries or quits),
// completes them (then maybe buys something, then plays on or stops). Every
// event has a random event_id (the server's idempotent-retry key), the time
// from the caller's clock (ts, ISO 8601 UTC), player_id, session_id and the
// player's platform, country and app_version: the event convention of
// docs/events.md, which the KPIs (src/kpi) read.
//
// Thread-safety: one thread at a time (a RecordSource).
#ifndef GAMELAKE_GENERATOR_SESSION_SIMULATOR_H_
#define GAMELAKE_GENERATOR_SESSION_SIMULATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "generator/record_source.h"
#include "generator/rng.h"

namespace gamelake {

class SessionSimulator final : public RecordSource {
 public:
  explicit SessionSimulator(uint64_t seed);

  void Next(int64_t now_us, std::string* out) override;
  Status NextChecked(int64_t now_us, std::string* out) override;
  bool uses_clock() const override { return true; }

  size_t players() const { return players_.size(); }
  // Ends the most recent open session: appends its session_end to *out.
  // False (nothing appended) when none is open. A simulated day that ends
  // (the demo's history, server/demo_feed.h) closes every session this way,
  // so no session spans the night.
  bool EndASession(int64_t now_us, std::string* out);

 private:
  struct Player {
    char id[36];
    uint8_t country = 0;
    uint8_t platform = 0;
    uint8_t app_version = 0;
    double skill = 0.5;    // 0..1: higher dies less.
    double loyalty = 0.5;  // 0..1: chance to come back when picked.
    double spend = 0;      // Chance to buy after completing a level.
    int level = 1;
    int sessions = 0;
    bool playing = false;
  };
  enum class State : uint8_t { kStarted, kInLevel, kAfterDeath, kAfterComplete, kAfterPurchase };
  struct Session {
    uint32_t player = 0;
    char id[36];
    State state = State::kStarted;
    int64_t start_us = 0;
    int64_t level_start_us = 0;
    int deaths = 0;  // In this session.
    int attempt_deaths = 0;
    int levels_completed = 0;
    double spent = 0;
  };

  void StartSession(int64_t now_us, std::string* out);
  void Step(size_t index, int64_t now_us, std::string* out);
  void EndSession(size_t index, int64_t now_us, std::string* out);
  uint32_t PickPlayer();
  void NewId(char id[36]);
  // Appends {"event_id":..,"event_type":..,"ts":..,"player_id":..,"session_id":..,
  // "platform":..,"country":..,"app_version":.. (no closing brace).
  void Header(const char* type, const Session& s, int64_t now_us, std::string* out);

  Rng rng_;
  std::vector<Player> players_;
  std::vector<Session> sessions_;
};

}  // namespace gamelake

#endif  // GAMELAKE_GENERATOR_SESSION_SIMULATOR_H_
