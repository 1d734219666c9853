// A tiny test runner: each test is a named action; a failed Check throws. Prints one line per
// test and exits nonzero if any failed. Usage: CoreTests.exe [gamelake binary] [name filter].
// Thread-safety: tests run one after another on the main thread.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace Gamelake.Tests
{
    internal sealed class TestFailure : Exception
    {
        public TestFailure(string message) : base(message) { }
    }

    internal static class T
    {
        public static void Check(bool condition, string what)
        {
            if (!condition) throw new TestFailure(what);
        }

        public static void Equal<TV>(TV expected, TV actual, string what)
        {
            if (!EqualityComparer<TV>.Default.Equals(expected, actual))
            {
                throw new TestFailure(what + ": expected <" + expected + "> got <" + actual + ">");
            }
        }

        private static readonly List<string> Dirs = new List<string>();

        public static string TempDir()
        {
            string d = Path.Combine(Path.GetTempPath(), "gamelake-cs-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(d);
            lock (Dirs) Dirs.Add(d);
            return d;
        }

        /// <summary>Removes every folder TempDir made (servers are stopped by then).</summary>
        public static void RemoveTempDirs()
        {
            lock (Dirs)
            {
                foreach (string d in Dirs)
                {
                    try { Directory.Delete(d, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
                Dirs.Clear();
            }
        }
    }

    internal static class TestRunner
    {
        public static string GamelakeBinary;

        private static int Main(string[] args)
        {
            GamelakeBinary = args.Length > 0 && args[0].Length > 0 ? args[0] : Environment.GetEnvironmentVariable("GAMELAKE_BINARY");
            string filter = args.Length > 1 ? args[1] : null;
            var tests = new List<KeyValuePair<string, Action>>();
            QueueTests.Register(tests);
            JsonTests.Register(tests);
            ClientTests.Register(tests);
            SenderTests.Register(tests);
            ServerTests.Register(tests);
            int failed = 0, ran = 0;
            foreach (var t in tests)
            {
                if (filter != null && t.Key.IndexOf(filter, StringComparison.Ordinal) < 0) continue;
                ran++;
                var sw = Stopwatch.StartNew();
                try
                {
                    t.Value();
                    Console.WriteLine("PASS " + t.Key + " (" + sw.ElapsedMilliseconds + " ms)");
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine("FAIL " + t.Key + ": " + (e is TestFailure ? e.Message : e.ToString()));
                }
            }
            T.RemoveTempDirs();
            Console.WriteLine(failed == 0 ? "all " + ran + " tests passed" : failed + " of " + ran + " tests FAILED");
            return failed == 0 ? 0 : 1;
        }
    }
}
