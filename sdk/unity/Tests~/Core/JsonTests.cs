// Tests of the JSON writer (escaping, integer/float types, nesting), the minimal reader, UUID v7,
// ISO timestamps and the back-off / Retry-After arithmetic. Thread-safety: single-threaded.
using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace Gamelake.Tests
{
    internal static class JsonTests
    {
        public static void Register(List<KeyValuePair<string, Action>> t)
        {
            t.Add(new KeyValuePair<string, Action>("json_escaping", Escaping));
            t.Add(new KeyValuePair<string, Action>("json_types_and_nesting", Types));
            t.Add(new KeyValuePair<string, Action>("json_reader_reads_results", Reader));
            t.Add(new KeyValuePair<string, Action>("uuid_v7_format", Uuid));
            t.Add(new KeyValuePair<string, Action>("iso8601_timestamps", Timestamps));
            t.Add(new KeyValuePair<string, Action>("backoff_and_retry_after", BackoffMath));
            t.Add(new KeyValuePair<string, Action>("native_gzip_round_trip", Gzip));
        }

        private static string Write(object v)
        {
            var w = new JsonWriter(4);  // tiny on purpose: growth is exercised
            w.Value(v);
            return Encoding.UTF8.GetString(w.Buffer, 0, w.Length);
        }

        private static void Escaping()
        {
            T.Equal("\"a\\\"b\\\\c\"", Write("a\"b\\c"), "quote and backslash");
            T.Equal("\"\\n\\r\\t\\b\\f\\u0001\\u001f\"", Write("\n\r\t\b\f\u0001\u001f"), "control characters");
            T.Equal("\"/<>\u007f\"", Write("/<>\u007f"), "printable ASCII as is");
            T.Equal("\"é€😀\"", Write("é€😀"), "UTF-8 of 2, 3 and 4 bytes");
            byte[] bytes = Encoding.UTF8.GetBytes(Write("\ud800x"));
            T.Equal("\"\uFFFDx\"", Encoding.UTF8.GetString(bytes), "a lone surrogate becomes U+FFFD");
            T.Equal("\"Time Played\"", Write("Time Played"), "spaces kept");
        }

        private static void Types()
        {
            T.Equal("42", Write(42), "int");
            T.Equal("-9223372036854775808", Write(long.MinValue), "long.MinValue");
            T.Equal("18446744073709551615", Write(ulong.MaxValue), "ulong.MaxValue");
            T.Equal("7", Write((byte)7), "byte");
            T.Equal("-3", Write((short)-3), "short");
            T.Equal("0.1", Write(0.1), "double round trip");
            T.Equal("3.0", Write(3.0), "a whole double stays a float");
            T.Equal("0.1", Write(0.1f), "float shortest form");
            T.Equal("1E+300", Write(1e300), "exponent");
            T.Equal("null", Write(double.NaN), "NaN is null");
            T.Equal("1.50", Write(1.50m), "decimal invariant");
            T.Equal("true", Write(true), "bool");
            T.Equal("null", Write(null), "null");
            var culture = System.Threading.Thread.CurrentThread.CurrentCulture;
            try
            {
                System.Threading.Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
                T.Equal("2.5", Write(2.5), "invariant culture even under de-DE");
            }
            finally
            {
                System.Threading.Thread.CurrentThread.CurrentCulture = culture;
            }
            var nested = new Dictionary<string, object>
            {
                { "list", new List<object> { 1, "two", null, new[] { 3, 4 } } },
                { "obj", new Dictionary<string, object> { { "k", false } } },
            };
            T.Equal("{\"list\":[1,\"two\",null,[3,4]],\"obj\":{\"k\":false}}", Write(nested), "nesting");
            var cycle = new List<object>();
            cycle.Add(cycle);
            bool threw = false;
            try { Write(cycle); } catch (JsonWriteException) { threw = true; }
            T.Check(threw, "a cycle is refused, not a stack overflow");
        }

        private static void Reader()
        {
            object v;
            T.Check(JsonReader.TryParse("{\"accepted\":2,\"failed\":1,\"errors\":[{\"index\":1,\"code\":\"not_an_object\",\"message\":\"record 1 (line 2): \\\"x\\\" \\u00e9\"}]}", out v), "parses");
            var o = (Dictionary<string, object>)v;
            T.Equal(2L, (long)o["accepted"], "accepted is an integer");
            var e = (Dictionary<string, object>)((List<object>)o["errors"])[0];
            T.Equal(1L, (long)e["index"], "index");
            T.Equal("not_an_object", (string)e["code"], "code");
            T.Equal("record 1 (line 2): \"x\" é", (string)e["message"], "escapes decoded");
            T.Check(!JsonReader.TryParse("{\"a\":", out v), "truncated is refused");
            T.Check(!JsonReader.TryParse("<html>", out v), "HTML is refused");
            T.Check(JsonReader.TryParse(" [1.5e2, true, null] ", out v) && (double)((List<object>)v)[0] == 150.0, "float");
        }

        private static void Uuid()
        {
            var re = new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
            long ms = 1764522303123L;  // 2025-11-30T17:05:03.123Z
            var seen = new HashSet<string>();
            for (int i = 0; i < 10000; i++)
            {
                string id = UuidV7.New(ms);
                T.Check(re.IsMatch(id), "UUID v7 shape: " + id);
                T.Check(seen.Add(id), "unique");
            }
            string one = UuidV7.New(ms);
            T.Equal(ms.ToString("x12"), one.Substring(0, 8) + one.Substring(9, 4), "48-bit ms timestamp first");
        }

        private static void Timestamps()
        {
            var w = new JsonWriter();
            Iso8601.Write(w, 1764522303123L);
            T.Equal("\"2025-11-30T17:05:03.123Z\"", Encoding.ASCII.GetString(w.Buffer, 0, w.Length), "ISO-8601 UTC with ms");
            w.Clear();
            Iso8601.Write(w, 5L);
            T.Equal("\"1970-01-01T00:00:00.005Z\"", Encoding.ASCII.GetString(w.Buffer, 0, w.Length), "zero padding");
        }

        private static void BackoffMath()
        {
            var b = new Backoff(500, 60000, 1);
            T.Equal(500L, b.Ceiling(0), "attempt 0");
            T.Equal(4000L, b.Ceiling(3), "base * 2^3");
            T.Equal(60000L, b.Ceiling(20), "capped at max");
            T.Equal(60000L, b.Ceiling(1000), "no overflow");
            bool varied = false;
            long first = b.Delay(5, -1);
            for (int i = 0; i < 200; i++)
            {
                long d = b.Delay(5, -1);
                T.Check(d >= 0 && d <= 16000, "full jitter within [0, ceiling]: " + d);
                if (d != first) varied = true;
            }
            T.Check(varied, "jitter varies");
            T.Check(b.Delay(0, 7000) >= 7000, "Retry-After is a floor");
            long now = 1764522303000L;
            T.Equal(3000L, Backoff.ParseRetryAfter("3", now), "delta seconds");
            T.Equal(3000L, Backoff.ParseRetryAfter(" 3 ", now), "trimmed");
            T.Equal(10000L, Backoff.ParseRetryAfter("Sun, 30 Nov 2025 17:05:13 GMT", now), "HTTP date");
            T.Equal(0L, Backoff.ParseRetryAfter("Sun, 30 Nov 2025 17:00:00 GMT", now), "a past date is now");
            T.Equal(-1L, Backoff.ParseRetryAfter("soon", now), "garbage ignored");
            T.Equal(-1L, Backoff.ParseRetryAfter(null, now), "absent");
        }

        private static void Gzip()
        {
            var rnd = new Random(7);
            var data = new byte[150000];
            for (int i = 0; i < data.Length; i++) data[i] = (byte)(i % 3 == 0 ? rnd.Next(256) : 'a' + i % 26);
            byte[] packed = null;
            int n;
            bool native = NativeGzip.TryCompress(data, data.Length, ref packed, out n);
            if (Environment.OSVersion.Platform == PlatformID.Unix) T.Check(native, "the system zlib is used on Unix");
            if (!native) return;
            T.Check(n > 0 && n < data.Length, "compressed: " + n);
            using (var gz = new System.IO.Compression.GZipStream(new System.IO.MemoryStream(packed, 0, n), System.IO.Compression.CompressionMode.Decompress))
            using (var back = new System.IO.MemoryStream())
            {
                gz.CopyTo(back);
                T.Check(back.ToArray().Length == data.Length, "same length back");
                byte[] b = back.ToArray();
                for (int i = 0; i < b.Length; i++) if (b[i] != data[i]) T.Check(false, "byte " + i + " differs");
            }
        }
    }
}
