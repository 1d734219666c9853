// The on-disk queue, exactly per sdk/queue_format.md: segments of CRC-checked records, a
// cursor written via cursor.tmp + rename, a lock file, an optout marker, and the cap with
// critical copy-forward. Track appends one record with one write (the OS has it when Append
// returns, so it survives kill -9); the worker reads batches from the head and acknowledges.
// Thread-safety: every public method takes the queue's lock; drop reports are collected
// under the lock and handed out by TakeReports so callbacks never run under it.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Gamelake
{
    /// <summary>A position in the queue: a segment number and a byte offset in it.</summary>
    public struct QueuePosition
    {
        public long Segment;
        public long Offset;

        public QueuePosition(long segment, long offset) { Segment = segment; Offset = offset; }

        public int CompareTo(QueuePosition o)
        {
            if (Segment != o.Segment) return Segment < o.Segment ? -1 : 1;
            return Offset == o.Offset ? 0 : (Offset < o.Offset ? -1 : 1);
        }
    }

    /// <summary>A record of a batch: where it is, and its payload in the batch's buffer.</summary>
    public struct BatchRecord
    {
        public QueuePosition Position;
        public QueuePosition End;
        public int PayloadOffset;
        public int PayloadLength;
        public bool Critical;
    }

    /// <summary>Something dropped (reason, events or bytes, detail) waiting to be reported.</summary>
    public struct DropReport
    {
        public string Reason;
        public long Count;
        public string Detail;
    }

    /// <summary>The queue folder. Construct, then Open; Dispose releases the lock.</summary>
    public sealed partial class DiskQueue : IDisposable
    {
        public const int HeaderBytes = 13;
        public const int MaxPayload = 1 << 20;
        internal static readonly byte[] Magic = { 0x47, 0x4C, 0x51, 0x31 };  // GLQ1
        internal static readonly byte[] CursorMagic = { 0x47, 0x4C, 0x43, 0x31 };  // GLC1

        private struct RecordRef
        {
            public int Offset;
            public int Length;  // payload bytes
            public bool Critical;
        }

        private sealed class Segment
        {
            public long Number;
            public string Path;
            public long Size;
            public readonly List<RecordRef> Records = new List<RecordRef>();
            public int Head;  // index of the first record after the cursor
        }

        private readonly object lock_ = new object();
        private readonly string dir_;
        private readonly long maxBytes_;
        private readonly int maxEvents_;
        private readonly long maxCritical_;
        private readonly long segmentBytes_;
        private readonly List<Segment> segments_ = new List<Segment>();
        private readonly HashSet<long> skipped_ = new HashSet<long>();
        private readonly List<DropReport> reports_ = new List<DropReport>();
        private SegmentWriter writer_;
        private FileStream lockFile_;
        private byte[] recordBuf_ = new byte[4096];
        private QueuePosition cursor_;
        private long pendingBytes_, criticalBytes_;
        private int pendingEvents_, criticalEvents_;
        private bool unsynced_;
        private long nextNumber_ = 1;
        private SegmentWriter spare_;
        private long spareNumber_;
        private bool preparing_;
        private bool spareWanted_;
        private bool optedOut_;

        public DiskQueue(string dir, long maxBytes, int maxEvents, long maxCriticalBytes)
        {
            dir_ = dir;
            maxBytes_ = maxBytes;
            maxEvents_ = maxEvents;
            maxCritical_ = maxCriticalBytes;
            segmentBytes_ = Math.Max(HeaderBytes + 1, Math.Min(1L << 20, maxBytes / 8));
        }

        public string Directory { get { return dir_; } }

        /// <summary>Events after the cursor, minus those dropped as invalid ahead of it.</summary>
        public int PendingEvents { get { lock (lock_) return pendingEvents_ - skipped_.Count; } }
        public long PendingBytes { get { lock (lock_) return pendingBytes_; } }
        public bool OptedOut { get { lock (lock_) return optedOut_; } }

        /// <summary>Takes the lock file and reads the queue. Returns an error, or null.</summary>
        public string Open()
        {
            lock (lock_)
            {
                try
                {
                    System.IO.Directory.CreateDirectory(dir_);
                    string err = TakeLock();
                    if (err != null) return err;
                    optedOut_ = File.Exists(Path.Combine(dir_, "optout"));
                    string tmp = Path.Combine(dir_, "cursor.tmp");
                    if (File.Exists(tmp)) File.Delete(tmp);
                    cursor_ = ReadCursor();
                    ScanSegments();
                    return null;
                }
                catch (Exception e)
                {
                    return "cannot open the queue in " + dir_ + ": " + e.Message;
                }
            }
        }

        private string TakeLock()
        {
            // An exclusive open (FileShare.None: enforced in this process, and across processes
            // on Windows) plus a byte-range lock (fcntl on Unix, LockFile on Windows): both end
            // with the process, so a kill -9 never leaves the folder locked.
            string path = Path.Combine(dir_, "lock");
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    lockFile_ = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    lockFile_.Lock(0, 1);
                    return null;
                }
                catch (IOException e)
                {
                    if (lockFile_ != null) lockFile_.Dispose();
                    lockFile_ = null;
                    if (attempt >= 10) return "the queue folder " + dir_ + " is in use by another instance (" + e.Message + ")";
                    System.Threading.Thread.Sleep(50);
                }
            }
        }

        private QueuePosition ReadCursor()
        {
            string path = Path.Combine(dir_, "cursor");
            if (!File.Exists(path)) return new QueuePosition(0, 0);
            byte[] b = File.ReadAllBytes(path);
            if (b.Length != 24 || !StartsWith(b, 0, CursorMagic) || ReadU32(b, 20) != Crc32.Compute(b, 0, 20))
            {
                return new QueuePosition(0, 0);  // damaged: from the oldest segment (resending is harmless)
            }
            return new QueuePosition((long)ReadU64(b, 4), (long)ReadU64(b, 12));
        }

        private void WriteCursor(QueuePosition cursor)
        {
            var b = new byte[24];
            Array.Copy(CursorMagic, b, 4);
            WriteU64(b, 4, (ulong)cursor.Segment);
            WriteU64(b, 12, (ulong)cursor.Offset);
            WriteU32(b, 20, Crc32.Compute(b, 0, 20));
            string tmp = Path.Combine(dir_, "cursor.tmp");
            string path = Path.Combine(dir_, "cursor");
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(b, 0, 24);
            }
            if (File.Exists(path)) File.Replace(tmp, path, null);
            else File.Move(tmp, path);
        }

        private static string SegmentPath(string dir, long n)
        {
            return Path.Combine(dir, "seg-" + n.ToString("D16", CultureInfo.InvariantCulture) + ".glq");
        }

        private void ScanSegments()
        {
            var numbers = new List<long>();
            foreach (string f in System.IO.Directory.GetFiles(dir_, "seg-*.glq"))
            {
                string name = Path.GetFileName(f);
                long n;
                if (name.Length == 24 && long.TryParse(name.Substring(4, 16), NumberStyles.None, CultureInfo.InvariantCulture, out n)) numbers.Add(n);
            }
            numbers.Sort();
            if (numbers.Count > 0) nextNumber_ = numbers[numbers.Count - 1] + 1;
            bool cleanTail = false;
            foreach (long n in numbers)
            {
                string path = SegmentPath(dir_, n);
                if (n < cursor_.Segment) { File.Delete(path); continue; }
                var seg = new Segment { Number = n, Path = path };
                cleanTail = ReadSegment(seg, n == cursor_.Segment ? cursor_.Offset : 0);
                if (seg.Records.Count == 0 && n != numbers[numbers.Count - 1]) { File.Delete(path); continue; }
                segments_.Add(seg);
            }
            if (segments_.Count > 0 && cursor_.Segment < segments_[0].Number) cursor_ = new QueuePosition(segments_[0].Number, 0);
            if (segments_.Count > 0 && cleanTail)
            {
                Segment last = segments_[segments_.Count - 1];
                writer_ = SegmentWriter.Open(last.Path, last.Size, segmentBytes_);
            }
            else
            {
                StartSegment();
            }
        }

        // Reads one segment's records; those at or after `from` are pending. Damage is skipped
        // and reported (when it lies after the cursor). Returns true if the file ends cleanly.
        private bool ReadSegment(Segment seg, long from)
        {
            byte[] data = File.ReadAllBytes(seg.Path);
            int zeroTail = data.Length;  // from here on only zeros: the clean end
            while (zeroTail > 0 && data[zeroTail - 1] == 0) zeroTail--;
            int pos = 0;
            bool clean = true;
            while (pos < zeroTail)
            {
                int n = ValidRecordAt(data, pos);
                if (n > 0)
                {
                    if (pos >= from) AddRecord(seg, pos, n, (data[pos + 12] & 1) != 0);
                    pos += HeaderBytes + n;
                    clean = true;
                    continue;
                }
                int next = pos + 1;
                while (next < zeroTail && ValidRecordAt(data, next) == 0) next++;
                if (next > from)
                {
                    long first = Math.Max(pos, from);
                    reports_.Add(new DropReport { Reason = DropReason.Corrupt, Count = next - first, Detail = Path.GetFileName(seg.Path) + " offset " + first });
                }
                clean = false;  // stays false if the damage runs to the end
                pos = next;
            }
            seg.Size = clean ? pos : data.Length;
            return clean;
        }

        private void AddRecord(Segment seg, int offset, int n, bool critical)
        {
            seg.Records.Add(new RecordRef { Offset = offset, Length = n, Critical = critical });
            pendingBytes_ += HeaderBytes + n;
            pendingEvents_++;
            if (critical) { criticalBytes_ += HeaderBytes + n; criticalEvents_++; }
        }

        /// <summary>The payload length of a valid record at pos, or 0.</summary>
        internal static int ValidRecordAt(byte[] data, int pos)
        {
            if (pos + HeaderBytes > data.Length || !StartsWith(data, pos, Magic)) return 0;
            uint n = ReadU32(data, pos + 4);
            if (n < 1 || n > MaxPayload || pos + HeaderBytes + (long)n > data.Length) return 0;
            if ((data[pos + 12] & 0xFE) != 0) return 0;
            if (Crc32.Compute(data, pos + 12, (int)n + 1) != ReadU32(data, pos + 8)) return 0;
            return (int)n;
        }

        private static bool AllZero(byte[] data, int pos)
        {
            for (int i = pos; i < data.Length; i++) if (data[i] != 0) return false;
            return true;
        }

        // Closes the tail (trimming its zero fill) and continues in a new segment: the spare
        // the worker prepared if there is one (a swap), else a new file made here.
        private void StartSegment()
        {
            if (writer_ != null) writer_.Close(segments_.Count > 0 ? Tail.Size : -1);
            writer_ = null;
            long number;
            if (spare_ != null && (segments_.Count == 0 || spareNumber_ > Tail.Number))
            {
                number = spareNumber_;
                writer_ = spare_;
            }
            else
            {
                if (spare_ != null) spare_.Close(0);
                number = nextNumber_++;
                string path = SegmentPath(dir_, number);
                TryDelete(path);
                writer_ = SegmentWriter.Open(path, 0, segmentBytes_);
            }
            spare_ = null;
            spareWanted_ = false;
            segments_.Add(new Segment { Number = number, Path = SegmentPath(dir_, number) });
            if (pendingEvents_ == 0) cursor_ = new QueuePosition(number, 0);
        }

        /// <summary>Worker: makes the next segment's file (zero-filled, mapped) off the lock
        /// once the tail is half full, so the rotation inside Track is only a swap.</summary>
        public void PrepareSpare()
        {
            long n;
            lock (lock_)
            {
                if (spare_ != null || preparing_ || writer_ == null || optedOut_ || Tail.Size < segmentBytes_ / 2) return;
                n = nextNumber_++;
                preparing_ = true;
            }
            string path = SegmentPath(dir_, n);
            SegmentWriter w = null;
            try
            {
                TryDelete(path);
                w = SegmentWriter.Open(path, 0, segmentBytes_);
                w.Pretouch();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                w = null;
            }
            lock (lock_)
            {
                preparing_ = false;
                if (w != null && writer_ != null && n > Tail.Number)
                {
                    spare_ = w;
                    spareNumber_ = n;
                    return;
                }
            }
            if (w != null)
            {
                w.Close(0);
                TryDelete(path);
            }
        }

        private Segment Tail { get { return segments_[segments_.Count - 1]; } }

        internal static bool StartsWith(byte[] b, int pos, byte[] prefix)
        {
            for (int i = 0; i < prefix.Length; i++) if (b[pos + i] != prefix[i]) return false;
            return true;
        }

        internal static uint ReadU32(byte[] b, int p)
        {
            return (uint)(b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24);
        }

        internal static ulong ReadU64(byte[] b, int p)
        {
            return ReadU32(b, p) | (ulong)ReadU32(b, p + 4) << 32;
        }

        internal static void WriteU32(byte[] b, int p, uint v)
        {
            b[p] = (byte)v; b[p + 1] = (byte)(v >> 8); b[p + 2] = (byte)(v >> 16); b[p + 3] = (byte)(v >> 24);
        }

        internal static void WriteU64(byte[] b, int p, ulong v)
        {
            WriteU32(b, p, (uint)v);
            WriteU32(b, p + 4, (uint)(v >> 32));
        }

        public void Dispose()
        {
            lock (lock_)
            {
                if (writer_ != null) { writer_.Close(segments_.Count > 0 ? Tail.Size : -1); writer_ = null; }
                if (spare_ != null) { spare_.Close(0); spare_ = null; }
                if (lockFile_ != null)
                {
                    try { lockFile_.Unlock(0, 1); } catch (IOException) { }
                    lockFile_.Dispose();
                    lockFile_ = null;
                }
            }
        }
    }
}
