// Tests of the disk queue against sdk/queue_format.md: round trip, the record and cursor
// bytes, torn tails and flipped bytes, the cursor, and the cap with critical copy-forward.
// Thread-safety: single-threaded tests, each in its own temp folder.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Gamelake.Tests
{
    internal static class QueueTests
    {
        public static void Register(List<KeyValuePair<string, Action>> t)
        {
            t.Add(new KeyValuePair<string, Action>("crc32_matches_zlib", Crc));
            t.Add(new KeyValuePair<string, Action>("queue_round_trip_and_record_bytes", RoundTrip));
            t.Add(new KeyValuePair<string, Action>("queue_torn_tail_detected", TornTail));
            t.Add(new KeyValuePair<string, Action>("queue_flipped_byte_detected", FlippedByte));
            t.Add(new KeyValuePair<string, Action>("queue_cursor_survives_reopen", Cursor));
            t.Add(new KeyValuePair<string, Action>("queue_cap_keeps_critical_and_counts_dropped", Eviction));
            t.Add(new KeyValuePair<string, Action>("queue_zero_filled_segment_is_a_clean_end", ZeroFilled));
            t.Add(new KeyValuePair<string, Action>("queue_second_instance_refused_by_lock", Lock));
        }

        private static void Crc()
        {
            byte[] b = Encoding.ASCII.GetBytes("123456789");
            T.Equal(0xCBF43926u, Crc32.Compute(b, 0, b.Length), "CRC-32 check value");
            T.Equal(Crc32.Compute(b, 0, 9), Crc32.Compute(b, 4, 5, Crc32.Compute(b, 0, 4)), "chained CRC");
            var rnd = new Random(3);
            var data = new byte[600];
            rnd.NextBytes(data);
            for (int off = 0; off < 9; off++)
            {
                for (int len = 0; len < 300; len += 1 + len / 8)
                {
                    T.Equal(Crc32.ComputeBytewise(data, off, len), Crc32.Compute(data, off, len), "sliced = bytewise at " + off + "+" + len);
                }
            }
        }

        internal static byte[] Payload(int i, int pad = 0)
        {
            return Encoding.UTF8.GetBytes("{\"seq\":" + i + ",\"pad\":\"" + new string('x', pad) + "\"}");
        }

        internal static List<string> ReadAll(DiskQueue q, List<DropReport> reports = null)
        {
            var body = new JsonWriter();
            var recs = new List<BatchRecord>();
            q.TakeBatch(int.MaxValue, int.MaxValue, body, recs);
            var lines = new List<string>();
            foreach (BatchRecord r in recs) lines.Add(Encoding.UTF8.GetString(body.Buffer, r.PayloadOffset, r.PayloadLength));
            if (reports != null) q.TakeReports(reports);
            return lines;
        }

        private static DiskQueue Open(string dir, long maxBytes = 16L << 20, int maxEvents = 100000, long maxCritical = 4L << 20)
        {
            var q = new DiskQueue(dir, maxBytes, maxEvents, maxCritical);
            string err = q.Open();
            T.Check(err == null, "open: " + err);
            return q;
        }

        private static void Append(DiskQueue q, byte[] p, bool critical = false)
        {
            string err = q.Append(p, p.Length, critical);
            T.Check(err == null, "append: " + err);
        }

        private static void RoundTrip()
        {
            string dir = T.TempDir();
            using (DiskQueue q = Open(dir))
            {
                for (int i = 0; i < 100; i++) Append(q, Payload(i), i % 10 == 0);
            }
            byte[] seg = File.ReadAllBytes(Path.Combine(dir, "seg-0000000000000001.glq"));
            byte[] p0 = Payload(0);
            T.Equal("GLQ1", Encoding.ASCII.GetString(seg, 0, 4), "magic");
            T.Equal((uint)p0.Length, BitConverter.ToUInt32(seg, 4), "length field");
            T.Equal((byte)1, seg[12], "critical flag");
            T.Equal(Crc32.Compute(seg, 12, p0.Length + 1), BitConverter.ToUInt32(seg, 8), "record CRC over flags+payload");
            T.Equal((byte)0, seg[13 + p0.Length + 12], "record 1 is ordinary");
            using (DiskQueue q = Open(dir))
            {
                T.Equal(100, q.PendingEvents, "pending after reopen");
                List<string> lines = ReadAll(q);
                T.Equal(100, lines.Count, "records read");
                for (int i = 0; i < 100; i++) T.Equal(Encoding.UTF8.GetString(Payload(i)), lines[i], "record " + i);
            }
        }

        private static string Segment1(string dir) { return Path.Combine(dir, "seg-0000000000000001.glq"); }

        private static void TornTail()
        {
            string dir = T.TempDir();
            using (DiskQueue q = Open(dir))
            {
                for (int i = 0; i < 10; i++) Append(q, Payload(i));
            }
            long len = new FileInfo(Segment1(dir)).Length;
            using (var fs = new FileStream(Segment1(dir), FileMode.Open)) fs.SetLength(len - 5);
            var reports = new List<DropReport>();
            using (DiskQueue q = Open(dir))
            {
                T.Equal(9, q.PendingEvents, "the torn record is not pending");
                List<string> lines = ReadAll(q, reports);
                T.Equal(Encoding.UTF8.GetString(Payload(8)), lines[8], "last good record");
                Append(q, Payload(10));
            }
            T.Equal(1, reports.Count, "one corrupt report");
            T.Equal(DropReason.Corrupt, reports[0].Reason, "reason");
            T.Equal((long)(13 + Payload(9).Length - 5), reports[0].Count, "bytes of the torn record");
            T.Check(File.Exists(Path.Combine(dir, "seg-0000000000000002.glq")), "writes go on in a new segment after a torn tail");
            using (DiskQueue q = Open(dir))
            {
                T.Equal(10, q.PendingEvents, "9 good + 1 new");
            }
        }

        private static void FlippedByte()
        {
            string dir = T.TempDir();
            using (DiskQueue q = Open(dir))
            {
                for (int i = 0; i < 10; i++) Append(q, Payload(i));
            }
            byte[] data = File.ReadAllBytes(Segment1(dir));
            int rec = 13 + Payload(0).Length;  // every payload here has the same length (seq < 10)
            data[5 * rec + 13 + 3] ^= 0x20;  // a byte of record 5's payload
            File.WriteAllBytes(Segment1(dir), data);
            var reports = new List<DropReport>();
            using (DiskQueue q = Open(dir))
            {
                List<string> lines = ReadAll(q, reports);
                T.Equal(9, lines.Count, "9 good records");
                T.Check(!lines.Contains(Encoding.UTF8.GetString(Payload(5))), "record 5 is not sent");
                T.Equal(Encoding.UTF8.GetString(Payload(6)), lines[5], "record 6 follows record 4");
            }
            T.Equal(1, reports.Count, "one report");
            T.Equal((long)rec, reports[0].Count, "the damaged record's bytes");
            T.Check(reports[0].Detail.Contains("offset " + (5 * rec)), "detail names the offset: " + reports[0].Detail);
        }

        private static void Cursor()
        {
            string dir = T.TempDir();
            using (DiskQueue q = Open(dir))
            {
                for (int i = 0; i < 10; i++) Append(q, Payload(i));
                var body = new JsonWriter();
                var recs = new List<BatchRecord>();
                T.Equal(4, q.TakeBatch(4, 1 << 20, body, recs), "batch of 4");
                q.Ack(recs[3].End);
                q.Ack(recs[1].End);  // never backwards
                T.Equal(6, q.PendingEvents, "pending after ack");
            }
            byte[] c = File.ReadAllBytes(Path.Combine(dir, "cursor"));
            T.Equal(24, c.Length, "cursor size");
            T.Equal("GLC1", Encoding.ASCII.GetString(c, 0, 4), "cursor magic");
            T.Equal(1UL, BitConverter.ToUInt64(c, 4), "cursor segment");
            T.Equal((ulong)(4 * (13 + Payload(0).Length)), BitConverter.ToUInt64(c, 12), "cursor offset");
            T.Equal(Crc32.Compute(c, 0, 20), BitConverter.ToUInt32(c, 20), "cursor CRC");
            File.WriteAllBytes(Path.Combine(dir, "cursor.tmp"), new byte[3]);
            using (DiskQueue q = Open(dir))
            {
                List<string> lines = ReadAll(q);
                T.Equal(6, lines.Count, "reopen resumes at the cursor");
                T.Equal(Encoding.UTF8.GetString(Payload(4)), lines[0], "first pending");
            }
            T.Check(!File.Exists(Path.Combine(dir, "cursor.tmp")), "cursor.tmp removed at start");
            c[13] ^= 1;
            File.WriteAllBytes(Path.Combine(dir, "cursor"), c);
            using (DiskQueue q = Open(dir))
            {
                T.Equal(10, q.PendingEvents, "a damaged cursor means from the oldest segment");
            }
        }

        private static void Eviction()
        {
            string dir = T.TempDir();
            const long cap = 16 * 1024;
            int appended = 0, critical = 0;
            var criticalPayloads = new HashSet<string>();
            var reports = new List<DropReport>();
            using (DiskQueue q = Open(dir, cap, 100000, 8 * 1024))
            {
                for (int i = 0; i < 1000; i++)
                {
                    bool crit = i % 50 == 0;
                    byte[] p = Payload(i, 60);
                    Append(q, p, crit);
                    appended++;
                    if (crit) { critical++; criticalPayloads.Add(Encoding.UTF8.GetString(p)); }
                }
                T.Check(q.PendingBytes <= cap + 8 * 1024, "queue within cap + critical allowance: " + q.PendingBytes);
                List<string> lines = ReadAll(q, reports);
                long dropped = 0;
                foreach (DropReport r in reports)
                {
                    T.Equal(DropReason.QueueFull, r.Reason, "reason");
                    dropped += r.Count;
                }
                T.Check(dropped > 0, "drops were reported");
                T.Equal((long)appended, dropped + lines.Count, "every event is either queued or reported dropped");
                foreach (string cp in criticalPayloads) T.Check(lines.Contains(cp), "critical event kept: " + cp);
                T.Equal(lines.Count, new HashSet<string>(lines).Count, "no record twice");
                T.Equal(Encoding.UTF8.GetString(Payload(999, 60)), lines[lines.Count - 1], "newest kept");
            }
            T.Check(Directory.GetFiles(dir, "seg-*.glq").Length <= 12, "old segments deleted");

            // Past the critical allowance the oldest critical events go too (reported).
            string dir2 = T.TempDir();
            var reports2 = new List<DropReport>();
            using (DiskQueue q = Open(dir2, 4096, 100000, 2048))
            {
                for (int i = 0; i < 400; i++) Append(q, Payload(i, 60), true);
                T.Check(q.PendingBytes <= 4096 + 2048 + 200, "critical kept only up to the allowance: " + q.PendingBytes);
                q.TakeReports(reports2);
                T.Check(reports2.Count > 0 && reports2[0].Reason == DropReason.QueueFull, "critical drops reported");
            }
        }

        // A preallocated segment (the C++ SDK's, or ours after a kill -9): records, then zeros.
        private static void ZeroFilled()
        {
            string dir = T.TempDir();
            using (DiskQueue q = Open(dir))
            {
                for (int i = 0; i < 5; i++) Append(q, Payload(i));
            }
            int rec = 13 + Payload(0).Length;
            using (var fs = new FileStream(Segment1(dir), FileMode.Open)) fs.SetLength(64 * 1024);
            var reports = new List<DropReport>();
            using (DiskQueue q = Open(dir))
            {
                T.Equal(5, q.PendingEvents, "records before the zero fill");
                Append(q, Payload(5));
                q.TakeReports(reports);
            }
            T.Equal(0, reports.Count, "zeros are the clean end, not damage");
            T.Check(!File.Exists(Path.Combine(dir, "seg-0000000000000002.glq")), "appended in the same segment");
            byte[] data = File.ReadAllBytes(Segment1(dir));
            T.Equal(6 * rec, data.Length, "appended right after the last record (zero fill trimmed at close)");
            // A torn record followed by zero fill: only its own bytes are reported.
            using (var fs = new FileStream(Segment1(dir), FileMode.Open))
            {
                fs.SetLength(5 * rec + 20);
                fs.SetLength(64 * 1024);
            }
            using (DiskQueue q = Open(dir))
            {
                T.Equal(5, q.PendingEvents, "the five whole records");
                q.TakeReports(reports);
            }
            T.Equal(1, reports.Count, "one report");
            T.Equal(20L, reports[0].Count, "the torn record's 20 bytes, not the zero fill");
        }

        private static void Lock()
        {
            string dir = T.TempDir();
            using (DiskQueue q = Open(dir))
            {
                var second = new DiskQueue(dir, 1 << 20, 1000, 1 << 20);
                string err = second.Open();
                T.Check(err != null && err.Contains("in use"), "a second instance on the folder is refused: " + err);
                second.Dispose();
            }
            var third = new DiskQueue(dir, 1 << 20, 1000, 1 << 20);
            T.Check(third.Open() == null, "free again once the first closed");
            third.Dispose();
        }
    }
}
