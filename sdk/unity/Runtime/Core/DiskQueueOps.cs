// The DiskQueue's operations after Open: append (with the cap), batches from the head,
// acknowledgement (cursor), opt-out clearing and syncing. See DiskQueue.cs for the format.
// Thread-safety: every method takes the queue's lock (lock_), held only for memory work and
// one write or one contiguous read; fsync happens outside it.
using System;
using System.Collections.Generic;
using System.IO;

namespace Gamelake
{
    public sealed partial class DiskQueue
    {
        /// <summary>Appends one event (payload = its JSON). Returns null, or why it was not stored.</summary>
        public string Append(byte[] payload, int length, bool critical)
        {
            int pending;
            bool wantSpare;
            return Append(payload, length, critical, out pending, out wantSpare);
        }

        /// <summary>As above; `pending` is the queue's event count after the append.</summary>
        /// `wantSpare` asks the caller to wake the worker to prepare the next segment (PrepareSpare).
        public string Append(byte[] payload, int length, bool critical, out int pending, out bool wantSpare)
        {
            pending = 0;
            wantSpare = false;
            if (length < 1 || length > MaxPayload) return "event size " + length + " out of range";
            lock (lock_)
            {
                if (optedOut_) return "opted out";
                if (writer_ == null) return "queue closed";
                int size = HeaderBytes + length;
                EnforceCap(size, critical);
                if (size > recordBuf_.Length) recordBuf_ = new byte[Math.Max(size, recordBuf_.Length * 2)];
                Array.Copy(Magic, 0, recordBuf_, 0, 4);
                WriteU32(recordBuf_, 4, (uint)length);
                recordBuf_[12] = critical ? (byte)1 : (byte)0;
                Buffer.BlockCopy(payload, 0, recordBuf_, HeaderBytes, length);
                WriteU32(recordBuf_, 8, Crc32.Compute(recordBuf_, 12, length + 1));
                string err = WriteRecord(recordBuf_, 0, length, critical);
                pending = pendingEvents_;
                if (!spareWanted_ && spare_ == null && Tail.Size >= segmentBytes_ / 2)
                {
                    spareWanted_ = true;
                    wantSpare = true;
                }
                return err;
            }
        }

        // Writes a whole record (header at data[offset]) at the tail with one write call.
        private string WriteRecord(byte[] data, int offset, int length, bool critical)
        {
            int size = HeaderBytes + length;
            if (Tail.Size > 0 && Tail.Size + size > segmentBytes_) StartSegment();
            Segment tail = Tail;
            try
            {
                writer_.Write(data, offset, size, tail.Size);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // A partial record may be on disk: it reads as damage; write on in a new segment.
                StartSegment();
                return "queue write failed: " + e.Message;
            }
            AddRecord(tail, (int)tail.Size, length, critical);
            tail.Size += size;
            unsynced_ = true;
            return null;
        }

        private bool OverCap(long size, bool critical)
        {
            long total = pendingBytes_ + size;
            long crit = criticalBytes_ + (critical ? size : 0);
            int events = pendingEvents_ + 1;
            int critEvents = criticalEvents_ + (critical ? 1 : 0);
            long allowBytes = Math.Min(crit, maxCritical_);
            int allowEvents = crit <= maxCritical_ ? critEvents : 0;
            return total - allowBytes > maxBytes_ || events - allowEvents > maxEvents_;
        }

        private void EnforceCap(int size, bool critical)
        {
            while (OverCap(size, critical))
            {
                Segment oldest = null;
                foreach (Segment s in segments_)
                {
                    if (s.Head < s.Records.Count) { oldest = s; break; }
                }
                if (oldest == null) return;
                bool keepCritical = criticalBytes_ + (critical ? size : 0) <= maxCritical_;
                if (keepCritical && OnlyCritical(oldest)) return;  // copying forward gains nothing
                if (oldest == Tail) StartSegment();
                Evict(oldest, keepCritical);
            }
        }

        private static bool OnlyCritical(Segment s)
        {
            for (int i = s.Head; i < s.Records.Count; i++) if (!s.Records[i].Critical) return false;
            return true;
        }

