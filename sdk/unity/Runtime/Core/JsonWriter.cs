// Writes JSON as UTF-8 into a growable, reusable byte buffer: the event's exact bytes.
// Integer types stay integers; floats use the invariant round-trip form (with ".0" kept so a
// float stays a float); strings are escaped per RFC 8259; lone surrogates become U+FFFD.
// Thread-safety: an instance is used by one thread at a time (the SDK keeps one per thread).
using System;
using System.Collections;
using System.Globalization;

namespace Gamelake
{
    /// <summary>Thrown for values JSON cannot hold (nesting too deep, e.g. a cycle).</summary>
    public sealed class JsonWriteException : Exception
    {
        public JsonWriteException(string message) : base(message) { }
    }

    /// <summary>A reusable UTF-8 JSON writer.</summary>
    public sealed class JsonWriter
    {
        public const int MaxDepth = 64;
        private static readonly byte[] HexDigits = { (byte)'0', (byte)'1', (byte)'2', (byte)'3', (byte)'4', (byte)'5', (byte)'6', (byte)'7', (byte)'8', (byte)'9', (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e', (byte)'f' };
        private byte[] buffer_;
        private int length_;

        public JsonWriter(int capacity = 1024)
        {
            buffer_ = new byte[capacity];
        }

        /// <summary>The bytes written so far are Buffer[0, Length).</summary>
        public byte[] Buffer { get { return buffer_; } }
        public int Length { get { return length_; } set { length_ = value; } }

        public void Clear() { length_ = 0; }

        public void Reserve(int extra)
        {
            if (length_ + extra <= buffer_.Length) return;
            int size = buffer_.Length * 2;
            while (size < length_ + extra) size *= 2;
            System.Array.Resize(ref buffer_, size);
        }

        public void Raw(byte b)
        {
            if (length_ == buffer_.Length) Reserve(1);
            buffer_[length_++] = b;
        }

        /// <summary>Appends ASCII text that needs no escaping (field names the SDK owns).</summary>
        public void RawAscii(string s)
        {
            Reserve(s.Length);
            for (int i = 0; i < s.Length; i++) buffer_[length_++] = (byte)s[i];
        }

        /// <summary>Writes a quoted, escaped JSON string.</summary>
        public void String(string s)
        {
            Reserve(s.Length * 3 + 2);
            buffer_[length_++] = (byte)'"';
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c < 0x80)
                {
                    if (c >= 0x20 && c != '"' && c != '\\') buffer_[length_++] = (byte)c;
                    else Escape(c);
                }
                else if (c < 0x800)
                {
                    buffer_[length_++] = (byte)(0xC0 | (c >> 6));
                    buffer_[length_++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    int cp = char.ConvertToUtf32(c, s[++i]);
                    buffer_[length_++] = (byte)(0xF0 | (cp >> 18));
                    buffer_[length_++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    buffer_[length_++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    buffer_[length_++] = (byte)(0x80 | (cp & 0x3F));
                }
                else
                {
                    int cp = char.IsSurrogate(c) ? 0xFFFD : c;
                    buffer_[length_++] = (byte)(0xE0 | (cp >> 12));
                    buffer_[length_++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    buffer_[length_++] = (byte)(0x80 | (cp & 0x3F));
                }
            }
            buffer_[length_++] = (byte)'"';
        }

        // Room for the longest escape was reserved by String (3 bytes a char; \u00XX is 6 for
        // a 1-char input, so reserve again here).
        private void Escape(char c)
        {
            Reserve(6);
            buffer_[length_++] = (byte)'\\';
            switch (c)
            {
                case '"': buffer_[length_++] = (byte)'"'; return;
                case '\\': buffer_[length_++] = (byte)'\\'; return;
                case '\n': buffer_[length_++] = (byte)'n'; return;
                case '\r': buffer_[length_++] = (byte)'r'; return;
                case '\t': buffer_[length_++] = (byte)'t'; return;
                case '\b': buffer_[length_++] = (byte)'b'; return;
                case '\f': buffer_[length_++] = (byte)'f'; return;
            }
            buffer_[length_++] = (byte)'u';
            buffer_[length_++] = (byte)'0';
            buffer_[length_++] = (byte)'0';
            buffer_[length_++] = HexDigits[c >> 4];
            buffer_[length_++] = HexDigits[c & 0xF];
        }

        public void Long(long v)
        {
            if (v < 0)
            {
                Raw((byte)'-');
                ULong(v == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)(-v));
            }
            else
            {
                ULong((ulong)v);
            }
        }

        public void ULong(ulong v)
        {
            Reserve(20);
            int start = length_;
            do
            {
                buffer_[length_++] = (byte)('0' + (int)(v % 10));
                v /= 10;
            } while (v != 0);
            System.Array.Reverse(buffer_, start, length_ - start);
        }

        public void Double(double v)
        {
            if (double.IsNaN(v) || double.IsInfinity(v))
            {
                RawAscii("null");  // JSON has no NaN or infinity
                return;
            }
            string s = v.ToString("R", CultureInfo.InvariantCulture);
            RawAscii(s);
            if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0) RawAscii(".0");
        }

        /// <summary>Writes any supported value: null, bool, numbers, string, char, enums,
        /// DateTime (ISO-8601 UTC), IDictionary (object), IEnumerable (array); else ToString().</summary>
        public void Value(object v, int depth = 0)
        {
            if (depth > MaxDepth) throw new JsonWriteException("nesting deeper than " + MaxDepth);
            if (v == null) { RawAscii("null"); return; }
            var s = v as string;
            if (s != null) { String(s); return; }
            switch (Type.GetTypeCode(v.GetType()))
            {
                case TypeCode.Boolean: RawAscii((bool)v ? "true" : "false"); return;
                case TypeCode.Int32: Long((int)v); return;
                case TypeCode.Int64: Long((long)v); return;
                case TypeCode.Int16: Long((short)v); return;
                case TypeCode.SByte: Long((sbyte)v); return;
                case TypeCode.Byte: Long((byte)v); return;
                case TypeCode.UInt16: Long((ushort)v); return;
                case TypeCode.UInt32: Long((uint)v); return;
                case TypeCode.UInt64: ULong((ulong)v); return;
                case TypeCode.Double: Double((double)v); return;
                case TypeCode.Single: Double(double.Parse(((float)v).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)); return;
                case TypeCode.Decimal: RawAscii(((decimal)v).ToString(CultureInfo.InvariantCulture)); return;
                case TypeCode.Char: String(v.ToString()); return;
                case TypeCode.DateTime: String(Iso8601.Format((DateTime)v)); return;
            }
            if (v is Enum) { String(v.ToString()); return; }
            var dict = v as IDictionary;
            if (dict != null) { WriteObject(dict, depth); return; }
            var list = v as IEnumerable;
            if (list != null) { WriteArray(list, depth); return; }
            String(v.ToString());
        }

        private void WriteObject(IDictionary dict, int depth)
        {
            Raw((byte)'{');
            bool first = true;
            foreach (DictionaryEntry e in dict)
            {
                if (!first) Raw((byte)',');
                first = false;
                String(e.Key.ToString());
                Raw((byte)':');
                Value(e.Value, depth + 1);
            }
            Raw((byte)'}');
        }

        private void WriteArray(IEnumerable list, int depth)
        {
            Raw((byte)'[');
            bool first = true;
            foreach (object item in list)
            {
                if (!first) Raw((byte)',');
                first = false;
                Value(item, depth + 1);
            }
            Raw((byte)']');
        }
    }

    /// <summary>ISO-8601 UTC timestamps with milliseconds ("2026-11-30T17:05:03.123Z").</summary>
    public static class Iso8601
    {
        private static readonly long EpochTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

        public static string Format(DateTime t)
        {
            return t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        /// <summary>Writes the quoted timestamp for Unix ms without allocating.</summary>
        public static void Write(JsonWriter w, long unixMs)
        {
            var t = new DateTime(EpochTicks + unixMs * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
            w.Reserve(26);
            w.Raw((byte)'"');
            Digits(w, t.Year, 4); w.Raw((byte)'-');
            Digits(w, t.Month, 2); w.Raw((byte)'-');
            Digits(w, t.Day, 2); w.Raw((byte)'T');
            Digits(w, t.Hour, 2); w.Raw((byte)':');
            Digits(w, t.Minute, 2); w.Raw((byte)':');
            Digits(w, t.Second, 2); w.Raw((byte)'.');
            Digits(w, t.Millisecond, 3);
            w.Raw((byte)'Z');
            w.Raw((byte)'"');
        }

        private static void Digits(JsonWriter w, int v, int width)
        {
            int div = 1;
            for (int i = 1; i < width; i++) div *= 10;
            for (; div > 0; div /= 10) w.Raw((byte)('0' + (v / div) % 10));
        }
    }
}
