// The conformance driver (sdk/testing/README.md, "The driver protocol") for the C# SDK with
// HttpClientTransport: tracks --count events, drains, prints one JSON line of counts.
// Thread-safety: single-threaded apart from the SDK's callbacks (counters are Interlocked).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using Gamelake;

internal static class Driver
{
    private static long queueFull_, invalid_, corruptBytes_, corruptReports_, errors_;

    private static int Main(string[] args)
    {
        var opts = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--")) return Usage("unexpected argument " + a);
            if (a == "--no-drain" || a == "--insecure") { opts[a] = "1"; continue; }
            if (i + 1 >= args.Length) return Usage(a + " needs a value");
            opts[a] = args[++i];
        }
        foreach (string required in new[] { "--url", "--key", "--stream", "--queue-dir", "--count" })
        {
            if (!opts.ContainsKey(required)) return Usage("missing " + required);
        }
        try
        {
            return Run(opts);
        }
        catch (FormatException e)
        {
            return Usage(e.Message);
        }
    }

    private static int Usage(string why)
    {
        Console.Error.WriteLine("Driver: " + why);
        return 2;
    }

    private static long Num(Dictionary<string, string> o, string name, long dflt)
    {
        string v;
        return o.TryGetValue(name, out v) ? long.Parse(v, CultureInfo.InvariantCulture) : dflt;
    }

    private static int Run(Dictionary<string, string> o)
    {
        var config = new Config
        {
            BaseUrl = o["--url"],
            ApiKey = o["--key"],
            Stream = o["--stream"],
            QueueDir = o["--queue-dir"],
            FlushIntervalMs = (int)Num(o, "--flush-interval-ms", 100),
            RetryBaseMs = (int)Num(o, "--retry-base-ms", 20),
            RetryMaxMs = (int)Num(o, "--retry-max-ms", 500),
            RequestTimeoutMs = (int)Num(o, "--request-timeout-ms", 5000),
            Debug = Environment.GetEnvironmentVariable("GAMELAKE_DEBUG") == "1",
            Log = line => Console.Error.WriteLine(line),
            OnDropped = Count,
            OnError = message =>
            {
                Interlocked.Increment(ref errors_);
                Console.Error.WriteLine("error: " + message);
            },
            InsecureSkipTlsVerify = o.ContainsKey("--insecure"),
        };
        string caFile;
        if (o.TryGetValue("--ca-file", out caFile)) config.CaCertFile = caFile;
        if (o.ContainsKey("--max-queue-bytes")) config.MaxQueueBytes = Num(o, "--max-queue-bytes", 0);
        if (o.ContainsKey("--max-queue-events")) config.MaxQueueEvents = (int)Num(o, "--max-queue-events", 0);
        if (o.ContainsKey("--max-critical-bytes")) config.MaxCriticalBytes = Num(o, "--max-critical-bytes", 0);
        long count = Num(o, "--count", 0);
        long criticalEvery = Num(o, "--critical-every", 0);
        long drainTimeout = Num(o, "--drain-timeout-ms", 60000);
        string prefix;
        o.TryGetValue("--prefix", out prefix);
        string pad = new string('x', (int)Num(o, "--pad", 0));
        string shape;
        o.TryGetValue("--shape", out shape);
        if (shape != null && shape != "lab") return Usage("unknown --shape " + shape);
        string trackedPath;
        o.TryGetValue("--tracked", out trackedPath);

        var client = new Client(config);
        if (client.StartError != null)
        {
            Console.Error.WriteLine("Driver: " + client.StartError);
            return 1;
        }
        long tracked = 0;
        FileStream trackedFile = trackedPath == null ? null : new FileStream(trackedPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1);
        try
        {
            var props = new Dictionary<string, object>();
            for (long i = 0; i < count; i++)
            {
                string name = "test_event";
                if (shape == "lab") name = LabEvent(i, props);
                else
                {
                    props["seq"] = i;
                    props["prefix"] = prefix ?? "";
                    if (pad.Length > 0) props["pad"] = pad;
                }
                bool critical = criticalEvery > 0 && i % criticalEvery == 0;
                string id = client.Track(name, props, critical);
                if (id.Length == 0) continue;
                tracked++;
                if (trackedFile != null)
                {
                    byte[] line = Encoding.ASCII.GetBytes(id + (critical ? " c\n" : " o\n"));
                    trackedFile.Write(line, 0, line.Length);
                }
            }
        }
        finally
        {
            if (trackedFile != null) trackedFile.Dispose();
        }
        if (o.ContainsKey("--no-drain"))
        {
            client.Shutdown(TimeSpan.Zero);
            Print(tracked, client.PendingEvents);
            return 0;
        }
        bool drained = client.FlushAndWait(TimeSpan.FromMilliseconds(drainTimeout));
        int pending = drained ? 0 : client.PendingEvents;
        client.Shutdown(TimeSpan.Zero);
        Print(tracked, pending);
        return drained ? 0 : 3;
    }

    // The lab's DataPoint, per sdk/testing/README.md's --shape lab.
    private static string LabEvent(long i, Dictionary<string, object> props)
    {
        props["PlayerID"] = i % 10000;
        props["Time Played"] = (i * 7919) % 100000;
        props["Wins"] = i % 5;
        props["Losses"] = i % 50;
        props["CaughtAt"] = 1 + i % 6;
        props["CaughtBy"] = 1 + (i * 7) % 6;
        return i % 10 == 0 ? "escape" : "death";
    }

    private static void Count(string reason, long count, string detail)
    {
        if (reason == DropReason.QueueFull) Interlocked.Add(ref queueFull_, count);
        else if (reason == DropReason.Invalid) Interlocked.Add(ref invalid_, count);
        else if (reason == DropReason.Corrupt)
        {
            Interlocked.Add(ref corruptBytes_, count);
            Interlocked.Increment(ref corruptReports_);
        }
    }

    private static void Print(long tracked, int pending)
    {
        Console.Out.WriteLine("{\"tracked\":" + tracked + ",\"pending\":" + pending + ",\"queue_full\":" + Interlocked.Read(ref queueFull_)
            + ",\"invalid\":" + Interlocked.Read(ref invalid_) + ",\"corrupt_bytes\":" + Interlocked.Read(ref corruptBytes_)
            + ",\"corrupt_reports\":" + Interlocked.Read(ref corruptReports_) + ",\"errors\":" + Interlocked.Read(ref errors_) + "}");
        Console.Out.Flush();
    }
}
