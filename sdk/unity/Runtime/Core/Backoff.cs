// Retry timing: exponential back-off with full jitter, and the Retry-After header (seconds
// or an HTTP date) as a floor. Thread-safety: used by the worker only; Random is per instance.
using System;
using System.Globalization;

namespace Gamelake
{
    /// <summary>Computes waits: min(max, base * 2^attempt) scaled by a random [0, 1).</summary>
    public sealed class Backoff
    {
        private readonly int baseMs_;
        private readonly int maxMs_;
        private readonly Random random_;

        public Backoff(int baseMs, int maxMs, int seed)
        {
            baseMs_ = Math.Max(1, baseMs);
            maxMs_ = Math.Max(baseMs_, maxMs);
            random_ = new Random(seed);
        }

        /// <summary>The ceiling for an attempt (0-based): min(max, base * 2^attempt).</summary>
        public long Ceiling(int attempt)
        {
            double c = baseMs_ * Math.Pow(2, Math.Min(attempt, 40));
            return (long)Math.Min(maxMs_, c);
        }

        /// <summary>A full-jitter wait for the attempt, at least retryAfterMs (-1: none).</summary>
        public long Delay(int attempt, long retryAfterMs)
        {
            long d = (long)(random_.NextDouble() * Ceiling(attempt));
            return Math.Max(d, retryAfterMs);
        }

        /// <summary>Retry-After in ms from nowUnixMs: delta-seconds or an HTTP date; -1 if absent or bad.</summary>
        public static long ParseRetryAfter(string value, long nowUnixMs)
        {
            if (string.IsNullOrEmpty(value)) return -1;
            value = value.Trim();
            long seconds;
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
            {
                return Math.Min(seconds, 86400L) * 1000;
            }
            DateTime date;
            if (DateTime.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date)
                || DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date))
            {
                long unixMs = (date.Ticks - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks) / TimeSpan.TicksPerMillisecond;
                return Math.Max(0, Math.Min(unixMs - nowUnixMs, 86400000L));
            }
            return -1;
        }
    }
}
