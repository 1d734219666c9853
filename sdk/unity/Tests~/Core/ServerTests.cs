// End-to-end tests against the real gamelake binary on 127.0.0.1 (GAMELAKE_BINARY or the first
// argument): a couple thousand events through HttpClientTransport checked in the lake by
// event_id, and the lab sample's DataPoint queried with the lab's SQL.
// Thread-safety: single-threaded; the server is a child process killed at the end.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Gamelake.Samples;

namespace Gamelake.Tests
{
    internal sealed class GamelakeServer : IDisposable
    {
        public string Url, AdminKey, IngestKey;
        private readonly Process process_;
        private readonly HttpClient http_ = new HttpClient();

        public GamelakeServer(string binary)
        {
            string data = T.TempDir();
            AdminKey = Keys(binary, data, "admin");
            IngestKey = Keys(binary, data, "ingest");
            var psi = new ProcessStartInfo(binary, "serve --data-dir " + data + " --listen 127.0.0.1:0")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            process_ = Process.Start(psi);
            process_.ErrorDataReceived += (s, e) => { };
            process_.BeginErrorReadLine();
            var re = new Regex("listening on (http://127\\.0\\.0\\.1:[0-9]+)");
            for (string line; (line = process_.StandardOutput.ReadLine()) != null;)
            {
                Match m = re.Match(line);
                if (m.Success) { Url = m.Groups[1].Value; break; }
            }
            T.Check(Url != null, "server started");
        }

        private static string Keys(string binary, string data, string scope)
        {
            var psi = new ProcessStartInfo(binary, "keys create --name " + scope + " --scope " + scope + " --data-dir " + data)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
            };
            using (Process p = Process.Start(psi))
            {
                string[] lines = p.StandardOutput.ReadToEnd().Trim().Split('\n');
                p.WaitForExit();
                return lines[lines.Length - 1].Trim();
            }
        }

        /// <summary>Runs SQL with the admin key; returns the parsed answer.</summary>
        public Dictionary<string, object> Query(string sql)
        {
            var w = new JsonWriter();
            w.Value(new Dictionary<string, object> { { "sql", sql } });
            var req = new HttpRequestMessage(HttpMethod.Post, Url + "/v1/query")
            {
                Content = new ByteArrayContent(w.Buffer, 0, w.Length),
            };
            req.Headers.TryAddWithoutValidation("Authorization", "Bearer " + AdminKey);
            HttpResponseMessage resp = http_.SendAsync(req).Result;
            string body = resp.Content.ReadAsStringAsync().Result;
            object v;
            T.Check((int)resp.StatusCode == 200 && JsonReader.TryParse(body, out v), "query " + sql + ": " + (int)resp.StatusCode + " " + body);
            JsonReader.TryParse(body, out v);
            return (Dictionary<string, object>)v;
        }

