// Tests of Client.Track: the event's fields, overrides, refusals, sessions (driven by a fake
// clock), opt-out, and 4 threads tracking at once (nothing lost or doubled in the queue).
// Thread-safety: the concurrency test is the only multi-threaded one.
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace Gamelake.Tests
{
    internal static class ClientTests
    {
        public static void Register(List<KeyValuePair<string, Action>> t)
        {
            t.Add(new KeyValuePair<string, Action>("event_fields_and_overrides", Fields));
            t.Add(new KeyValuePair<string, Action>("track_refuses_bad_names_and_large_events", Refusals));
            t.Add(new KeyValuePair<string, Action>("sessions_start_timeout_and_end", Sessions));
            t.Add(new KeyValuePair<string, Action>("opt_out_clears_and_is_remembered", OptOut));
            t.Add(new KeyValuePair<string, Action>("unity_package_files_have_meta", Metas));
            t.Add(new KeyValuePair<string, Action>("four_threads_track_nothing_lost_or_doubled", Concurrent));
        }

        // A client whose transport never answers 200, so everything stays queued for reading.
        internal static Client Offline(string dir, FakeClock clock, Action<Config> tweak = null)
        {
            var config = new Config
            {
                BaseUrl = "http://127.0.0.1:9",
                ApiKey = "k",
                QueueDir = dir,
                Clock = clock,
                Platform = "test",
                AppVersion = "1.2.3",
                FlushIntervalMs = 3600000,
                Transport = new FakeTransport(lines => new TransportResponse { Status = 503 }),
            };
            if (tweak != null) tweak(config);
            return new Client(config);
        }

        internal static List<Dictionary<string, object>> Queued(string dir)
        {
            var q = new DiskQueue(dir, 1L << 30, 1 << 30, 1L << 30);
            T.Check(q.Open() == null, "reopen queue");
            try
            {
                var events = new List<Dictionary<string, object>>();
                foreach (string line in QueueTests.ReadAll(q))
                {
                    object v;
                    T.Check(JsonReader.TryParse(line, out v), "queued JSON parses: " + line);
                    events.Add((Dictionary<string, object>)v);
                }
                return events;
            }
            finally
            {
                q.Dispose();
            }
        }

        private static void Fields()
        {
            string dir = T.TempDir();
            var clock = new FakeClock();
            using (Client c = Offline(dir, clock))
            {
                c.SetPlayerId("p-42");
                string id = c.Track("death", new Dictionary<string, object>
                {
                    { "CaughtAt", "Kitchen" }, { "Time Played", 312 }, { "event_id", "mine" }, { "event_type", "x" },
                });
                T.Equal(36, id.Length, "an event_id is returned");
                c.Track("backfill", new Dictionary<string, object> { { "ts", "2020-01-01T00:00:00.000Z" }, { "platform", "ps5" } });
            }
            List<Dictionary<string, object>> ev = Queued(dir);
            T.Equal(4, ev.Count, "session_start + 2 + the session_end of Shutdown");
            T.Equal("session_start", (string)ev[0]["event_type"], "session_start first");
            Dictionary<string, object> d = ev[1];
            T.Equal("death", (string)d["event_type"], "event_type");
            T.Check(((string)d["event_id"]).Length == 36 && (string)d["event_id"] != "mine", "event_id is the SDK's");
            T.Equal("2025-11-30T17:05:03.000Z", (string)d["ts"], "ts from the clock");
            T.Equal((string)ev[0]["session_id"], (string)d["session_id"], "session id carried");
            T.Equal("p-42", (string)d["player_id"], "player_id");
            T.Equal("test", (string)d["platform"], "platform");
            T.Equal("1.2.3", (string)d["app_version"], "app_version");
            T.Equal("unity/0.1.0", (string)d["sdk_version"], "sdk_version");
            T.Equal("Kitchen", (string)d["CaughtAt"], "property");
            T.Equal(312L, (long)d["Time Played"], "integer property with a space in its name");
            T.Equal("2020-01-01T00:00:00.000Z", (string)ev[2]["ts"], "a ts property replaces the SDK's");
            T.Equal("ps5", (string)ev[2]["platform"], "a platform property replaces the SDK's");
        }

        private static void Refusals()
        {
            string dir = T.TempDir();
            var dropped = new List<string>();
            using (Client c = Offline(dir, new FakeClock(), cfg => { cfg.MaxEventBytes = 1000; cfg.OnDropped = (r, n, d) => dropped.Add(r); }))
            {
                T.Equal("", c.Track("bad name!", null), "a bad name is refused");
                T.Equal("", c.Track(new string('a', 65), null), "a 65-char name is refused");
                T.Equal("", c.Track("big", new Dictionary<string, object> { { "pad", new string('x', 2000) } }), "too large refused");
                T.Check(dropped.Contains(DropReason.TooLarge), "too_large reported");
                T.Check(c.Track("ok.name:1-2_3", null).Length == 36, "all allowed characters");
            }
            T.Equal(3, Queued(dir).Count, "session_start + the valid one + session_end");
        }

        private static void Sessions()
        {
            string dir = T.TempDir();
            var clock = new FakeClock();
            using (Client c = Offline(dir, clock, cfg => cfg.SessionTimeoutMs = 60000))
            {
                c.Track("a", null);
                clock.Advance(30000);
                c.Track("b", null);
                clock.Advance(60001);
                c.Track("c", null);
                c.EndSession();
                clock.Advance(10);
                c.Track("d", null);
            }
            List<Dictionary<string, object>> ev = Queued(dir);
            var types = new List<string>();
            foreach (var e in ev) types.Add((string)e["event_type"]);
            T.Equal("session_start a b session_end session_start c session_end session_start d session_end", string.Join(" ", types.ToArray()), "event order");
            T.Equal((string)ev[2]["ts"], (string)ev[3]["ts"], "session_end stamped with the last event's time");
            T.Equal(30000L, (long)ev[3]["duration_ms"], "duration from start to the last event");
            T.Check((string)ev[1]["session_id"] != (string)ev[5]["session_id"], "a new session id after the timeout");
            T.Equal((string)ev[4]["session_id"], (string)ev[5]["session_id"], "the new session_start carries its id");
        }

        private static void OptOut()
        {
            string dir = T.TempDir();
            using (Client c = Offline(dir, new FakeClock()))
            {
                c.Track("a", null);
                c.SetOptOut(true);
                T.Equal("", c.Track("b", null), "opted out: refused");
                T.Equal(0, c.PendingEvents, "queue cleared");
                T.Check(File.Exists(Path.Combine(dir, "optout")), "optout file");
            }
            using (Client c = Offline(dir, new FakeClock()))
            {
                T.Check(c.OptedOut, "remembered across restarts");
                T.Equal("", c.Track("c", null), "still refused");
                c.SetOptOut(false);
                T.Check(c.Track("d", null).Length == 36, "opted in again");
            }
            List<Dictionary<string, object>> ev = Queued(dir);
            T.Equal(3, ev.Count, "only what was tracked after opting in (and its session_end)");
            T.Equal("d", (string)ev[1]["event_type"], "d");
        }

        // Unity ignores a package file without a .meta when the package is installed from git.
        private static void Metas()
        {
            string root = Environment.GetEnvironmentVariable("GAMELAKE_UNITY_PACKAGE");
            T.Check(!string.IsNullOrEmpty(root) && Directory.Exists(root), "GAMELAKE_UNITY_PACKAGE (set by test.sh): " + root);
            var missing = new List<string>();
            foreach (string path in Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories))
            {
                string rel = path.Substring(root.Length).TrimStart('/');
                if (rel.EndsWith(".meta") || rel.Split('/')[0].EndsWith("~") || rel.StartsWith(".")) continue;
                if (!File.Exists(path + ".meta")) missing.Add(rel);
            }
            T.Check(missing.Count == 0, "no .meta for: " + string.Join(", ", missing.ToArray()));
        }

        private static void Concurrent()
        {
            string dir = T.TempDir();
            const int perThread = 5000;
            var ids = new List<string>[4];
            using (Client c = Offline(dir, new FakeClock()))
            {
                var threads = new Thread[4];
                for (int t = 0; t < 4; t++)
                {
                    int tn = t;
                    ids[t] = new List<string>();
                    threads[t] = new Thread(() =>
                    {
                        var props = new Dictionary<string, object>();
                        for (int i = 0; i < perThread; i++)
                        {
                            props["thread"] = tn;
                            props["i"] = i;
                            ids[tn].Add(c.Track("t", props));
                        }
                    });
                    threads[t].Start();
                }
                foreach (Thread th in threads) th.Join();
                T.Equal(4 * perThread + 1, c.PendingEvents, "pending");
            }
            var queued = new HashSet<string>();
            var perThreadSeq = new HashSet<string>();
            foreach (var e in Queued(dir))
            {
                T.Check(queued.Add((string)e["event_id"]), "an event_id twice in the queue");
                if ((string)e["event_type"] == "t") T.Check(perThreadSeq.Add(e["thread"] + "/" + e["i"]), "an event twice");
            }
            T.Equal(4 * perThread + 2, queued.Count, "every event queued once (+ session_start/end)");
            foreach (var list in ids)
            {
                foreach (string id in list) T.Check(queued.Contains(id), "returned id queued: " + id);
            }
        }
    }
}
