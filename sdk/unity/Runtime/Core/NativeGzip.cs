// gzip at zlib level 1 through the system's zlib where there is one (Linux, Android, macOS):
// Mono's GZipStream ignores CompressionLevel and compresses at level 6, which costs the
// worker ~4 µs of CPU an event; level 1 is ~5x cheaper for ~10% more bytes. Elsewhere, or if
// the self-test at first use fails, the caller falls back to GZipStream.
// Thread-safety: each call has its own z_stream; the enabled flag is set once.
using System;
using System.IO;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Gamelake
{
    public static class NativeGzip
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct ZStream
        {
            public IntPtr NextIn;
            public uint AvailIn;
            public IntPtr TotalIn;  // uLong: pointer-sized on LP64 and ILP32 (not on Windows, excluded)
            public IntPtr NextOut;
            public uint AvailOut;
            public IntPtr TotalOut;
            public IntPtr Msg;
            public IntPtr State;
            public IntPtr ZAlloc;
            public IntPtr ZFree;
            public IntPtr Opaque;
            public int DataType;
            public IntPtr Adler;
            public IntPtr Reserved;
        }

        [DllImport("z", EntryPoint = "deflateInit2_")]
        private static extern int DeflateInit2(IntPtr strm, int level, int method, int windowBits, int memLevel, int strategy, string version, int streamSize);

        [DllImport("z", EntryPoint = "deflate")]
        private static extern int Deflate(IntPtr strm, int flush);

        [DllImport("z", EntryPoint = "deflateEnd")]
        private static extern int DeflateEnd(IntPtr strm);

        private static int state_;  // 0 untested, 1 works, -1 off

        /// <summary>Gzips data[0, length) into output (grown as needed). False: use GZipStream.</summary>
        public static bool TryCompress(byte[] data, int length, ref byte[] output, out int outputLength)
        {
            outputLength = 0;
            if (state_ < 0) return false;
            if (state_ == 0 && !SelfTest()) return false;
            try
            {
                return Compress(data, length, ref output, out outputLength);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                state_ = -1;
                return false;
            }
        }

        private static bool SelfTest()
        {
            state_ = -1;
            if (Environment.OSVersion.Platform != PlatformID.Unix) return false;
            try
            {
                var sample = new byte[4096];
                for (int i = 0; i < sample.Length; i++) sample[i] = (byte)("{\"event_id\":\"x\",\"n\":" [i % 20] + i % 7);
                byte[] packed = null;
                int n;
                if (!Compress(sample, sample.Length, ref packed, out n)) return false;
                using (var gz = new GZipStream(new MemoryStream(packed, 0, n), CompressionMode.Decompress))
                using (var back = new MemoryStream())
                {
                    gz.CopyTo(back);
                    byte[] b = back.ToArray();
                    if (b.Length != sample.Length) return false;
                    for (int i = 0; i < b.Length; i++) if (b[i] != sample[i]) return false;
                }
                state_ = 1;
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }

        private static bool Compress(byte[] data, int length, ref byte[] output, out int outputLength)
        {
            outputLength = 0;
            int bound = length + length / 1000 + 64 + 18;  // deflate's worst case plus the gzip wrapper
            if (output == null || output.Length < bound) output = new byte[bound];
            int size = Marshal.SizeOf(typeof(ZStream));
            IntPtr strm = Marshal.AllocHGlobal(size);
            GCHandle input = GCHandle.Alloc(data, GCHandleType.Pinned);
            GCHandle dest = GCHandle.Alloc(output, GCHandleType.Pinned);
            try
            {
                Marshal.StructureToPtr(new ZStream(), strm, false);
                // level 1, deflate, windowBits 15 + 16 (gzip wrapper), memLevel 8, default strategy
                if (DeflateInit2(strm, 1, 8, 31, 8, 0, "1.2.11", size) != 0) return false;
                try
                {
                    var z = (ZStream)Marshal.PtrToStructure(strm, typeof(ZStream));
                    z.NextIn = input.AddrOfPinnedObject();
                    z.AvailIn = (uint)length;
                    z.NextOut = dest.AddrOfPinnedObject();
                    z.AvailOut = (uint)output.Length;
                    Marshal.StructureToPtr(z, strm, false);
                    if (Deflate(strm, 4) != 1) return false;  // Z_FINISH must end the stream
                    z = (ZStream)Marshal.PtrToStructure(strm, typeof(ZStream));
                    outputLength = output.Length - (int)z.AvailOut;
                    return true;
                }
                finally
                {
                    DeflateEnd(strm);
                }
            }
            finally
            {
                input.Free();
                dest.Free();
                Marshal.FreeHGlobal(strm);
            }
        }
    }
}
