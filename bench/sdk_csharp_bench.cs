// Benchmarks of the C# SDK under Mono (not pass/fail): Track's latency on the calling thread,
// allocation and heap growth over 1M calls, and one Client's throughput to a local gamelake.
//   sdk/unity/build.sh OUT && mono OUT/sdk_csharp_bench.exe [gamelake binary] [calls]
// Thread-safety: one benchmark thread (plus the SDK's worker).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Gamelake;

internal static class SdkCsharpBench
{
    // Acknowledges every batch at once: measures the SDK, not a server.
    private sealed class AckTransport : ITransport
    {
        public void Send(TransportRequest request, Action<TransportResponse> onDone)
        {
            int lines = 0;
            Task.Run(() => onDone(new TransportResponse { Status = 200, Body = "{\"accepted\":" + lines + ",\"failed\":0,\"errors\":[]}" }));
        }

        public void Dispose() { }
    }

    private static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "gamelake-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        Directory.CreateDirectory(d);
        return d;
    }

    private static Dictionary<string, object> LabPoint(int i, Dictionary<string, object> p)
    {
        p["PlayerID"] = i % 10000;
        p["Time Played"] = (i * 7919) % 100000;
        p["Wins"] = i % 5;
        p["Losses"] = i % 50;
        p["CaughtAt"] = 1 + i % 6;
        p["CaughtBy"] = 1 + (i * 7) % 6;
        return p;
    }

    private static int Main(string[] args)
    {
        string binary = args.Length > 0 ? args[0] : null;
        int calls = args.Length > 1 ? int.Parse(args[1]) : 1000000;
        TrackLatency(calls);
        if (!string.IsNullOrEmpty(binary))
        {
            var rates = new List<double>();
            for (int run = 0; run < 3; run++) rates.Add(Throughput(binary, 200000));
            rates.Sort();
            Console.WriteLine("throughput_median_of_3: {0:F0} events/s", rates[1]);
        }
        return 0;
    }

    private static void TrackLatency(int calls)
    {
        string dir = TempDir();
        var config = new Config { BaseUrl = "http://127.0.0.1:9", ApiKey = "k", QueueDir = dir, Transport = new AckTransport(), FlushIntervalMs = 50 };
        using (var client = new Client(config))
        {
            var props = new Dictionary<string, object>();
            for (int i = 0; i < 20000; i++) client.Track("death", LabPoint(i, props));  // warm up the JIT
            client.FlushAndWait(TimeSpan.FromSeconds(30));
            var samples = new long[calls];
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long heapBefore = GC.GetTotalMemory(true);
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var total = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++)
            {
                LabPoint(i, props);
                long t0 = Stopwatch.GetTimestamp();
                client.Track("death", props);
                samples[i] = Stopwatch.GetTimestamp() - t0;
            }
            total.Stop();
            int g0 = GC.CollectionCount(0) - gen0, g1 = GC.CollectionCount(1) - gen1, g2 = GC.CollectionCount(2) - gen2;
            client.FlushAndWait(TimeSpan.FromSeconds(60));
            long heapAfter = GC.GetTotalMemory(true);
            Array.Sort(samples);
            double tick = 1e6 / Stopwatch.Frequency;
            Console.WriteLine("track_latency_us: calls={0} median={1:F2} p90={2:F2} p99={3:F2} p999={4:F2} mean_incl_loop={5:F2}",
                calls, samples[calls / 2] * tick, samples[calls * 9 / 10] * tick, samples[calls * 99 / 100] * tick,
                samples[calls * 999 / 1000] * tick, total.Elapsed.TotalMilliseconds * 1000 / calls);
            Console.WriteLine("gc: collections gen0={0} gen1={1} gen2={2}; heap before={3} KiB after={4} KiB growth={5} KiB",
                g0, g1, g2, heapBefore / 1024, heapAfter / 1024, (heapAfter - heapBefore) / 1024);
        }
        Directory.Delete(dir, true);
    }

    private static string Key(string binary, string data, string scope)
    {
        var psi = new ProcessStartInfo(binary, "keys create --name " + scope + " --scope " + scope + " --data-dir " + data)
        { UseShellExecute = false, RedirectStandardOutput = true };
        using (Process p = Process.Start(psi))
        {
            string[] lines = p.StandardOutput.ReadToEnd().Trim().Split('\n');
            p.WaitForExit();
            return lines[lines.Length - 1].Trim();
        }
    }

    private static double Throughput(string binary, int events)
    {
        string data = TempDir();
        string ingest = Key(binary, data, "ingest");
        var psi = new ProcessStartInfo(binary, "serve --data-dir " + data + " --listen 127.0.0.1:0")
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        using (Process server = Process.Start(psi))
        {
            server.ErrorDataReceived += (s, e) => { };
            server.BeginErrorReadLine();
            string url = null;
            for (string line; url == null && (line = server.StandardOutput.ReadLine()) != null;)
            {
                Match m = Regex.Match(line, "listening on (http://127\\.0\\.0\\.1:[0-9]+)");
                if (m.Success) url = m.Groups[1].Value;
            }
            string dir = TempDir();
            double rate;
            var config = new Config { BaseUrl = url, ApiKey = ingest, QueueDir = dir, MaxQueueEvents = events * 2, MaxQueueBytes = 1L << 30 };
            using (var client = new Client(config))
            {
                var props = new Dictionary<string, object>();
                TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < events; i++) client.Track("death", LabPoint(i, props));
                double trackS = sw.Elapsed.TotalSeconds;
                bool drained = client.FlushAndWait(TimeSpan.FromSeconds(120));
                double totalS = sw.Elapsed.TotalSeconds;
                double cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds * 1000 / events;
                Console.WriteLine("throughput: events={0} drained={1} track_s={2:F2} total_s={3:F2} events_per_s={4:F0} sdk_cpu_us_per_event={5:F2}",
                    events, drained, trackS, totalS, events / totalS, cpuUs);
                rate = events / totalS;
            }
            server.Kill();
            server.WaitForExit(5000);
            Directory.Delete(dir, true);
            Directory.Delete(data, true);
            return rate;
        }
    }
}