        // Drops a segment whole; its pending critical records are appended again at the tail
        // (same bytes, so the same event_id) when keepCritical.
        private void Evict(Segment seg, bool keepCritical)
        {
            byte[] data = null;
            if (keepCritical)
            {
                try { data = File.ReadAllBytes(seg.Path); } catch (IOException) { data = null; }
            }
            long dropped = 0;
            var kept = new List<RecordRef>();
            for (int i = seg.Head; i < seg.Records.Count; i++)
            {
                RecordRef r = seg.Records[i];
                RemoveCounts(r);
                if (skipped_.Remove(Key(seg.Number, r.Offset))) continue;  // already reported invalid
                if (r.Critical && data != null && r.Offset + HeaderBytes + r.Length <= data.Length) kept.Add(r);
                else dropped++;
            }
            segments_.Remove(seg);
            TryDelete(seg.Path);
            if (cursor_.Segment <= seg.Number) cursor_ = new QueuePosition(segments_[0].Number, 0);
            if (dropped > 0)
            {
                reports_.Add(new DropReport { Reason = DropReason.QueueFull, Count = dropped, Detail = "oldest segment " + Path.GetFileName(seg.Path) + " dropped at the cap" });
            }
            foreach (RecordRef r in kept) WriteRecord(data, r.Offset, r.Length, true);
        }

        private void RemoveCounts(RecordRef r)
        {
            pendingBytes_ -= HeaderBytes + r.Length;
            pendingEvents_--;
            if (r.Critical) { criticalBytes_ -= HeaderBytes + r.Length; criticalEvents_--; }
        }

        private static long Key(long segment, long offset) { return (segment << 32) | offset; }

        private static void TryDelete(string path)
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private struct Planned
        {
            public long Segment;
            public string Path;
            public RecordRef Record;
        }

        private readonly List<Planned> plan_ = new List<Planned>();
        private byte[] scratch_;

        /// <summary>Copies up to maxEvents / maxBytes of pending records from the head into
        /// body (as NDJSON) and records. Returns how many. Worker only: the records are chosen
        /// under the lock, the file is read outside it (one read per segment).</summary>
        public int TakeBatch(int maxEvents, int maxBytes, JsonWriter body, List<BatchRecord> records)
        {
            return TakeBatch(maxEvents, maxBytes, body, records, new QueuePosition(0, 0));
        }

        /// <summary>As above, choosing only records at or after `from` (after the batches in flight).</summary>
        public int TakeBatch(int maxEvents, int maxBytes, JsonWriter body, List<BatchRecord> records, QueuePosition from)
        {
            for (int attempt = 0; ; attempt++)
            {
                body.Clear();
                records.Clear();
                Plan(maxEvents, maxBytes, from);
                try
                {
                    int start = 0;
                    for (int i = 1; i <= plan_.Count; i++)
                    {
                        if (i < plan_.Count && plan_[i].Segment == plan_[start].Segment) continue;
                        ReadRecords(start, i - 1, body, records);
                        start = i;
                    }
                    return records.Count;
                }
                catch (FileNotFoundException)
                {
                    if (attempt >= 3) throw;  // dropped at the cap meanwhile: choose again
                }
            }
        }

        private void Plan(int maxEvents, int maxBytes, QueuePosition from)
        {
            plan_.Clear();
            lock (lock_)
            {
                long bodyBytes = 0;
                foreach (Segment seg in segments_)
                {
                    if (seg.Number < from.Segment) continue;
                    int i = seg.Head;
                    if (seg.Number == from.Segment)
                    {
                        while (i < seg.Records.Count && seg.Records[i].Offset < from.Offset) i++;
                    }
                    for (; i < seg.Records.Count; i++)
                    {
                        if (plan_.Count >= maxEvents) return;
                        RecordRef r = seg.Records[i];
                        if (skipped_.Count > 0 && skipped_.Contains(Key(seg.Number, r.Offset))) continue;
                        if (bodyBytes + r.Length + 1 > maxBytes && plan_.Count > 0) return;
                        plan_.Add(new Planned { Segment = seg.Number, Path = seg.Path, Record = r });
                        bodyBytes += r.Length + 1;
                    }
                }
            }
        }

