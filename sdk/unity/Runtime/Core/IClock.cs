// The clock seam: the SDK reads time only through IClock so tests can drive sessions and
// back-off. Thread-safety: implementations must be callable from any thread.
using System;

namespace Gamelake
{
    /// <summary>Wall-clock time in Unix milliseconds.</summary>
    public interface IClock
    {
        long UnixMs { get; }
    }

    /// <summary>The system clock.</summary>
    public sealed class SystemClock : IClock
    {
        public static readonly SystemClock Instance = new SystemClock();
        private static readonly long EpochTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

        public long UnixMs
        {
            get { return (DateTime.UtcNow.Ticks - EpochTicks) / TimeSpan.TicksPerMillisecond; }
        }
    }
}
