// A minimal JSON reader for the server's answers (per-record results, error codes): parses
// text into Dictionary<string, object> / List<object> / string / long / double / bool / null.
// Thread-safety: stateless static entry point; each call uses its own parser.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Gamelake
{
    /// <summary>Parses JSON text; returns false (never throws) on malformed input.</summary>
    public static class JsonReader
    {
        public static bool TryParse(string text, out object value)
        {
            var p = new Parser { text_ = text ?? "" };
            try
            {
                value = p.ParseValue(0);
                p.SkipSpace();
                if (p.pos_ != p.text_.Length) { value = null; return false; }
                return true;
            }
            catch (FormatException)
            {
                value = null;
                return false;
            }
        }

        private sealed class Parser
        {
            public string text_;
            public int pos_;

            public void SkipSpace()
            {
                while (pos_ < text_.Length && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) pos_++;
            }

            private char Peek()
            {
                if (pos_ >= text_.Length) throw new FormatException("unexpected end");
                return text_[pos_];
            }

            private void Expect(char c)
            {
                if (Peek() != c) throw new FormatException("expected " + c);
                pos_++;
            }

            public object ParseValue(int depth)
            {
                if (depth > 256) throw new FormatException("too deep");
                SkipSpace();
                char c = Peek();
                if (c == '{') return ParseObject(depth);
                if (c == '[') return ParseArray(depth);
                if (c == '"') return ParseString();
                if (c == 't') { Literal("true"); return true; }
                if (c == 'f') { Literal("false"); return false; }
                if (c == 'n') { Literal("null"); return null; }
                return ParseNumber();
            }

            private void Literal(string word)
            {
                if (string.CompareOrdinal(text_, pos_, word, 0, word.Length) != 0) throw new FormatException("bad literal");
                pos_ += word.Length;
            }

            private Dictionary<string, object> ParseObject(int depth)
            {
                var obj = new Dictionary<string, object>();
                Expect('{');
                SkipSpace();
                if (Peek() == '}') { pos_++; return obj; }
                while (true)
                {
                    SkipSpace();
                    string key = ParseString();
                    SkipSpace();
                    Expect(':');
                    obj[key] = ParseValue(depth + 1);
                    SkipSpace();
                    if (Peek() == ',') { pos_++; continue; }
                    Expect('}');
                    return obj;
                }
            }

            private List<object> ParseArray(int depth)
            {
                var list = new List<object>();
                Expect('[');
                SkipSpace();
                if (Peek() == ']') { pos_++; return list; }
                while (true)
                {
                    list.Add(ParseValue(depth + 1));
                    SkipSpace();
                    if (Peek() == ',') { pos_++; continue; }
                    Expect(']');
                    return list;
                }
            }

            private string ParseString()
            {
                Expect('"');
                var sb = new StringBuilder();
                while (true)
                {
                    char c = Peek();
                    pos_++;
                    if (c == '"') return sb.ToString();
                    if (c != '\\') { sb.Append(c); continue; }
                    char e = Peek();
                    pos_++;
                    switch (e)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'u':
                            if (pos_ + 4 > text_.Length) throw new FormatException("bad \\u");
                            sb.Append((char)int.Parse(text_.Substring(pos_, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            pos_ += 4;
                            break;
                        default: sb.Append(e); break;
                    }
                }
            }

            private object ParseNumber()
            {
                int start = pos_;
                bool isFloat = false;
                while (pos_ < text_.Length)
                {
                    char c = text_[pos_];
                    if (c == '.' || c == 'e' || c == 'E') isFloat = true;
                    else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) break;
                    pos_++;
                }
                if (pos_ == start) throw new FormatException("unexpected character");
                string s = text_.Substring(start, pos_ - start);
                long l;
                if (!isFloat && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) return l;
                double d;
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return d;
                throw new FormatException("bad number");
            }
        }
    }
}
