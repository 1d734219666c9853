// The find_package test's consumer: links the installed SDK and queues one event
// (no server: it shuts down at once and leaves the event queued in argv[1]).
#include <chrono>
#include <cstdio>

#include <gamelake/client.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  gamelake::Config config;
  config.base_url = "http://127.0.0.1:9";
  config.api_key = "none";
  config.queue_dir = argv[1];
  gamelake::Client client(config);
  gamelake::Properties props;
  props.Set("level", 3).Set("hero", "lemon");
  const std::string id = client.Track("level_up", props);
  client.Shutdown(std::chrono::milliseconds(0));
  std::printf("queued %s\n", id.c_str());
  return id.size() == 36 ? 0 : 1;
}
