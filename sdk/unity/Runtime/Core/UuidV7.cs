// UUID v7 (RFC 9562): 48 bits of Unix milliseconds, version 7, 74 random bits.
// Thread-safety: each thread has its own generator ([ThreadStatic]), seeded from the OS's
// cryptographic RNG, so generation takes no lock.
using System;
using System.Security.Cryptography;

namespace Gamelake
{
    /// <summary>Makes UUID v7 strings ("xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx").</summary>
    public static class UuidV7
    {
        [ThreadStatic] private static ulong state0_;
        [ThreadStatic] private static ulong state1_;
        [ThreadStatic] private static char[] chars_;
        private static readonly char[] Hex = "0123456789abcdef".ToCharArray();

        /// <summary>A new id for the given Unix time in milliseconds.</summary>
        public static string New(long unixMs)
        {
            char[] c = chars_ ?? (chars_ = new char[36]);
            ulong hi = ((ulong)unixMs << 16) | 0x7000UL | (NextRandom() & 0x0FFFUL);
            ulong lo = (NextRandom() & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL;
            int p = 0;
            for (int i = 0; i < 16; i++)
            {
                if (i == 8 || i == 12) c[p++] = '-';
                c[p++] = Hex[(int)(hi >> (60 - 4 * i)) & 0xF];
            }
            for (int i = 0; i < 16; i++)
            {
                if (i == 0 || i == 4) c[p++] = '-';
                c[p++] = Hex[(int)(lo >> (60 - 4 * i)) & 0xF];
            }
            return new string(c, 0, 36);
        }

        // xorshift128+: fast and good enough for the random bits of an id; the seed is
        // cryptographic so two devices never share a sequence.
        private static ulong NextRandom()
        {
            if (state0_ == 0 && state1_ == 0) Seed();
            ulong s1 = state0_;
            ulong s0 = state1_;
            state0_ = s0;
            s1 ^= s1 << 23;
            state1_ = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
            return state1_ + s0;
        }

        private static void Seed()
        {
            var bytes = new byte[16];
            using (var rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(bytes);
            }
            state0_ = BitConverter.ToUInt64(bytes, 0) | 1UL;
            state1_ = BitConverter.ToUInt64(bytes, 8);
        }
    }
}
