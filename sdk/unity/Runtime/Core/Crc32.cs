// CRC-32 (IEEE 802.3, the polynomial zlib's crc32 uses) for queue records and the cursor,
// slicing-by-8 (eight bytes a step through eight tables: a third of the bytewise cost, which
// matters inside Track). Thread-safety: stateless; the tables are built once.
namespace Gamelake
{
    /// <summary>Table-driven CRC-32 over byte ranges, chainable like zlib's crc32().</summary>
    public static class Crc32
    {
        private static readonly uint[] T0 = new uint[256], T1 = new uint[256], T2 = new uint[256], T3 = new uint[256];
        private static readonly uint[] T4 = new uint[256], T5 = new uint[256], T6 = new uint[256], T7 = new uint[256];

        static Crc32()
        {
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                T0[i] = c;
            }
            uint[][] t = { T0, T1, T2, T3, T4, T5, T6, T7 };
            for (int n = 1; n < 8; n++)
            {
                for (int i = 0; i < 256; i++) t[n][i] = (t[n - 1][i] >> 8) ^ T0[t[n - 1][i] & 0xFF];
            }
        }

        /// <summary>CRC of data[offset, offset+count), continuing from <paramref name="crc"/> (0 to start).</summary>
        public static uint Compute(byte[] data, int offset, int count, uint crc = 0)
        {
            uint c = crc ^ 0xFFFFFFFFu;
            int i = offset;
            int end = offset + count;
            for (; i + 8 <= end; i += 8)
            {
                uint lo = c ^ (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
                c = T7[lo & 0xFF] ^ T6[(lo >> 8) & 0xFF] ^ T5[(lo >> 16) & 0xFF] ^ T4[lo >> 24]
                    ^ T3[data[i + 4]] ^ T2[data[i + 5]] ^ T1[data[i + 6]] ^ T0[data[i + 7]];
            }
            for (; i < end; i++) c = T0[(c ^ data[i]) & 0xFF] ^ (c >> 8);
            return c ^ 0xFFFFFFFFu;
        }

        /// <summary>The plain bytewise form, for tests to check the sliced one against.</summary>
        public static uint ComputeBytewise(byte[] data, int offset, int count, uint crc = 0)
        {
            uint c = crc ^ 0xFFFFFFFFu;
            for (int i = offset; i < offset + count; i++) c = T0[(c ^ data[i]) & 0xFF] ^ (c >> 8);
            return c ^ 0xFFFFFFFFu;
        }
    }
}
