// Writes records into the newest queue segment. The default maps the segment (a preallocated,
// zero-filled file, as queue_format.md allows): a record is one memory copy into the page
// cache, so it survives kill -9 without a system call per event. Where mapping is not
// available it falls back to a FileStream without managed buffering (one write per record).
// Thread-safety: Write/Grow/Dispose run under the queue's lock; Sync may run on the worker
// concurrently and synchronises with Dispose through the writer's own monitor.
using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Gamelake
{
    internal abstract class SegmentWriter : IDisposable
    {
        /// <summary>Opens path for appending after its first `used` bytes, with room for at
        /// least `capacity` bytes. Mapped if the platform allows, else a stream.</summary>
        public static SegmentWriter Open(string path, long used, long capacity)
        {
            try
            {
                return new MappedSegmentWriter(path, used, capacity);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return new StreamSegmentWriter(path, used);
            }
        }

        /// <summary>Writes data[offset, offset+count) at byte `at` (the segment's used size).</summary>
        public abstract void Write(byte[] data, int offset, int count, long at);

        /// <summary>Makes sure `size` bytes fit.</summary>
        public abstract void Reserve(long size);

        /// <summary>fdatasync / msync the first `used` bytes (what was written).</summary>
        public abstract void Sync(long used);

        /// <summary>Worker, before the segment is used: faults its pages in, so Track's
        /// copies into them do not each take a page fault.</summary>
        public virtual void Pretouch() { }

        /// <summary>Closes, cutting the file to `used` bytes (the zero fill goes).</summary>
        public abstract void Close(long used);

        public void Dispose() { Close(-1); }
    }

    internal sealed class MappedSegmentWriter : SegmentWriter
    {
        private FileStream file_;
        private MemoryMappedFile map_;
        private MemoryMappedViewAccessor view_;
        private IntPtr base_;
        private long capacity_;

        public MappedSegmentWriter(string path, long used, long capacity)
        {
            file_ = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
            try
            {
                Map(Math.Max(Math.Max(capacity, used), file_.Length));
            }
            catch
            {
                Unmap();
                file_.Dispose();
                throw;
            }
        }

        private void Map(long capacity)
        {
            if (file_.Length < capacity) ZeroFill(capacity);
            capacity_ = capacity;
            map_ = MemoryMappedFile.CreateFromFile(file_, null, capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, true);
            view_ = map_.CreateViewAccessor(0, capacity, MemoryMappedFileAccess.ReadWrite);
            base_ = view_.SafeMemoryMappedViewHandle.DangerousGetHandle() + (int)view_.PointerOffset;
        }

        // Real zeros, not a sparse SetLength: the blocks are allocated now, so a full disk is an
        // IOException here instead of a SIGBUS on a later write into the mapping.
        private void ZeroFill(long capacity)
        {
            var zeros = new byte[65536];
            file_.Seek(file_.Length, SeekOrigin.Begin);
            for (long left = capacity - file_.Length; left > 0; left -= zeros.Length)
            {
                file_.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
            }
            file_.Flush();
        }

        private void Unmap()
        {
            if (view_ != null) view_.Dispose();
            if (map_ != null) map_.Dispose();
            view_ = null;
            map_ = null;
            base_ = IntPtr.Zero;
        }

        public override void Write(byte[] data, int offset, int count, long at)
        {
            if (at + count > capacity_) Reserve(at + count);
            Marshal.Copy(data, offset, new IntPtr(base_.ToInt64() + at), count);
        }

        public override void Reserve(long size)
        {
            if (size <= capacity_) return;
            lock (this)
            {
                Unmap();
                Map(Math.Max(size, capacity_ * 2));
            }
        }

        private const long PageSize = 4096;
        private long synced_;

        public override void Pretouch()
        {
            lock (this)
            {
                if (view_ == null) return;
                for (long o = 0; o < capacity_; o += PageSize) Marshal.WriteByte(new IntPtr(base_.ToInt64() + o), 0);
            }
        }

        // Only the written range: syncing the whole view would also clean (write-protect) the
        // pretouched pages ahead, and each would fault again on Track's first copy into it.
        public override void Sync(long used)
        {
            lock (this)
            {
                if (view_ == null) return;
                long start = synced_ & ~(PageSize - 1);
                if (used <= start) return;
                if (!NativeSync.TryMsync(new IntPtr(base_.ToInt64() + start), used - start)) view_.Flush();
                synced_ = used;
            }
        }

        public override void Close(long used)
        {
            lock (this)
            {
                if (file_ == null) return;
                Unmap();
                try
                {
                    if (used >= 0) file_.SetLength(used);
                }
                catch (IOException) { }
                file_.Dispose();
                file_ = null;
            }
        }
    }

    internal sealed class StreamSegmentWriter : SegmentWriter
    {
        private FileStream file_;

        public StreamSegmentWriter(string path, long used)
        {
            // bufferSize 1: no managed buffering, each Write goes straight to the OS.
            file_ = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
            file_.SetLength(used);
            file_.Seek(used, SeekOrigin.Begin);
        }

        public override void Write(byte[] data, int offset, int count, long at)
        {
            if (file_.Position != at) file_.Seek(at, SeekOrigin.Begin);
            file_.Write(data, offset, count);
        }

        public override void Reserve(long size) { }

        public override void Sync(long used)
        {
            lock (this)
            {
                if (file_ != null) file_.Flush(true);
            }
        }

        public override void Close(long used)
        {
            lock (this)
            {
                if (file_ == null) return;
                file_.Dispose();
                file_ = null;
            }
        }
    }
}

namespace Gamelake
{
    /// <summary>msync(2) of a range, where libc has it (Linux, Android, macOS); false elsewhere
    /// (then the caller flushes the whole view). Thread-safety: stateless but for a flag.</summary>
    internal static class NativeSync
    {
        private static volatile bool unavailable_;

        [DllImport("libc", EntryPoint = "msync", SetLastError = true)]
        private static extern int Msync(IntPtr addr, UIntPtr length, int flags);

        public static bool TryMsync(IntPtr addr, long length)
        {
            if (unavailable_ || Environment.OSVersion.Platform != PlatformID.Unix) return false;
            int msSync = Directory.Exists("/proc/self") ? 4 : 0x10;  // MS_SYNC: Linux 4, Darwin 0x10
            try
            {
                if (Msync(addr, new UIntPtr((ulong)length), msSync) == 0) return true;
            }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
            unavailable_ = true;
            return false;
        }
    }
}