        public void Dispose()
        {
            try { process_.Kill(); process_.WaitForExit(5000); } catch (InvalidOperationException) { }
            http_.Dispose();
        }
    }

    internal static class ServerTests
    {
        public static void Register(List<KeyValuePair<string, Action>> t)
        {
            t.Add(new KeyValuePair<string, Action>("e2e_events_in_the_lake_exactly_once", EndToEnd));
            t.Add(new KeyValuePair<string, Action>("lab_datapoint_runs_the_labs_sql", LabSample));
            t.Add(new KeyValuePair<string, Action>("unity_behaviour_and_webrequest_transport", UnityLifecycle));
        }

        private static GamelakeServer Start()
        {
            string bin = TestRunner.GamelakeBinary;
            T.Check(!string.IsNullOrEmpty(bin) && File.Exists(bin), "the gamelake binary (GAMELAKE_BINARY or argument 1): " + bin);
            return new GamelakeServer(bin);
        }

        private static Client Connect(GamelakeServer s)
        {
            return new Client(new Config { BaseUrl = s.Url, ApiKey = s.IngestKey, QueueDir = T.TempDir(), FlushIntervalMs = 50 });
        }

        private static void EndToEnd()
        {
            using (GamelakeServer s = Start())
            {
                var ids = new HashSet<string>();
                using (Client c = Connect(s))
                {
                    var props = new Dictionary<string, object> { { "prefix", "e2e" } };
                    for (int i = 0; i < 2000; i++)
                    {
                        props["seq"] = i;
                        props["score"] = i * 0.5;
                        ids.Add(c.Track("e2e_event", props, i % 100 == 0));
                    }
                    T.Check(c.Shutdown(TimeSpan.FromSeconds(20)), "drained");
                }
                Dictionary<string, object> r = s.Query("SELECT event_id, count(*) AS n, max(seq) FROM events WHERE prefix = 'e2e' GROUP BY event_id");
                var rows = (List<object>)r["rows"];
                T.Equal(2000, rows.Count, "2000 distinct event ids in the lake");
                foreach (object row in rows)
                {
                    var cells = (List<object>)row;
                    T.Check(ids.Remove((string)cells[0]), "a tracked id: " + cells[0]);
                    T.Equal(1L, (long)cells[1], "stored once");
                }
                T.Equal(0, ids.Count, "every tracked id found");
                var types = (List<object>)s.Query("SELECT typeof(seq), typeof(score) FROM events WHERE prefix = 'e2e' LIMIT 1")["rows"];
                T.Equal("BIGINT DOUBLE", ((List<object>)types[0])[0] + " " + ((List<object>)types[0])[1], "integers stay integers, floats floats");
            }
        }

        private static void LabSample()
        {
            using (GamelakeServer s = Start())
            {
                using (Client c = Connect(s))
                {
                    var caught = new DataPoint { PlayerID = 4242, TimePlayed = 3700, Wins = 2, Losses = 9, CaughtAt = 4, CaughtBy = 2 };
                    var quick = new DataPoint { PlayerID = 4243, TimePlayed = 120, Wins = 0, Losses = 1, CaughtAt = 1, CaughtBy = 5 };
                    T.Check(c.Track("death", caught.ToProperties()).Length > 0, "tracked");
                    T.Check(c.Track("death", quick.ToProperties()).Length > 0, "tracked");
                    T.Check(c.Shutdown(TimeSpan.FromSeconds(20)), "drained");
                }
                // The lab's Athena query (Task 7) with gamelake's database and table names.
                Dictionary<string, object> r = s.Query("SELECT * FROM \"lake\".\"events\" WHERE \"lake\".\"events\".\"time played\" > 3600");
                var columns = new List<string>();
                foreach (object col in (List<object>)r["columns"]) columns.Add((string)((Dictionary<string, object>)col)["name"]);
                foreach (string name in new[] { "PlayerID", "Time Played", "Wins", "Losses", "CaughtAt", "CaughtBy" })
                {
                    T.Check(columns.Contains(name), "column " + name + " in " + string.Join(",", columns.ToArray()));
                }
                var rows = (List<object>)r["rows"];
                T.Equal(1, rows.Count, "one player over an hour");
                var row = (List<object>)rows[0];
                T.Equal(4242L, (long)row[columns.IndexOf("PlayerID")], "PlayerID");
                T.Equal(3700L, (long)row[columns.IndexOf("Time Played")], "Time Played");
                T.Equal("death", (string)row[columns.IndexOf("event_type")], "event_type");
                var view = s.Query("CREATE VIEW \"data-view\" AS SELECT PlayerID, \"Time Played\" FROM events WHERE \"time played\" > 3600");
                T.Check(view != null, "the lab's view");
                T.Equal(1, ((List<object>)s.Query("SELECT * FROM \"data-view\"")["rows"]).Count, "the view's rows");
            }
        }

        // GamelakeBehaviour's lifecycle with UnityWebRequestTransport against the stub (which
        // really sends): the test thread plays Unity's main thread, pumping the dispatcher.
        private static void UnityLifecycle()
        {
            using (GamelakeServer s = Start())
            {
                UnityEngine.Application.persistentDataPath = T.TempDir();
                var go = new UnityEngine.GameObject();
                var behaviour = go.AddComponent<Gamelake.Unity.GamelakeBehaviour>();
                behaviour.baseUrl = s.Url;
                behaviour.apiKey = s.IngestKey;
                Invoke(behaviour, "Awake");
                Client c = Gamelake.Unity.GamelakeBehaviour.Client;
                T.Check(c != null && c.StartError == null, "client made by Awake");
                var ids = new List<string>();
                for (int i = 0; i < 20; i++) ids.Add(c.Track("unity_event", new Dictionary<string, object> { { "i", i } }));
                Invoke(behaviour, "OnApplicationPause", true);
                var mainThread = go.GetComponent<Gamelake.Unity.GamelakeMainThread>();
                for (int i = 0; i < 500 && c.PendingEvents > 0; i++)
                {
                    mainThread.Drain();  // Update
                    Thread.Sleep(10);
                }
                T.Equal(0, c.PendingEvents, "sent through UnityWebRequest on the pumped main thread");
                Invoke(behaviour, "OnApplicationQuit");
                T.Check(Gamelake.Unity.GamelakeBehaviour.Client == null, "quit shut the client down");
                T.Check(Directory.Exists(Path.Combine(UnityEngine.Application.persistentDataPath, "gamelake")), "queue in persistentDataPath/gamelake");
                var rows = (List<object>)s.Query("SELECT event_id, platform FROM events WHERE event_type = 'unity_event'")["rows"];
                T.Equal(20, rows.Count, "all 20 in the lake");
                T.Equal("linux", (string)((List<object>)rows[0])[1], "platform from Application.platform");
                foreach (object row in rows) T.Check(ids.Contains((string)((List<object>)row)[0]), "a tracked id");
            }
        }

        private static void Invoke(object target, string method, params object[] args)
        {
            var m = target.GetType().GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
            m.Invoke(target, args);
        }
    }
}