        // One contiguous read for plan_[first..last] (one segment); copies payloads to body.
        private void ReadRecords(int first, int last, JsonWriter body, List<BatchRecord> records)
        {
            int start = plan_[first].Record.Offset;
            int end = plan_[last].Record.Offset + HeaderBytes + plan_[last].Record.Length;
            if (scratch_ == null || scratch_.Length < end - start) scratch_ = new byte[Math.Max(end - start, 65536)];
            using (var fs = new FileStream(plan_[first].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1))
            {
                fs.Seek(start, SeekOrigin.Begin);
                int got = 0;
                while (got < end - start)
                {
                    int n = fs.Read(scratch_, got, end - start - got);
                    if (n <= 0) throw new FileNotFoundException("segment shorter than its records", plan_[first].Path);
                    got += n;
                }
            }
            for (int i = first; i <= last; i++)
            {
                RecordRef r = plan_[i].Record;
                body.Reserve(r.Length + 1);
                int at = body.Length;
                Buffer.BlockCopy(scratch_, r.Offset - start + HeaderBytes, body.Buffer, at, r.Length);
                body.Length = at + r.Length;
                body.Raw((byte)'\n');
                records.Add(new BatchRecord
                {
                    Position = new QueuePosition(plan_[i].Segment, r.Offset),
                    End = new QueuePosition(plan_[i].Segment, r.Offset + HeaderBytes + r.Length),
                    PayloadOffset = at,
                    PayloadLength = r.Length,
                    Critical = r.Critical,
                });
            }
        }

        /// <summary>Marks a record dropped (invalid) that the cursor cannot pass yet.</summary>
        public void Skip(QueuePosition p)
        {
            lock (lock_)
            {
                if (p.CompareTo(cursor_) >= 0) skipped_.Add(Key(p.Segment, p.Offset));
            }
        }

        /// <summary>Everything before `end` is done: moves the cursor (never backwards), writes
        /// it (cursor.tmp + rename) and deletes the segments wholly before it.</summary>
        public void Ack(QueuePosition end)
        {
            var deleted = new List<string>();
            QueuePosition cursor;
            lock (lock_)
            {
                if (end.CompareTo(cursor_) <= 0) return;
                while (segments_.Count > 0)
                {
                    Segment seg = segments_[0];
                    if (seg.Number > end.Segment) break;
                    while (seg.Head < seg.Records.Count && (seg.Number < end.Segment || seg.Records[seg.Head].Offset < end.Offset))
                    {
                        RecordRef r = seg.Records[seg.Head++];
                        RemoveCounts(r);
                        if (skipped_.Count > 0) skipped_.Remove(Key(seg.Number, r.Offset));
                    }
                    if (seg == Tail || seg.Head < seg.Records.Count) break;
                    segments_.RemoveAt(0);
                    deleted.Add(seg.Path);
                }
                cursor_ = end;
                if (segments_[0].Number > cursor_.Segment) cursor_ = new QueuePosition(segments_[0].Number, 0);
                cursor = cursor_;
            }
            // Only the worker acknowledges, so the cursor file is written in order; the cursor
            // is written before the segments go, so a crash between never loses an event.
            try { WriteCursor(cursor); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            foreach (string path in deleted) TryDelete(path);
        }

        /// <summary>Opt-out: deletes every queued event and remembers the choice (optout file).</summary>
        public void SetOptOut(bool optOut)
        {
            lock (lock_)
            {
                string marker = Path.Combine(dir_, "optout");
                if (!optOut)
                {
                    optedOut_ = false;
                    TryDelete(marker);
                    return;
                }
                optedOut_ = true;
                try { File.WriteAllBytes(marker, new byte[0]); } catch (IOException) { }
                foreach (Segment s in segments_) TryDelete(s.Path);
                segments_.Clear();
                skipped_.Clear();
                pendingBytes_ = criticalBytes_ = 0;
                pendingEvents_ = criticalEvents_ = 0;
                TryDelete(Path.Combine(dir_, "cursor"));
                StartSegment();
            }
        }

        /// <summary>fdatasync of the newest segment if written since the last sync (worker only).</summary>
        public void Sync()
        {
            SegmentWriter writer;
            long used;
            lock (lock_)
            {
                if (!unsynced_ || writer_ == null) return;
                unsynced_ = false;
                writer = writer_;
                used = Tail.Size;
            }
            try
            {
                writer.Sync(used);
            }
            catch (Exception e) when (e is IOException || e is ObjectDisposedException || e is UnauthorizedAccessException)
            {
                // closed by a rotation meanwhile (which flushed it) or not supported: best effort
            }
        }

        /// <summary>Moves the drop reports collected so far into `into`.</summary>
        public void TakeReports(List<DropReport> into)
        {
            lock (lock_)
            {
                into.AddRange(reports_);
                reports_.Clear();
            }
        }
    }
}
