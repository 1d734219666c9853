// CRC-32 (IEEE 802.3, the polynomial zlib's crc32 uses) for queue records and the cursor.
// Thread-safety: stateless; the table is built once by the static constructor.
namespace Gamelake
{
    /// <summary>Table-driven CRC-32 over byte ranges, chainable like zlib's crc32().</summary>
    public static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }
                table[i] = c;
            }
            return table;
        }

        /// <summary>CRC of data[offset, offset+count), continuing from <paramref name="crc"/> (0 to start).</summary>
        public static uint Compute(byte[] data, int offset, int count, uint crc = 0)
        {
            uint c = crc ^ 0xFFFFFFFFu;
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                c = Table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
            }
            return c ^ 0xFFFFFFFFu;
        }
    }
}
